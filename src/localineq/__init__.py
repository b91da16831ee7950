"""localineq: how much of the inequality between UK places is invisible in regional averages."""

__version__ = "0.1.0"
