"""``solve``: the one entry point that runs any registered method on any problem."""
from __future__ import annotations

from .problems.base import Problem
from .registry import get_method


def solve(problem, method, **options):
    """Run ``method`` (a registered name, see :func:`pyoptheory.methods`) on ``problem``.

    Parameters
    ----------
    problem : pyoptheory.problems.Problem
    method : str
    **options
        The method's options; shared by all: ``x0``, ``steps``, ``max_time``,
        ``seed``, ``backend``, ``n_threads``, ``callback``, ``record``,
        ``output``, ``grad_tol``, ``gap_tol``.

    Returns
    -------
    Result
    """
    spec = get_method(method)
    if not isinstance(problem, Problem):
        raise TypeError(f"problem: expected a pyoptheory problem, got {type(problem).__name__}")
    if problem.kind not in spec.accepts:
        raise ValueError(f"problem: method {spec.name!r} accepts problems of kind {', '.join(spec.accepts)}; "
                         f"{problem.name!r} is {problem.kind!r}")
    backend = options.get("backend")
    if backend is not None:
        if not isinstance(backend, str):
            raise TypeError(f"backend: expected a backend's name (a string), got {type(backend).__name__}")
        if backend not in spec.backends:
            raise ValueError(f"backend: method {spec.name!r} has no {backend!r} backend; available: "
                             f"{', '.join(spec.backends)}")
    return spec.func(problem, **options)
