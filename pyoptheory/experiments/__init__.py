"""Experiments: sweeps over grids and seeds, and the registry of paper figures."""
from .sweep import expand_grid, sweep

__all__ = ["sweep", "expand_grid"]
