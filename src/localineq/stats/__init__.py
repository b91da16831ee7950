"""Stage 2, statistics: pure measures of inequality and their uncertainty.

``dispersion`` (single-number measures), ``decomposition`` (between/within splits and nested
profiles), ``multilevel`` (ICC), ``convergence`` (sigma and beta), and the simulation methods
``permutation``, ``bootstrap`` and ``measurement_error`` (sharing ``_simulation``),
``noise_correction`` (shares of the signal net of published sampling error), and
``spatial`` (spatial weights, Moran's I and LISA with PySAL's esda/libpysal). Functions
take arrays and return numbers or small result objects; they know nothing of files, regions'
names or indicators. Modules here import only each other and ``localineq.config``, never ``localineq.data``,
``localineq.policy`` or ``localineq.outputs``.
"""
