"""Figure 1's noise-corrected marks: the between share of the signal, net of sampling noise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

CORRECTED_COLOUR = "#1a9850"


def draw_corrected_shares(ax: plt.Axes, data: pd.DataFrame, positions: np.ndarray) -> None:
    """Green circle (signal's between share) and its interval along the bar's upper edge."""
    share = 100 * data["between_share_corrected"].to_numpy(dtype="float64")
    ok = np.isfinite(share)
    if not ok.any():
        return
    lower = 100 * data["between_share_corrected_lower"].to_numpy(dtype="float64")
    upper = 100 * data["between_share_corrected_upper"].to_numpy(dtype="float64")
    has = ok & np.isfinite(lower) & np.isfinite(upper)
    # Clipped to the axis: an interval of a noisy signal can reach past 0% or 100%.
    ax.hlines(
        positions[has] + 0.24,
        np.clip(lower[has], 0, 100),
        np.clip(upper[has], 0, 100),
        color=CORRECTED_COLOUR,
        lw=1.0,
    )
    ax.scatter(
        np.clip(share[ok], 0, 100),
        positions[ok],
        marker="o",
        s=30,
        color=CORRECTED_COLOUR,
        edgecolor="white",
        linewidth=0.6,
        zorder=4,
        label="Between regions, net of sampling noise (signal; green line: 95% bootstrap interval)",
    )
