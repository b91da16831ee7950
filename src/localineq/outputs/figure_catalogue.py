"""The catalogue of citable figures: stable paths, titles, captions and alt text.

:func:`figure_catalogue` is the single list of the pipeline's figures, used by the report, the
notebooks and the workflow's rules (which draw exactly the files it names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Specs = Mapping[str, Mapping[str, Any]]


#: Where figures live, relative to the repository root.
FIGURE_DIR = "results/figures"
#: Where the report lives, relative to the repository root.


@dataclass(frozen=True)
class FigureEntry:
    """One citable figure: stable stem under ``results/figures/``, title and caption."""

    key: str
    stem: str
    title: str
    caption: str
    indicator: str | None = None
    kind: str = "overview"
    alt: str = ""

    @property
    def png(self) -> str:
        """Repository-relative path of the PNG."""
        return f"{FIGURE_DIR}/{self.stem}.png"

    @property
    def svg(self) -> str:
        """Repository-relative path of the SVG."""
        return f"{FIGURE_DIR}/{self.stem}.svg"


def headline_indicators(config: Mapping[str, Any]) -> list[str]:
    """The configured headline indicators, checked against ``config["indicators"]``.

    Raises
    ------
    ValueError
        If a headline key is not a configured indicator.
    """
    figures = config.get("figures", {})
    headline = list(figures.get("headline") or [figures.get("headline_indicator")])
    unknown = [k for k in headline if k not in config["indicators"]]
    if unknown:
        raise ValueError(
            f"figures.headline lists {unknown}, which are not indicators in config; "
            f"known: {sorted(config['indicators'])}"
        )
    return headline


MAP_NOTE = (
    "ITL1 regional boundaries are overlaid in black; London is enlarged in the inset. "
    "Drawn on the British National Grid (EPSG:27700)."
)


def weight_phrase(spec: Mapping[str, Any], weight_bases: Mapping[str, Any] | None = None) -> str:
    """How an indicator's averages are weighted, in words.

    >>> weight_phrase({"weight": "working_age"}, {"working_age": {"description": "residents aged 16-64"}})
    'weighted by residents aged 16-64'
    >>> weight_phrase({"weight": "unweighted"})
    'unweighted'
    """
    basis = str(spec.get("weight", "population"))
    if basis == "unweighted":
        return "unweighted"
    description = dict((weight_bases or {}).get(basis) or {}).get("description")
    return f"weighted by {description or basis.replace('_', ' ')}"


MISSION_FIGURE = FigureEntry(
    key="mission_scorecard",
    stem="mission_scorecard",
    title="Levelling-Up missions tested by region and by local authority",
    caption=(
        "Each mission test of results/tables/mission_scorecard.csv on the same data through two "
        "lenses: ITL1 regions (ONS's published regional rows; the weighted mean of their local "
        "authorities only where none is published) and local authorities (upper-tier areas for "
        "healthy life expectancy). Colour is the verdict against the deadline (2030; 2035 for "
        "healthy life expectancy): dark blue met, light blue on course, orange off course by an "
        "OLS trend projected to the deadline, grey no data; nothing reads failed before the "
        "deadline. Cells then give the areas short so far "
        "(of them significantly, where 95% intervals are published) or, for gap tests, "
        "the gap at baseline and latest (for money and rates the ratio of the top group's mean "
        "to the rest's, the top group named by count in the table). Money in real terms (CPI, "
        "2025 prices). Baseline: the latest period published before the "
        "White Paper (2 February 2022)."
    ),
    alt="Grid of mission tests with the regional and local verdicts side by side.",
)


def units_phrase(spec: Mapping[str, Any]) -> tuple[str, str]:
    """Singular and plural names of an indicator's units of analysis.

    >>> units_phrase({})
    ('local authority', 'local authorities')
    >>> units_phrase({"tier": "upper"})[1]
    'upper-tier authorities in England, local authorities elsewhere'
    """
    if spec.get("tier", "lad") == "upper":
        return (
            "upper-tier authority in England, local authority elsewhere",
            "upper-tier authorities in England, local authorities elsewhere",
        )
    return "local authority", "local authorities"


def figure_catalogue(
    specs: Specs,
    headline: Sequence[str],
    weight_bases: Mapping[str, Any] | None = None,
    *,
    missions: bool = False,
) -> list[FigureEntry]:
    """All figures the pipeline publishes, in report order.

    Four overview figures across every indicator, the mission scorecard (when ``missions``),
    then for each headline indicator a choropleth, a map of the gap to its region and a dot
    plot by region, and last a LISA cluster map per headline indicator (shown in the report's
    spatial section). ``weight_bases`` (config) words the weighting in captions.
    """
    entries = [
        FigureEntry(
            key="shares",
            stem="between_within_shares",
            title="Between- and within-region shares of inequality, by indicator",
            caption=(
                "Share of the inequality between areas (Theil T weighted by each indicator's "
                "weight basis, latest period) that lies between ITL1 regions (dark) and within "
                "them (light). Indicators cover different nations and so different numbers of "
                "regions (UK 12, GB 11, England and Wales 10, England 9): the bars are grouped by "
                "coverage and each label names it. Black segments: 95% confidence intervals (BCa "
                "bootstrap, areas resampled within regions). Orange diamonds: the unweighted "
                "between share, counting every area once. Green circles: the between share of "
                "the signal, net of the sampling error ONS publishes as 95% intervals (survey "
                "indicators only; SIMEX), with its bootstrap interval as a green line along the "
                "bar's upper edge. Areas are local authorities, except "
                "for healthy life expectancy (upper-tier authorities in England, local "
                "authorities elsewhere)."
            ),
            alt="Horizontal bars, one per indicator, split into between-region and within-region shares.",
        ),
        FigureEntry(
            key="trend",
            stem="within_share_trend",
            title="The within-region share over time",
            caption=(
                "Share of the inequality between areas (Theil T) that lies within ITL1 regions, "
                "for every published period of each indicator; each panel names the nations "
                "covered and the number of regions. Solid: weighted by the indicator's weight "
                "basis, dashed: unweighted. Indicators with fewer than three periods are drawn as "
                "points with a note, not as a trend."
            ),
            alt="Small multiple line charts of the within-region share over time, one per indicator.",
        ),
        FigureEntry(
            key="profile",
            stem="localisation_profile",
            title="Localisation profile: ITL1 → ITL2 → ITL3 → local authority",
            caption=(
                "Nested decomposition of Theil T (latest period, weighted): the part between ITL1 "
                "regions, between ITL2 areas inside regions, between ITL3 areas inside ITL2 and "
                "between local authorities inside ITL3. The four parts add up to 100%. "
                "Indicators published for upper-tier areas are not shown."
            ),
            alt="Stacked horizontal bars of the share of inequality at each geographic level.",
        ),
        FigureEntry(
            key="neighbourhood_profile",
            stem="neighbourhood_profile",
            title=(
                "Neighbourhoods: deprivation, income, health and class, ITL1 → ITL2 → ITL3 → LA "
                "→ neighbourhood"
            ),
            caption=(
                "Nested decomposition of Theil T between neighbourhoods: the IMD 2019 score and "
                "income-deprivation rate (32,844 LSOAs 2011, England), net household income "
                "before and after housing costs (7,201 MSOAs 2011, England and Wales, financial "
                "year ending 2020) and, from Census 2021, the shares of residents in bad or very "
                "bad health and in NS-SeC classes 1-2 and 7-8 (35,672 LSOAs 2021, England and "
                "Wales). Segments: between ITL1 regions, ITL2 areas, ITL3 areas, local "
                "authorities (LAD23), and between neighbourhoods inside the same local authority "
                "(last segment). Population-weighted (mid-2015 residents; the census tables' own "
                "totals; Census 2021 residents of each MSOA for income, which has no household "
                "count) and unweighted; each bar adds up to 100%. Income estimates are not "
                "corrected for their sampling error. Sources: MHCLG English Indices of "
                "Deprivation 2019; ONS small-area income estimates; ONS Census 2021 TS037 and "
                "TS062; Open Government Licence v3.0."
            ),
            alt="Stacked horizontal bars of the share of inequality between neighbourhoods at each level.",
        ),
    ]
    if missions:
        entries.append(MISSION_FIGURE)
    for key in headline:
        spec = specs[key]
        title = str(spec["title"])
        one, many = units_phrase(spec)
        polarity = "higher is better" if spec["higher_is_better"] else "lower is better"
        weighted = weight_phrase(spec, weight_bases)
        entries += [
            FigureEntry(
                key=f"map_{key}",
                stem=f"map_{key}",
                indicator=key,
                kind="map",
                title=f"{title}: map by {one}" if one == "local authority" else f"{title}: map",
                caption=(
                    f"{title} ({spec['unit']}; {polarity}) by area ({many}), latest period, in "
                    f"five quantile classes on the colour-blind-safe cividis palette (darker = worse). "
                    f"Hatched grey: no published value. {MAP_NOTE}"
                ),
                alt=f"Choropleth map of {title} by area ({many}).",
            ),
            FigureEntry(
                key=f"gap_map_{key}",
                stem=f"gap_map_{key}",
                indicator=key,
                kind="gap_map",
                title=f"{title}: gap to own region",
                caption=(
                    f"{title}: each area's value minus its ITL1 region's reference "
                    f"({spec['unit']}; areas are {many}), latest period. The reference is the "
                    f"regional average ({weighted}), or the population-weighted median where a "
                    "few extreme areas would pull the average (config.yaml: reference); the "
                    f"map's subtitle names which. Blue: better than its own region, red: worse "
                    f"({polarity}); classes are symmetric around zero. {MAP_NOTE}"
                ),
                alt=f"Diverging map of each area's gap to its regional reference, {title}.",
            ),
            FigureEntry(
                key=f"dotplot_{key}",
                stem=f"dotplot_{key}",
                indicator=key,
                kind="dotplot",
                title=f"{title}: {many} by region",
                caption=(
                    f"{title}: each dot is one area ({one}; latest period); orange bars "
                    f"are regional averages ({weighted}) and the dashed line the UK "
                    "average. The spread of dots inside a region is what its average hides."
                ),
                alt=f"Dot plot of {many} by region, {title}.",
            ),
        ]
    # The LISA cluster maps follow all per-indicator figures: the report shows them together
    # in its spatial section, after the findings.
    for key in headline:
        spec = specs[key]
        title = str(spec["title"])
        polarity = "higher is better" if spec["higher_is_better"] else "lower is better"
        entries.append(
            FigureEntry(
                key=f"lisa_map_{key}",
                stem=f"lisa_map_{key}",
                indicator=key,
                kind="lisa_map",
                title=f"{title}: where lagging places cluster",
                caption=(
                    f"Local Moran's I (LISA) class of each area for “{title}”, latest period "
                    f"({polarity}). Dark red: a lagging cluster (a worse-off area among worse-off "
                    "neighbours); light red: a worse-off area among better-off ones; blue: the "
                    "same for leading areas. Queen contiguity (islands joined to their nearest "
                    "areas), conditional permutations, significance after Benjamini-Hochberg "
                    f"false discovery rate control. {MAP_NOTE}"
                ),
                alt=f"Map of local clusters of lagging and leading areas, {title}.",
            )
        )
    return entries
