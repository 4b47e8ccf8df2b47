"""Sweeps: run a method or a function over a grid of parameters and seeds, as a tidy table.

One call covers seeds x horizons x step sizes x methods, serially, on local processes
(joblib's loky) or on a Dask cluster, with results cached on disk so that a killed sweep
resumes where it stopped.  Workers never oversubscribe the cores: each runs with BLAS and
the compiled kernels limited to ``threads_per_worker`` threads (threadpoolctl; the kernels'
default ``n_threads`` follows that limit).
"""
from __future__ import annotations

import inspect
import itertools
import os
from functools import partial

import numpy as np
import pandas as pd

from .._validation import as_int, choose
from .cache import resolve as resolve_cache

EXECUTORS = ("serial", "loky", "dask")
#: Arrays and problems above this many bytes are scattered to Dask workers once.
SCATTER_BYTES = 1 << 20


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


def _label(value):
    if isinstance(value, (int, float, str, bool, type(None), np.integer, np.floating)):
        return value
    return getattr(value, "name", None) or getattr(value, "id", None) or str(value)


def rows_of(out, cell, seed):
    """Rows of one run: a Result gives one row per checkpoint of its trace."""
    from ..result import Result

    label = {k: _label(v) for k, v in cell.items() if not isinstance(v, (list, tuple, np.ndarray, dict))}
    if isinstance(out, Result):
        frame = out.trace.to_frame()
        for k, v in label.items():
            frame[k] = v
        frame["seed"] = seed
        return frame.to_dict("records")
    if isinstance(out, pd.DataFrame):
        out = out.to_dict("records")
    if isinstance(out, dict):
        out = [out]
    if not isinstance(out, list):
        raise TypeError("fn_or_method: the function must return a Result, a dict, a list of dicts or a DataFrame")
    return [{**label, **r, "seed": r.get("seed", seed)} for r in out]


def run_method(method, problem, seed, **options):
    """A task that solves ``problem`` with a registered method (picklable, for workers)."""
    from ..solve import solve

    return solve(problem, method, seed=seed, **options)


def _task(fn, cell, seed, threads):
    """One run in a worker: threads pinned, rows returned (small), nothing else."""
    if threads is None:
        return rows_of(fn(**cell, seed=seed), cell, seed)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        return rows_of(fn(**cell, seed=seed), cell, seed)


def _check_parameters(fn, method, cells):
    """Refuse grid parameters that the function or method does not take, listing those it does."""
    if method is not None:
        from ..registry import get_method

        target = get_method(method).func
        allowed = set(inspect.signature(target).parameters) - {"problem", "options"}
        allowed |= {"problem", "x0", "steps", "max_time", "backend", "n_threads", "callback", "record", "output",
                    "grad_tol", "gap_tol", "progress"}
    else:
        sig = inspect.signature(fn)
        if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            return
        allowed = set(sig.parameters)
    allowed.discard("seed")
    for cell in cells:
        unknown = set(cell) - allowed
        if unknown:
            raise ValueError(f"grid: unknown parameter(s) {sorted(unknown)}; valid: {', '.join(sorted(allowed))}")
    if method is not None and cells and any("problem" not in c for c in cells):
        raise ValueError("grid: sweeping a method needs a 'problem' in every cell")


def _seeds(seeds):
    """A list of seeds from a count or a sequence of nonnegative integers (a ValueError/TypeError naming ``seeds``)."""
    from .._validation import as_int

    if isinstance(seeds, (str, bytes)) or seeds is None:
        raise TypeError(f"seeds: expected a number of seeds or a sequence of integer seeds, got {type(seeds).__name__}")
    if np.isscalar(seeds):
        return list(range(as_int(seeds, "seeds", minimum=1)))
    out = [as_int(s, "seeds", minimum=0, maximum=2**64 - 1) for s in seeds]
    if not out:
        raise ValueError("seeds: is empty")
    return out


def sweep(fn_or_method, grid, seeds=(0,), executor="serial", address=None, n_jobs=-1, cache=None, progress=None,
          threads_per_worker=None):
    """Run ``fn_or_method`` on every cell of ``grid`` and every seed; return a tidy DataFrame.

    Parameters
    ----------
    fn_or_method : callable or str
        A function ``fn(**cell, seed=seed)`` returning a Result, a dict, a list of dicts or a
        DataFrame; or a registered method name, in which case each cell holds a ``problem``
        and the method's options, and each row is one checkpoint of the trace.  Functions run
        on ``loky``/``dask`` must be importable (defined at module level).
    grid : dict of lists, or list of dicts
    seeds : int or sequence of int
    executor : {"serial", "loky", "dask"}
        Where runs go (``backend``, the kernel inside a run, may be a grid parameter).
    address : str, optional
        Scheduler of an existing Dask cluster; without it a ``LocalCluster`` is started
        (``n_jobs`` worker processes on loopback) and closed afterwards.
    n_jobs : int
        Worker processes for ``loky`` and the local Dask cluster (-1: all cores).
    cache : None, True, path or Cache
        Reuse results stored on disk (see :mod:`pyoptheory.experiments.cache`); off by default.
    progress : None or bool
        A tqdm bar (None: only in a terminal).
    threads_per_worker : int, optional
        BLAS and kernel threads of each run; default ``cores // workers`` for parallel
        executors, unlimited for ``serial``.

    Returns
    -------
    pandas.DataFrame
        One row per run and checkpoint (or per row returned by ``fn``), with the cell's
        parameters and the seed as columns, in grid order.
    """
    choose(executor, "executor", EXECUTORS)
    seeds = _seeds(seeds)
    cells = expand_grid(grid)
    method = None
    if isinstance(fn_or_method, str):
        method = fn_or_method
        fn = partial(run_method, method)
    elif callable(fn_or_method):
        fn = fn_or_method
    else:
        raise TypeError("fn_or_method: expected a callable or a method name")
    _check_parameters(fn_or_method if method is None else None, method, cells)
    cores = os.cpu_count() or 1
    n_jobs = cores if n_jobs in (-1, None) else as_int(n_jobs, "n_jobs", minimum=1)
    if threads_per_worker is None and executor != "serial":
        threads_per_worker = max(1, cores // n_jobs)
    elif threads_per_worker is not None:
        threads_per_worker = as_int(threads_per_worker, "threads_per_worker", minimum=1)
    store = resolve_cache(cache)
    tasks = [(cell, seed) for cell in cells for seed in seeds]
    keys = [store.key(fn, cell, seed) if store is not None else None for cell, seed in tasks]
    results = [store.get(k) if store is not None else None for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    from ..methods._driver import progress_bar

    bar = progress_bar(progress, len(tasks), getattr(fn_or_method, "__name__", str(fn_or_method)), delay=0.0)
    bar.update(len(tasks) - len(todo))

    def done(i, rows):
        results[i] = rows
        if store is not None:
            store.put(keys[i], rows)
        bar.update(1)

    try:
        if executor == "serial":
            for i in todo:
                done(i, _task(fn, *tasks[i], threads_per_worker))
        elif executor == "loky":
            _run_loky(fn, tasks, todo, n_jobs, threads_per_worker, done)
        else:
            _run_dask(fn, tasks, todo, address, n_jobs, threads_per_worker, done)
    finally:
        bar.close()
    return pd.DataFrame([row for rows in results for row in rows])


def _run_loky(fn, tasks, todo, n_jobs, threads, done):
    from joblib import Parallel, delayed

    if not todo:
        return
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
    jobs = (delayed(_indexed)(i, fn, *tasks[i], threads) for i in todo)
    for i, rows in parallel(jobs):
        done(i, rows)


def _indexed(i, fn, cell, seed, threads):
    return i, _task(fn, cell, seed, threads)


def connect(address=None, n_jobs=2, threads_per_worker=1, timeout=5):
    """A Dask client: to ``address`` (a clear error within ``timeout`` seconds when unreachable), or
    to a new ``LocalCluster`` of ``n_jobs`` worker processes on loopback.  Returns ``(client, cluster)``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is in the [dask] and [test] extras
        raise ImportError("executor: 'dask' needs dask.distributed: pip install 'pyoptheory[dask]'") from None
    if address is not None:
        try:
            return Client(address, timeout=f"{timeout}s"), None
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"address: no Dask scheduler reachable at {address!r} within {timeout} s "
                                  f"({type(exc).__name__})") from None
    cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    return Client(cluster), cluster


def _run_dask(fn, tasks, todo, address, n_jobs, threads, done):
    from dask.distributed import as_completed

    if not todo:
        return
    client, cluster = connect(address, n_jobs=n_jobs)
    try:
        scattered = {}

        def ship(value):
            """Large problems and arrays go to the workers once, not with every task."""
            big = (getattr(value, "nbytes", 0) > SCATTER_BYTES or _problem_bytes(value) > SCATTER_BYTES)
            if not big:
                return value
            if id(value) not in scattered:
                scattered[id(value)] = client.scatter(value, broadcast=True)
            return scattered[id(value)]

        futures = {}
        for i in todo:
            cell, seed = tasks[i]
            shipped = {k: ship(v) for k, v in cell.items()}
            futures[client.submit(_indexed, i, fn, shipped, seed, threads, pure=False)] = i
        for future in as_completed(futures):
            i, rows = future.result()
            done(i, rows)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _problem_bytes(value):
    from ..problems.base import Problem

    if not isinstance(value, Problem):
        return 0
    return sum(getattr(v, "nbytes", 0) for v in vars(value).values()) + _problem_bytes(getattr(value, "base", None))
