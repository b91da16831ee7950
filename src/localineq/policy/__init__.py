"""Policy tests of the indicators: Levelling-Up missions and local targets.

This subpackage turns the analysis-ready indicator tables into verdicts that a briefing can
quote: whether a Levelling-Up mission is met when it is tracked by region (ITL1) and when it
is tracked by local authority, how many people live where it fails, and whether a failure is
statistically significant given the published 95% intervals. The shared rules live in one
place each, for the mission scorecard and the local targets alike: periods and the baseline
rule (:mod:`~localineq.policy.periods`), polarity and significance
(:mod:`~localineq.policy.compare`), verdicts (:mod:`~localineq.policy.results`), the tests
(:mod:`~localineq.policy.missions`), the two lenses and the back-test
(:mod:`~localineq.policy.lenses`), the result tables (:mod:`~localineq.policy.scorecard`,
:mod:`~localineq.policy.history`), and the local targets (:mod:`~localineq.policy.targets`,
their rules in :mod:`~localineq.policy.target_rules`, their status vocabulary and the
levelling-down rule in :mod:`~localineq.policy.statuses`).
It may import :mod:`localineq.data` and :mod:`localineq.stats`, never
:mod:`localineq.outputs`: policy logic produces tables, and outputs only render them.
"""
