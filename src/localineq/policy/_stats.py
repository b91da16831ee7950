"""The statistics the policy tests reuse, from :mod:`localineq.stats`.

One import point, so the policy modules do not depend on where a measure lives inside the
stats subpackage (``weighted_quantile`` in ``stats.dispersion``; ``sigma_convergence`` and
``beta_convergence`` in ``stats.convergence``).
"""

from __future__ import annotations

from localineq.stats.convergence import beta_convergence, sigma_convergence
from localineq.stats.dispersion import weighted_quantile

__all__ = ["beta_convergence", "sigma_convergence", "weighted_quantile"]
