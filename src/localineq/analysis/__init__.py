"""Stage 4, analysis: the citable result tables, computed from the indicator exports.

``area_tables`` (regional gaps, masked authorities with their significance, best and worst
authorities), ``decomposition_tables`` (between/within splits per period, with the
sampling-noise correction), ``uncertainty_tables`` (bootstrap, permutation and
measurement-error checks), ``multilevel_tables`` (ICC), ``profile_tables`` (localisation
profiles over the ITL hierarchy and LSOA deprivation), ``neighbourhood_tables`` (the profile
down to neighbourhoods and each authority's internal spread) and ``spatial_tables`` (Moran's I,
LISA clusters). Each returns a DataFrame whose columns the codebook defines; none draws,
formats or writes, so a table job does not rerun when styling changes. Modules here may import
``localineq.config``, ``localineq.data``, ``localineq.stats`` and ``localineq.policy``, never
``localineq.outputs``: the output stage renders what is computed here.
"""
