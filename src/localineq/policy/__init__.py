"""Policy tests of the indicators: Levelling-Up missions and local targets.

This subpackage turns the analysis-ready indicator tables into verdicts that a briefing can
quote: whether a Levelling-Up mission is met when it is tracked by region (ITL1) and when it
is tracked by local authority, how many people live where it fails, and whether a failure is
statistically significant given the published 95% intervals (:mod:`localineq.policy.missions`;
targets for every authority build on the same baseline, polarity and significance rules). It
may import :mod:`localineq.data` and :mod:`localineq.stats`, never :mod:`localineq.outputs`:
policy logic produces tables, and outputs only render them.
"""
