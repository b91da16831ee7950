"""Start-up checks of the ``missions:`` and ``targets:`` blocks that a JSON schema cannot state.

The schema fixes each field's type and range; these checks relate fields to each other, so
the policy stage can build its rules from a configuration that is already known to be
consistent (a mistake here used to surface only when the mission or targets job ran):

* mission numbers are unique across ``missions.declared``, ``missions.untested`` and
  ``missions.own_geography``;
* a mission's ``headline`` names one of its own indicators and one of its own tests;
* a test's optional ``indicators`` (the indicators it is restricted to) are among its
  mission's own, without repeats;
* a target rule has a ``level`` exactly when its benchmark is ``level`` (after the
  override is laid over ``targets.default``);
* an override's ``horizon`` equals ``targets.default.horizon``, because ``la_targets`` has
  one ``target_<horizon>`` column;
* every baseline ``before`` is a real calendar date.

Each problem is a ``(key path, message)`` pair, so :mod:`localineq.config.check` can name
the key's YAML line.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from localineq.config.yamlfile import KeyPath

#: A problem found in the configuration: where (a key path) and what.
Problem = tuple[KeyPath, str]

__all__ = ["BENCHMARKS", "mission_problems", "target_problems"]

#: Benchmark kinds a target rule accepts (the schema's enum says the same).
BENCHMARKS: tuple[str, ...] = ("top_quintile", "uk_median", "region_best_quartile", "level")


def _mapping(node: Any) -> Mapping[str, Any]:
    return node if isinstance(node, Mapping) else {}


def _date_problems(baseline: Any, path: KeyPath) -> Iterable[Problem]:
    before = _mapping(baseline).get("before")
    if before is None or isinstance(before, datetime.date):
        return
    try:
        datetime.date.fromisoformat(str(before))
    except ValueError:
        yield (*path, "before"), f"{before!r} is not a calendar date (YYYY-MM-DD)"


def mission_problems(missions: Mapping[str, Any]) -> list[Problem]:
    """Repeated mission numbers, headlines outside their mission, impossible baseline dates.

    >>> cfg = {"declared": [{"number": 1, "indicators": ["pay"], "tests": [{"test": "gap_narrows"}],
    ...                      "headline": {"indicator": "pay", "test": "rise_everywhere"}}],
    ...        "untested": [{"number": 1}]}
    >>> for path, what in mission_problems(cfg):
    ...     print(path, what)
    ('missions', 'declared', 0, 'headline', 'test') 'rise_everywhere' is not one of this mission's tests (gap_narrows)
    ('missions', 'untested', 0, 'number') mission 1 is declared twice (first at missions.declared[0])
    """
    problems: list[Problem] = []
    first: dict[Any, str] = {}
    add = problems.extend
    add(_date_problems(missions.get("baseline"), ("missions", "baseline")))
    for block in ("declared", "untested", "own_geography"):
        for i, mission in enumerate(missions.get(block) or ()):
            mission = _mapping(mission)
            path: KeyPath = ("missions", block, i)
            number = mission.get("number")
            if number in first:
                problems.append(
                    (
                        (*path, "number"),
                        f"mission {number} is declared twice (first at {first[number]})",
                    )
                )
            elif number is not None:
                first[number] = f"missions.{block}[{i}]"
            if block != "declared":
                continue
            add(_date_problems(mission.get("baseline"), (*path, "baseline")))
            for name, spec in _mapping(mission.get("baseline_overrides")).items():
                add(_date_problems(spec, (*path, "baseline_overrides", name)))
            head = _mapping(mission.get("headline"))
            own = [str(x) for x in mission.get("indicators") or ()]
            tests = [str(_mapping(t).get("test")) for t in mission.get("tests") or ()]
            if "indicator" in head and head["indicator"] not in own:
                problems.append(
                    (
                        (*path, "headline", "indicator"),
                        f"{head['indicator']!r} is not one of this mission's indicators "
                        f"({', '.join(own)})",
                    )
                )
            if "test" in head and head["test"] not in tests:
                problems.append(
                    (
                        (*path, "headline", "test"),
                        f"{head['test']!r} is not one of this mission's tests ({', '.join(tests)})",
                    )
                )
            if {"indicator", "test"} <= set(head) and head["test"] in tests:
                applies = [
                    t
                    for t in mission.get("tests") or ()
                    if _mapping(t).get("test") == head["test"]
                    and head["indicator"] in (_mapping(t).get("indicators") or own)
                ]
                if not applies:
                    problems.append(
                        (
                            (*path, "headline", "test"),
                            f"{head['test']!r} does not apply to {head['indicator']!r} "
                            "(its `indicators` leave it out)",
                        )
                    )
            add(_test_indicator_problems(mission, own, path))
    return problems


def _test_indicator_problems(
    mission: Mapping[str, Any], own: list[str], path: KeyPath
) -> Iterable[Problem]:
    """A test restricted to indicators outside its mission, or twice to one.

    >>> m = {"tests": [{"test": "level_reached", "indicators": ["g", "5g", "g"]}]}
    >>> for where, what in _test_indicator_problems(m, ["g", "4g"], ("m",)):
    ...     print(where, what)
    ('m', 'tests', 0, 'indicators', 1) '5g' is not one of this mission's indicators (g, 4g)
    ('m', 'tests', 0, 'indicators', 2) 'g' is listed twice
    """
    for j, test in enumerate(mission.get("tests") or ()):
        seen: set[str] = set()
        for k, name in enumerate(_mapping(test).get("indicators") or ()):
            where = (*path, "tests", j, "indicators", k)
            if name not in own:
                yield where, f"{name!r} is not one of this mission's indicators ({', '.join(own)})"
            elif name in seen:
                yield where, f"{name!r} is listed twice"
            seen.add(name)


def target_problems(targets: Mapping[str, Any]) -> list[Problem]:
    """Target rules whose benchmark and level disagree, or whose horizon differs.

    An override is checked as it is applied: laid over ``targets.default``.

    >>> cfg = {"default": {"benchmark": "top_quintile", "horizon": 2030},
    ...        "overrides": {"pay": {"level": 90, "horizon": 2035}}}
    >>> for path, what in target_problems(cfg):
    ...     print(path, what)
    ('targets', 'overrides', 'pay', 'level') a level is taken only by benchmark 'level' (this rule's benchmark is 'top_quintile')
    ('targets', 'overrides', 'pay', 'horizon') 2035 differs from targets.default.horizon (2030); la_targets has one target column, so set the horizon in targets.default only
    """
    problems: list[Problem] = []
    default = _mapping(targets.get("default"))
    rules: list[tuple[KeyPath, Mapping[str, Any], Mapping[str, Any]]] = [
        (("targets", "default"), default, default)
    ]
    for name, spec in _mapping(targets.get("overrides")).items():
        spec = _mapping(spec)
        rules.append((("targets", "overrides", name), spec, {**default, **spec}))
    for path, own, rule in rules:
        problems.extend(_date_problems(own.get("baseline"), (*path, "baseline")))
        benchmark = rule.get("benchmark")
        if benchmark == "level" and "level" not in rule:
            where = "benchmark" if "benchmark" in own else None
            problems.append(
                (
                    (*path, where) if where else path,
                    "benchmark 'level' needs a `level` (the stated value to reach)",
                )
            )
        elif benchmark != "level" and "level" in rule:
            where = "level" if "level" in own else "benchmark"
            problems.append(
                (
                    (*path, where),
                    f"a level is taken only by benchmark 'level' (this rule's benchmark is "
                    f"{benchmark!r})",
                )
            )
        if own is not default and "horizon" in own and own["horizon"] != default.get("horizon"):
            problems.append(
                (
                    (*path, "horizon"),
                    f"{own['horizon']} differs from targets.default.horizon "
                    f"({default.get('horizon')}); la_targets has one target column, so set the "
                    "horizon in targets.default only",
                )
            )
    return problems
