"""The mission scorecard figure: regional and local verdicts side by side, per mission.

The report's mission section (:mod:`localineq.outputs.report.missions`) words the same
verdicts with :data:`TEST_LABELS` and :data:`COURSE_WORDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from localineq.policy.geo_missions import GEO_TESTS
from localineq.policy.scorecard import default_basis

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

__all__ = [
    "COURSE_WORDS",
    "TEST_LABELS",
    "VERDICT_COLOURS",
    "scorecard_cell_text",
    "scorecard_figure",
]

#: Verdict fill colours against the deadline (colour-blind safe: blues met and on course,
#: orange off course, grey no data). Nothing is "failed" before its deadline.
VERDICT_COLOURS = {
    "met": "#2c7bb6",
    "on_course": "#abd9e9",
    "off_course": "#e66101",
    "no_data": "#d9d9d9",
}
COURSE_WORDS = {"met": "met", "on_course": "on course", "off_course": "off course"}
TEST_LABELS = {
    "rise_everywhere": "rose everywhere",
    "gap_narrows": "gap narrowed",
    "level_reached": "level reached",
    "worst_improve_by": "worst tenth up by target",
    "trajectory": "on course for target",
    "outside_gse_rise_by": "sum outside the Greater South East up by target",
    "worst_fall_more": "fell, most in the worst-affected tenth",
    "devolution_coverage": "share in a combined authority (level)",
    "none": "no metric tested",
}
MISSIONS_SOURCE = (
    "Missions: Levelling Up the United Kingdom, HM Government, 2 Feb 2022. Data: ONS Explore "
    "Local Statistics; ONS population estimates; ONS CPI (D7BT) for real terms. Open Government "
    "Licence v3.0."
)


def _num(x: float) -> str:
    """Compact number: thousands separators from 1,000 up, else three significant figures.

    >>> _num(9360.29), _num(0.1357)
    ('9,360', '0.136')
    """
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def scorecard_cell_text(row: pd.Series) -> str:
    """Short text of one scorecard cell: the deadline verdict, then the count so far.

    >>> scorecard_cell_text(pd.Series({"test": "rise_everywhere", "verdict": "off_course",
    ...     "met_so_far": "not_met", "deadline": 2030,
    ...     "n_areas": 361, "n_met": 348, "n_failed": 13, "n_no_data": 0,
    ...     "n_failed_significant": pd.NA, "gap_baseline": float("nan"),
    ...     "gap_latest": float("nan")}))
    'off course for 2030; so far 13 of 361 short'
    """
    verdict = str(row["verdict"])
    q1 = row.get("quantity_latest", float("nan"))
    own = row["test"] in GEO_TESTS
    if row["test"] == "none" or (own and verdict == "no_data" and pd.isna(q1)):
        # the reason's head: "not published below region: ONS publishes ..." fits a cell
        return str(row.get("verdict_reason", "no metric")).split(":")[0][:48]
    so_far = str(row.get("met_so_far", verdict))
    deadline = row.get("deadline")
    head = COURSE_WORDS.get(verdict, "no trend")
    if verdict in ("on_course", "off_course") and pd.notna(deadline):
        head += f" for {int(deadline)}"
    if own:
        q0 = row.get("quantity_baseline", float("nan"))
        return f"{head}; {_num(q0)} → {_num(q1)}" if pd.notna(q0) else f"{head}; level {_num(q1)}"
    if so_far == "no_data":
        return f"{head}; no data"
    if row["test"] == "gap_narrows" or (row["test"] == "worst_improve_by" and row["n_areas"] <= 1):
        return f"{head}; {_num(row['gap_baseline'])} → {_num(row['gap_latest'])}"
    n_with = int(row["n_met"]) + int(row["n_failed"])
    if not row["n_failed"]:
        return f"{head}; so far all {n_with}"
    sig = row["n_failed_significant"]
    sig_txt = f" ({int(sig)} sig.)" if pd.notna(sig) else ""
    return f"{head}; so far {int(row['n_failed'])} of {n_with} short{sig_txt}"


def scorecard_figure(table: pd.DataFrame, titles: Mapping[str, str] | None = None) -> plt.Figure:
    """Grid of verdicts: one line per mission × indicator × test, regional and local side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        ``results/tables/mission_scorecard.csv``.
    titles : mapping, optional
        Short indicator names (indicator key → label); defaults to the keys.

    Returns
    -------
    matplotlib.figure.Figure
    """
    titles = dict(titles or {})
    table = default_basis(table)  # real terms for money; nominal rows are a sensitivity
    keys = list(
        dict.fromkeys(
            zip(
                table["mission"],
                table["mission_name"],
                table["indicator"],
                table["test"],
                strict=True,
            )
        )
    )
    by_key = {(r.mission, r.indicator, r.test, r.lens): r for r in table.itertuples(index=False)}
    lines: list[tuple] = []
    seen: set[int] = set()
    for key in keys:
        if key[0] not in seen:
            seen.add(key[0])
            lines.append(("header", key[0], key[1]))
        lines.append(key)
    n = len(lines)
    # Drawing libraries only here: the report reads this module's text helpers and need not
    # start matplotlib (about half a second).
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    from localineq.outputs.figures import add_source_note

    fig, ax = plt.subplots(figsize=(11.5, 0.3 * n + 1.2))
    ax.set_xlim(-1.6, 2.5)
    ax.set_ylim(n, -1.0)
    ax.axis("off")
    for x, text in ((0.5, "By region (ITL1)"), (1.5, "By local authority")):
        ax.text(x, -0.5, text, ha="center", va="center", fontsize=9, weight="bold")
    for i, line in enumerate(lines):
        if line[0] == "header":
            ax.text(
                -1.6,
                i + 0.6,
                f"Mission {line[1]}: {line[2]}",
                ha="left",
                va="center",
                fontsize=8.5,
                weight="bold",
            )
            ax.plot([-1.6, 2.5], [i + 0.05, i + 0.05], color="0.7", lw=0.6)
            continue
        mission, _name, indicator, test = line
        label = f"{titles.get(indicator, indicator)}: {TEST_LABELS.get(test, test)}"
        basis = by_key.get((mission, indicator, test, "regional"))
        if basis is not None and str(basis.price_basis).startswith("real"):
            label += " (real)"
        ax.text(-0.03, i + 0.5, label, ha="right", va="center", fontsize=7.5)
        for j, lens in enumerate(("regional", "local")):
            row = by_key.get((mission, indicator, test, lens))
            if row is None:
                continue
            s = pd.Series(row._asdict())
            colour = VERDICT_COLOURS.get(str(s["verdict"]), "#ffffff")
            ax.add_patch(Rectangle((j + 0.02, i + 0.08), 0.96, 0.84, color=colour, lw=0))
            text_colour = "white" if s["verdict"] in ("met", "off_course") else "black"
            ax.text(
                j + 0.5,
                i + 0.5,
                scorecard_cell_text(s),
                ha="center",
                va="center",
                fontsize=7,
                color=text_colour,
            )
    handles = [Patch(color=c, label=k.replace("_", " ")) for k, c in VERDICT_COLOURS.items()]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.6, 0.0),
        ncol=4,
        fontsize=7.5,
        frameon=False,
    )
    ax.set_title(
        "Levelling-Up missions tested by region and by local authority", fontsize=11, loc="left"
    )
    add_source_note(ax, MISSIONS_SOURCE, offset=-22)
    return fig
