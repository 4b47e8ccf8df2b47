r"""Deterministic first-order methods: gradient descent, backtracking, projected and
proximal gradient, and the (projected) subgradient method.

All of them are the proximal-gradient or subgradient update run by one loop
driver (:mod:`pyoptheory.methods._driver`) on one of three kernels: the NumPy
reference below (:class:`Reference`, any problem, readable), Numba, or C++
(built-in problems only; the whole loop runs compiled between checkpoints).
"""
from __future__ import annotations

import warnings

import numpy as np

from .._validation import as_scalar, choose
from ..kernels import layout as K
from ..registry import register
from ..result import StepSizeWarning
from ._driver import OUTPUTS, Plan, common_options, run, start_distance
from ._sequences import AVERAGED, AveragingWeights, StepSequence
from ._reference import BACKENDS, select_kernel as _kernel


def _smoothness(problem):
    try:
        return problem.constants["L"]
    except KeyError:
        raise ValueError(f"problem: {problem.name!r} declares no smoothness constant L") from None


def _fixed_step(problem, step, method, theorem):
    """The step of gradient methods: 1/L by default; a warning past what the default theorem allows."""
    L = _smoothness(problem)
    if step is None:
        return 1.0 / L
    step = as_scalar(step, "step", positive=True)
    if step > 1.0 / L * (1 + 1e-12):
        warnings.warn(f"step={step:.4g} exceeds 1/L={1 / L:.4g}: theorem {theorem!r} (which needs step <= 1/L) "
                      f"does not cover this run of {method}", StepSizeWarning, stacklevel=4)
    return step


def _run_prox_grad(problem, method, theorem, *, step, backend, **options):
    common = common_options(problem, **options)
    step = _fixed_step(problem, step, method, theorem)
    limit = getattr(problem.regularizer, "max_step", None)
    if limit is not None and step >= limit():
        raise ValueError(f"step: the thresholding prox of {problem.regularizer!r} needs step < {limit():g}, got {step:g}")
    kernel, backend = _kernel(problem, backend)
    plan = Plan(problem=problem, method=method, code=K.PROX_GRAD, step_seq=np.array([step]),
                grad_step=step if problem.kind != "smooth" else np.nan, **common)
    return run(plan, kernel, backend)


@register("gd", accepts=("smooth",), backends=BACKENDS, theorem="gd.convex.smooth")
def gd(problem, *, step=None, backend=None, **options):
    r"""Gradient descent with a constant step.

    Problem
        ``min f(x)``, f convex and L-smooth.
    Algorithm
        ``x_{k+1} = x_k - step * grad f(x_k)``, ``step = 1/L`` by default.
    Guarantee
        ``f(x_N) - f* <= L ||x_0 - x*||^2 / (4 N L step + 2)`` for ``step <= 1/L``;
        tight (attained by the Huber function, :func:`pyoptheory.problems.huber_worst_case`).
        Theorem ``gd.convex.smooth``.
    References
        Drori & Teboulle (2014), Theorem 3.1 (step 1/L); Taylor, Hendrickx & Glineur (2017), via PEPit.

    Options shared by every method: ``x0``, ``steps``, ``max_time``, ``seed``,
    ``backend`` (``numpy``/``numba``/``cpp``), ``n_threads``, ``callback``,
    ``record``, ``output``, ``grad_tol``, ``gap_tol`` (the last two checked at
    recorded checkpoints; ``record="all"`` checks every iteration).

    Examples
    --------
    >>> import pyoptheory as po
    >>> p = po.problems.quadratic(20, L=1.0, mu=0.1, seed=0)
    >>> res = po.solve(p, "gd", steps=200)
    >>> bool(res.fun < 1e-8), res.nit
    (True, 200)
    """
    return _run_prox_grad(problem, "gd", "gd.convex.smooth", step=step, backend=backend, **options)


@register("projected_gd", accepts=("constrained",), backends=BACKENDS, theorem="proximal_gd.convex")
def projected_gd(problem, *, step=None, backend=None, **options):
    r"""Projected gradient descent.

    Problem
        ``min_{x in C} f(x)``, f convex and L-smooth, C closed convex with an exact projection.
    Algorithm
        ``x_{k+1} = Pi_C(x_k - step * grad f(x_k))``, ``step = 1/L`` by default.
    Guarantee
        ``f(x_k) - f* <= L ||x_0 - x*||^2 / (2k)`` (Beck & Teboulle 2009, Theorem 3.1, g the
        indicator of C); linear rate ``max(|1 - L step|, |1 - mu step|)^2`` on ``||x_k - x*||^2``
        when f is mu-strongly convex (theorem ``proximal_gd.strongly_convex``).
    """
    return _run_prox_grad(problem, "projected_gd", "proximal_gd.convex", step=step, backend=backend, **options)


@register("proximal_gd", accepts=("composite", "constrained", "smooth"), backends=BACKENDS,
          theorem="proximal_gd.convex")
def proximal_gd(problem, *, step=None, backend=None, **options):
    r"""Proximal gradient descent (ISTA).

    Problem
        ``min F(x) = f(x) + g(x)``, f convex L-smooth, g convex with a computable prox.
    Algorithm
        ``x_{k+1} = prox_{step g}(x_k - step * grad f(x_k))``, ``step = 1/L`` by default.
    Guarantee
        ``F(x_k) - F* <= L ||x_0 - x*||^2 / (2k)`` for ``step = 1/L`` (Beck & Teboulle 2009,
        Theorem 3.1), theorem ``proximal_gd.convex``; if f is mu-strongly convex,
        ``||x_k - x*||^2 <= max((1 - L step)^2, (1 - mu step)^2)^k ||x_0 - x*||^2``, tight
        (Taylor, Hendrickx & Glineur 2018 via PEPit), theorem ``proximal_gd.strongly_convex``.
    """
    return _run_prox_grad(problem, "proximal_gd", "proximal_gd.convex", step=step, backend=backend, **options)


@register("gd_armijo", accepts=("smooth", "composite", "constrained"), backends=BACKENDS,
          theorem="gd_armijo.convex")
def gd_armijo(problem, *, step=1.0, eta=2.0, backend=None, **options):
    r"""Gradient descent with Armijo backtracking (Beck-Teboulle form; proximal when g != 0).

    Problem
        ``min F = f + g``, f convex L-smooth (L unknown to the method), g with a prox (or 0).
    Algorithm
        Keep ``L_k`` (start ``1/step``); at each step multiply it by ``eta`` until
        ``f(y) <= f(x_k) + <grad f(x_k), y - x_k> + (L_k/2)||y - x_k||^2`` for
        ``y = prox_{g/L_k}(x_k - grad f(x_k)/L_k)``; then ``x_{k+1} = y``.  For g = 0 this is
        Armijo's rule with sufficient-decrease constant 1/2.
    Guarantee
        ``F(x_k) - F* <= max(eta L, 1/step) ||x_0 - x*||^2 / (2k)`` (Beck & Teboulle 2009,
        Theorem 3.1 with backtracking), theorem ``gd_armijo.convex``.
    """
    common = common_options(problem, **options)
    step = as_scalar(step, "step", positive=True)
    eta = as_scalar(eta, "eta", positive=True)
    if eta <= 1:
        raise ValueError(f"eta: the backtracking factor must exceed 1, got {eta}")
    kernel, backend = _kernel(problem, backend)
    L = problem.constants.get("L", np.nan)
    plan = Plan(problem=problem, method="gd_armijo", code=K.PROX_GRAD_BACKTRACK, step_seq=np.array([step]),
                L0=1.0 / step, eta=eta, grad_step=1.0 / L if problem.kind != "smooth" and np.isfinite(L) else np.nan,
                **common)
    return run(plan, kernel, backend)


STEP_RULES = ("constant", "sqrt", "polyak")


def subgradient_steps(rule, step, steps):
    """The steps gamma_0..gamma_{steps-1} of a subgradient step rule, as a
    :class:`~pyoptheory.methods._sequences.StepSequence` (``sqrt`` is evaluated a chunk at a time)."""
    if rule == "constant":
        return StepSequence.constant(step, steps)
    if rule == "sqrt":
        return StepSequence.from_rule(lambda k0, k1: step / np.sqrt(np.arange(k0 + 1, k1 + 1, dtype=float)), steps,
                                      peak=step)
    return StepSequence.constant(np.nan, steps)  # polyak: computed in the loop


@register("subgradient", accepts=("nonsmooth", "nonsmooth_constrained"), backends=BACKENDS,
          theorem="subgradient.best.constant")
def subgradient(problem, *, step=None, step_rule="constant", backend=None, output="best", **options):
    r"""The (projected) subgradient method.

    Problem
        ``min_{x in C} f(x)``, f convex and G-Lipschitz (C = R^d or a set with an exact projection).
    Algorithm
        ``x_{k+1} = Pi_C(x_k - gamma_k g_k)``, ``g_k in df(x_k)``, with ``step_rule``:
        ``constant`` (``gamma_k = step``), ``sqrt`` (``gamma_k = step/sqrt(k+1)``) or
        ``polyak`` (``gamma_k = (f(x_k) - f*)/||g_k||^2``, needs f*).  The default step is
        ``R/(G sqrt(steps+1))`` with ``R = ||x_0 - x*||`` (or the diameter of C).
    Output
        ``best`` (default): the best iterate; ``step_weighted``: ``sum gamma_t x_t / sum gamma_t``
        over ``t < steps``; ``last``; or another averaged output of
        :class:`pyoptheory.methods._sequences.AveragingWeights`.
    Guarantee
        ``min_{t<=N} f(x_t) - f* <= G R/sqrt(N+1)`` with the default step: tight (theorem
        ``subgradient.best.constant``, PEPit; attained by
        :func:`pyoptheory.problems.subgradient_worst_case`); the weighted average obeys
        ``(R^2 + G^2 sum gamma_t^2)/(2 sum gamma_t)`` (catalogue 1.1, theorems
        ``subgradient.average.*``).
    """
    choose(step_rule, "step_rule", STEP_RULES)
    common = common_options(problem, output=output, outputs=OUTPUTS, **options)
    G = problem.constants["G"]
    n = common["steps"]
    if step is None and step_rule != "polyak":
        R = start_distance(problem, common["x0"], "R/(G sqrt(steps+1))")
        step = R / (G * np.sqrt(n + 1)) if R > 0 else 1.0 / G
    elif step is not None:
        step = as_scalar(step, "step", positive=True)
    if step_rule == "polyak" and problem.f_star is None:
        raise ValueError("step_rule: 'polyak' needs the optimal value f* of the problem")
    seq = subgradient_steps(step_rule, step, n)
    avg_w = None
    if common["output"] in AVERAGED:
        if step_rule == "polyak" and common["output"] == "step_weighted":
            raise ValueError("output: 'step_weighted' weights iterates by their steps; not available with 'polyak'")
        avg_w = AveragingWeights(common["output"], n, seq)
    kernel, backend = _kernel(problem, backend)
    code = K.SUBGRADIENT_POLYAK if step_rule == "polyak" else K.SUBGRADIENT
    plan = Plan(problem=problem, method="subgradient", code=code, step_seq=seq, avg_w=avg_w, **common)
    return run(plan, kernel, backend)
