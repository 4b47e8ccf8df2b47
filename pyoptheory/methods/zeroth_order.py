r"""Zeroth-order methods with Gaussian smoothing (Nesterov & Spokoiny, "Random gradient-free minimization of
convex functions", FoCM 2017; catalogue first-order.md 5.1).

Each step draws ``u_k ~ N(0, I)`` and uses the forward estimate ``g_k = (f(x_k + s u_k) - f(x_k))/s u_k`` of the
gradient of the smoothed ``f_s(x) = E f(x + s u)`` (``s`` = ``smoothing``), two function values and no gradient:

``zo_rgf`` (RG_s, smooth convex ``f``)
    ``x_{k+1} = prox_{h g}(x_k - h g_k)`` with ``h = 1/(4(n + 4)L)``; the average of ``x_0 .. x_N`` by default
    (theorem ``zo_rgf.smooth.average``).
``zo_gd`` (gradient descent on the coordinate-wise estimate CGE, smooth, possibly nonconvex ``f``)
    ``x_{k+1} = x_k - h g_k``, ``g_k = sum_i (f(x_k + s e_i) - f(x_k))/s e_i`` (``d + 1`` values), ``h = 1/L``
    (theorem ``zo_gd.cge``; the trace's ``grad_norm_min`` is measured with the true gradient, which the
    step never uses).
``zo_random_search`` (RS_s, nonsmooth convex ``f``, ``L_0``-Lipschitz, on a set with a projection)
    ``x_{k+1} = P(x_k - h g_k)`` with ``h = R/((n + 4) L_0 sqrt(N + 1))``, ``R >= ||x_0 - x*||``; the
    step-weighted average (theorem ``zo_random_search.nonsmooth``).

The directions are drawn from ``numpy.random.default_rng(seed)`` in Python per chunk and handed to every
backend (the C++ kernel evaluates the built-in linear models at the two points itself).  The trace's ``fevals``
counts function values (two per step); ``grad_evals`` stays 0.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_scalar
from ..kernels import layout as K
from ..registry import register
from ._driver import AVERAGED, Plan, averaging_weights, common_options, run, start_distance
from ._reference import select_kernel

BACKENDS = ("numpy", "cpp")


class GaussianDirections:
    """The driver's source of randomness for the gradient-free step: ``u_k ~ N(0, I)`` as the noise rows."""

    batch_size = None

    def __init__(self, dim):
        self.dim = dim

    def draw(self, rng, m):
        return np.zeros((0, 1), dtype=np.int64), rng.standard_normal((m, self.dim))

    def draws_per_step(self):
        return self.dim


def _run_gaussian(problem, name, step, default_step, smoothing, output, backend, options):
    """The shared run: ``step`` given, or ``default_step(common_options)``."""
    smoothing = as_scalar(smoothing, "smoothing", positive=True)
    common = common_options(problem, output=output, **options)
    step = as_scalar(step, "step", positive=True) if step is not None else default_step(common)
    n = common["steps"]
    seq = np.array([step])
    avg_w = averaging_weights(common["output"], n, seq) if common["output"] in AVERAGED else None
    kernel, backend = select_kernel(problem, backend)
    plan = Plan(problem=problem, method=name, code=K.ZO_GAUSS, step_seq=seq, avg_w=avg_w, eta=smoothing,
                stochastic=GaussianDirections(problem.dim), **common)
    return run(plan, kernel, backend)


@register("zo_rgf", accepts=("smooth", "composite", "constrained"), backends=BACKENDS,
          theorem="zo_rgf.smooth.average")
def zo_rgf(problem, *, step=None, smoothing=1e-4, output="uniform", backend=None, **options):
    r"""Random gradient-free method RG_s for smooth convex ``f`` (Nesterov & Spokoiny 2017, section 5).

    Algorithm
        ``x_{k+1} = prox_{h g}(x_k - h (f(x_k + s u_k) - f(x_k))/s u_k)``, ``u_k ~ N(0, I_n)``.
    Parameters
        ``step`` ``h`` (default ``1/(4(n + 4)L)``), ``smoothing`` ``s`` (default
        1e-4: the theorem holds for any ``s >= 0`` with the floor ``9 s^2 (n + 4)^2 L/25``, while the finite
        difference carries a rounding error of about ``1e-16 |f| / s``: at 1e-6 the compiled and NumPy
        backends, whose sums round differently, drift apart by 1e-10 relative in 40 steps), ``output``
        (default ``uniform``: the average of ``x_0 .. x_N`` for ``steps = N + 1``).
    Guarantee
        ``(1/(N+1)) sum_{k<=N} E f(x_k) - f* <= 4(n + 4)L ||x_0 - x*||^2/(N + 1) + 9 s^2 (n + 4)^2 L/25``
        (theorem ``zo_rgf.smooth.average``; by convexity it bounds ``E f(xbar) - f*`` too).
    """
    def default_step(common):
        return 1.0 / (4 * (problem.dim + 4) * problem.constants["L"])

    return _run_gaussian(problem, "zo_rgf", step, default_step, smoothing, output, backend, options)


@register("zo_random_search", accepts=("nonsmooth", "nonsmooth_constrained"), backends=BACKENDS,
          theorem="zo_random_search.nonsmooth")
def zo_random_search(problem, *, step=None, smoothing=1e-4, output="step_weighted", backend=None, **options):
    r"""Random search RS_s for nonsmooth convex ``f`` (Nesterov & Spokoiny 2017, section 6), projected.

    Algorithm
        ``x_{k+1} = P(x_k - h (f(x_k + s u_k) - f(x_k))/s u_k)``.
    Parameters
        ``step`` (default ``R/((n + 4) L_0 sqrt(N + 1))`` with ``N + 1 = steps``, ``R = ||x_0 - x*||`` or the
        set's diameter, ``L_0`` the problem's ``G``), ``smoothing``, ``output`` (default the step-weighted
        average of ``x_0 .. x_N``).
    Guarantee
        ``E f(xbar_N) - f* <= s L_0 sqrt(n) + (n + 4) L_0 R / sqrt(N + 1)`` (theorem
        ``zo_random_search.nonsmooth``).
    """
    def default_step(common):
        R = start_distance(problem, common["x0"], "R/((n + 4) L0 sqrt(N + 1))")
        return max(R, 1e-12) / ((problem.dim + 4) * problem.constants["G"] * np.sqrt(max(common["steps"], 1)))

    return _run_gaussian(problem, "zo_random_search", step, default_step, smoothing, output, backend, options)


@register("zo_gd", accepts=("smooth",), backends=BACKENDS, theorem="zo_gd.cge")
def zo_gd(problem, *, step=None, smoothing=1e-4, output="last", backend=None, **options):
    r"""Gradient descent on the coordinate-wise finite-difference estimate (ZO-GD with CGE; DeepZero, Chen et
    al. ICLR 2024; catalogue first-order.md 5.2).

    Algorithm
        ``x_{k+1} = x_k - h g_k``, ``g_k = sum_i (f(x_k + s e_i) - f(x_k))/s e_i``: ``d + 1`` function values.
    Parameters
        ``step`` (default ``1/L``), ``smoothing`` ``s``.
    Guarantee
        For ``L``-smooth (possibly nonconvex) ``f`` and ``h <= 1/L``:
        ``min_{k<T} ||grad f(x_k)||^2 <= (1/T) sum_{k<T} ||grad f(x_k)||^2 <= 2(f(x_0) - f_inf)/(h T) + L^2 s^2 d/4``
        (derived, catalogue 5.2: each coordinate errs by at most ``L s/2``, and
        ``f(x+) <= f - (h/2)||grad f||^2 + (h/2)||e||^2``; theorem ``zo_gd.cge``).  The trace's
        ``grad_norm_min`` is the left side, measured with the true gradient (never used by the step).
    """
    def default_step(common):
        return 1.0 / problem.constants["L"]

    smoothing = as_scalar(smoothing, "smoothing", positive=True)
    common = common_options(problem, output=output, **options)
    h = as_scalar(step, "step", positive=True) if step is not None else default_step(common)
    n = common["steps"]
    seq = np.array([h])
    avg_w = averaging_weights(common["output"], n, seq) if common["output"] in AVERAGED else None
    kernel, backend = select_kernel(problem, backend)
    plan = Plan(problem=problem, method="zo_gd", code=K.ZO_CGE, step_seq=seq, avg_w=avg_w, eta=smoothing, **common)
    return run(plan, kernel, backend)
