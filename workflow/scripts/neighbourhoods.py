"""Snakemake adapter: the small areas inside local authorities, prepared and tabulated.

English LSOAs with LAD23/ITL geography, population and deprivation (IoD2019); MSOA income and
Census 2021 LSOA shares, each placed in one LAD23; then the LSOA profile, the neighbourhood
profile, each LA's internal spread, the widest internal gaps and the noise correction.

One job instead of four (prepare_lsoa_deprivation, prepare_neighbourhoods, lsoa_profile_table,
neighbourhood_tables): a strict chain from the same lookups, each step a second or a few, about
half a second of it the start of a Python process with pandas. The outputs stay the four steps'
files, and each table step reads its input back from the file just written, so the results are
those of the separate jobs.
"""

import logging

import pandas as pd

from localineq.analysis.neighbourhood_tables import (
    internal_spread,
    neighbourhood_noise,
    neighbourhood_profile,
    widest_gaps,
)
from localineq.analysis.profile_tables import lsoa_profile
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv, to_parquet
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import (
    read_code_changes,
    read_iod_lsoa_lookup,
    read_iod_lsoa_population,
    read_mysociety_imd,
)
from localineq.data.neighbourhoods import lad19_to_lad23, lsoa_deprivation
from localineq.data.small_areas import (
    deprivation_long,
    msoa11_residents,
    msoa_lad23,
    neighbourhood_table,
    read_census_zip_member,
    read_lsoa21_lookup,
    read_msoa_lookup,
    read_small_area_income,
)


def _write(frame: pd.DataFrame, path: str) -> None:
    to_csv(frame, path, index=False, float_format="%.10g", lineterminator="\n")


def prepare_lsoa(smk, hierarchy: pd.DataFrame) -> None:
    """English LSOAs with LAD23/ITL geography, mid-2015 population and deprivation."""
    columns = smk.params.columns
    lookup = read_iod_lsoa_lookup(smk.input.file1, "imd2019_file1", columns["file1"])
    lad_map = lad19_to_lad23(
        lookup["lad19_code"],
        read_code_changes(
            smk.input.changes, smk.config["harmonisation"]["changes"], columns["changes"]
        ),
        hierarchy["area_code"],
        target_year=smk.params.target_year,
    )
    renamed = {k: v for k, v in lad_map.items() if k != v}
    logging.info("%d LAD19 codes; %d map to another LAD23 code", len(lad_map), len(renamed))
    table = lsoa_deprivation(
        read_mysociety_imd(smk.input.scores, "imd2019_scores_mysociety", columns["scores"]),
        lookup,
        read_iod_lsoa_population(smk.input.file6, "imd2019_file6", columns["file6"]),
        lad_map,
        hierarchy,
    )
    logging.info(
        "%d LSOAs in %d LAD23s, %.0f residents (mid-2015)",
        len(table),
        table["lad23_code"].nunique(),
        table["population"].sum(),
    )
    to_parquet(table, smk.output.lsoa, index=False)


def prepare_neighbourhoods(smk, hierarchy: pd.DataFrame) -> None:
    """MSOA income and Census 2021 LSOA shares, each placed in one LAD23."""
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    raw = dict(zip(smk.params.source_keys, smk.input.sources, strict=True))
    columns = {k: list(v) for k, v in smk.params.source_columns.items()}
    income = {
        spec["sheet"]: read_small_area_income(
            raw[spec["source"]], spec["sheet"], spec["source"], columns[spec["source"]]
        )
        for spec in specs.values()
        if spec["unit"] == "msoa11"
    }
    la_codes = sorted({c for sheet in income.values() for c in sheet["la_code"]})
    msoa_map = msoa_lad23(
        la_codes,
        dict(smk.params.recodes),
        read_code_changes(smk.input.changes),
        hierarchy["area_code"],
        target_year=smk.params.target_year,
    )
    logging.info(
        "%d published LA codes of the income file; %d recoded onto another LAD23 code",
        len(msoa_map),
        sum(k != v for k, v in msoa_map.items()),
    )
    residents_key = smk.params.residents_source
    residents = read_census_zip_member(
        raw[residents_key], "msoa", residents_key, columns[residents_key]
    )
    total = next(c for c in residents.columns if c.startswith("Total"))
    msoa_key = smk.params.msoa_lookup
    msoa_lookup = read_msoa_lookup(raw[msoa_key], msoa_key, columns[msoa_key])
    weights = msoa11_residents(msoa_lookup, residents.set_index("area_code")[total])
    census = {
        spec["source"]: read_census_zip_member(
            raw[spec["source"]], "lsoa", spec["source"], columns[spec["source"]]
        )
        for spec in specs.values()
        if spec["unit"] == "lsoa21"
    }
    table = neighbourhood_table(
        specs,
        income=income,
        census=census,
        lsoa_lookup=read_lsoa21_lookup(
            raw[smk.params.lsoa_lookup], smk.params.lsoa_lookup, columns[smk.params.lsoa_lookup]
        ),
        msoa_weights=weights,
        msoa_map=msoa_map,
        hierarchy=hierarchy,
    )
    for key, part in table.groupby("indicator", sort=False):
        logging.info(
            "%s: %d %s neighbourhoods in %d LAD23s, weight total %.0f",
            key,
            len(part),
            part["unit"].iloc[0],
            part["lad23_code"].nunique(),
            part["weight"].sum(),
        )
    to_parquet(table, smk.output.neighbourhoods, index=False)


def lsoa_profile_table(smk) -> None:
    """LSOA inequality split over ITL1 → ITL2 → ITL3 → LA → LSOA."""
    table = lsoa_profile(read_parquet(smk.output.lsoa), measures=smk.params.measures)
    within = table[table["level"] == "within lad23"]
    for row in within.itertuples(index=False):
        logging.info(
            "%s %s %s: %.1f%% within LAs",
            row.indicator,
            row.measure,
            row.weighting,
            100 * row.share,
        )
    _write(table, smk.output.lsoa_profile)


def neighbourhood_tables(smk, hierarchy: pd.DataFrame) -> None:
    """Neighbourhood profile, each LA's internal spread, widest internal gaps, noise."""
    table = pd.concat(
        [
            deprivation_long(read_parquet(smk.output.lsoa), smk.params.deprivation),
            read_parquet(smk.output.neighbourhoods),
        ],
        ignore_index=True,
    )
    profile = neighbourhood_profile(
        table, dict(smk.params.weight_basis), measures=smk.params.measures
    )
    within = profile[(profile["level"] == "within lad23") & (profile["measure"] == "theil_t")]
    for row in within.itertuples(index=False):
        logging.info(
            "%s (%d %s) %s: %.1f%% within LAs",
            row.indicator,
            row.n_units,
            row.unit,
            row.weighting,
            100 * row.share,
        )
    spread = internal_spread(table)
    names = dict(zip(hierarchy["area_code"], hierarchy["area_name"], strict=True))
    _write(profile, smk.output.profile)
    _write(spread, smk.output.spread)
    _write(widest_gaps(spread, names, n=smk.params.widest), smk.output.widest)
    noise = neighbourhood_noise(table, seed=int(smk.params.seed))
    _write(noise, smk.output.noise)
    logging.info("noise correction: %d rows", len(noise))


def main(smk) -> None:
    # Each step reads the (small) hierarchy afresh, as its own job did: no step sees a frame
    # another step might have changed.
    prepare_lsoa(smk, read_parquet(smk.input.hierarchy))
    prepare_neighbourhoods(smk, read_parquet(smk.input.hierarchy))
    lsoa_profile_table(smk)
    neighbourhood_tables(smk, read_parquet(smk.input.hierarchy))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
