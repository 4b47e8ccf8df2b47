"""Sweeps: run a method or a function over a grid of parameters and seeds, as a tidy table."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

EXECUTORS = ("serial",)


def expand_grid(grid):
    """A dict of lists becomes its Cartesian product; a list of dicts is taken as it is."""
    if isinstance(grid, dict):
        for key, values in grid.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
                raise TypeError(f"grid: the values of {key!r} must be a list")
        keys = list(grid)
        return [dict(zip(keys, combo)) for combo in itertools.product(*(list(grid[k]) for k in keys))]
    if isinstance(grid, (list, tuple)) and all(isinstance(g, dict) for g in grid):
        return [dict(g) for g in grid]
    raise TypeError("grid: expected a dict of lists or a list of dicts")


def _rows(out, cell, seed):
    """Rows of one run: a Result gives one row per checkpoint of its trace."""
    from ..result import Result

    label = {k: (getattr(v, "name", v) if not isinstance(v, (int, float, str, type(None))) else v)
             for k, v in cell.items()}
    if isinstance(out, Result):
        frame = out.trace.to_frame()
        for k, v in label.items():
            frame[k] = v if np.isscalar(v) or v is None else str(v)
        frame["seed"] = seed
        return frame.to_dict("records")
    if isinstance(out, pd.DataFrame):
        out = out.to_dict("records")
    if isinstance(out, dict):
        out = [out]
    return [{**r, "seed": r.get("seed", seed)} for r in out]


def sweep(fn_or_method, grid, seeds=(0,), executor="serial", address=None, n_jobs=-1, cache=None):
    """Run ``fn_or_method`` on every cell of ``grid`` and every seed; return a tidy DataFrame.

    Parameters
    ----------
    fn_or_method : callable or str
        A function ``fn(**cell, seed=seed)`` returning a Result, a dict, a list of dicts
        or a DataFrame; or a registered method name, in which case each cell holds a
        ``problem`` and the method's options, and each row is one checkpoint of the trace.
    grid : dict of lists, or list of dicts
    seeds : int or sequence of int
    executor : {"serial"}
        Where runs go; parallel executors are added by the experiments module.

    Returns
    -------
    pandas.DataFrame
        One row per run and checkpoint (or per row returned by ``fn``), with the cell's
        parameters and the seed as columns.
    """
    from .._validation import choose

    choose(executor, "executor", EXECUTORS)
    seeds = list(range(seeds)) if np.isscalar(seeds) else list(seeds)
    cells = expand_grid(grid)
    if isinstance(fn_or_method, str):
        from ..solve import solve

        method = fn_or_method

        def fn(problem, seed, **opts):
            return solve(problem, method, seed=seed, **opts)
    elif callable(fn_or_method):
        fn = fn_or_method
    else:
        raise TypeError("fn_or_method: expected a callable or a method name")
    rows = []
    for cell in cells:
        for seed in seeds:
            rows.extend(_rows(fn(**cell, seed=seed), cell, seed))
    return pd.DataFrame(rows)
