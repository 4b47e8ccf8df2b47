"""Experiments: sweeps over grids and seeds (serial, joblib or Dask), a disk cache, and the
registry of paper figures."""
from .cache import Cache
from .sweep import connect, expand_grid, sweep

__all__ = ["sweep", "expand_grid", "connect", "Cache"]
