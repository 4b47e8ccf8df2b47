r"""Stochastic gradient methods: SGD, projected SGD and proximal SGD, with minibatches,
step-size schedules and averaged outputs.

All three are the update ``x_{t+1} = prox_{eta_t g}(x_t - eta_t g_t)`` (the prox is the
identity for SGD and the projection for projected SGD) with ``g_t`` from a stochastic
oracle (:mod:`pyoptheory.problems.oracles`), run by the shared loop driver on the NumPy
reference, Numba or C++ kernels.  The randomness (sample indices, noise) is drawn from
``numpy.random.default_rng(seed)`` in chunks and handed to the kernel, so every backend
replays the same stream.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import schedules as S
from .._validation import as_float_array, as_scalar
from ..kernels import layout as K
from ..problems.oracles import StochasticProblem, finite_sum
from ..registry import register
from ..result import StepSizeWarning
from ._driver import OUTPUTS, Plan, common_options, run, start_distance
from ._sequences import AVERAGED, AveragingWeights, StepSequence
from ._reference import BACKENDS, select_kernel


def stochastic_problem(problem, batch_size, replace):
    """The problem with its oracle: a StochasticProblem as given, or a finite sum sampled by ``batch_size``."""
    if isinstance(problem, StochasticProblem):
        if batch_size is not None:
            raise ValueError("batch_size: the problem already carries its oracle; set the batch size there")
        return problem
    try:
        return finite_sum(problem, 1 if batch_size is None else batch_size, replace)
    except ValueError as exc:
        raise ValueError(f"problem: stochastic methods need a stochastic oracle ({exc}); wrap the problem with "
                         "pyoptheory.problems.additive_noise(...) or bounded_noise(...)") from None


def step_sequence(problem, schedule, step, steps, x0):
    """The steps eta_1..eta_T of a run, as a :class:`~pyoptheory.methods._sequences.StepSequence` (a schedule
    is evaluated a chunk at a time by the run, so its memory does not grow with ``steps``).

    ``schedule``: None (constant), a schedule name, a :class:`pyoptheory.schedules.Schedule`,
    or an explicit array of length ``steps``.  ``step``: the base step (default: ``1/(2 L_max)``
    for smooth finite sums, the catalogue 1.3/1.4 regime; ``R/sqrt(B2)`` with an ``inv_sqrt``
    schedule for nonsmooth problems, ``R = ||x0 - x*||`` or the diameter).
    """
    c = problem.constants
    if isinstance(schedule, np.ndarray) or isinstance(schedule, (list, tuple)):
        if step is not None:
            raise ValueError("step: an explicit step array already fixes every step")
        seq = as_float_array(schedule, "schedule", ndim=1)
        if seq.shape[0] != steps:
            raise ValueError(f"schedule: {seq.shape[0]} steps given for steps={steps}")
        if np.any(seq < 0):
            raise ValueError("schedule: steps must be nonnegative")
        return StepSequence.explicit(seq)
    smooth = "L_max" in c
    if step is None:
        if smooth:
            step = 1.0 / (2.0 * c["L_max"])
        else:
            R = start_distance(problem, x0, "R/sqrt(B^2)")
            step = (R if R > 0 else 1.0) / np.sqrt(c["B2"])
            schedule = "inv_sqrt" if schedule is None else schedule
    step = as_scalar(step, "step", positive=True)
    if schedule is None or schedule == "constant":
        return StepSequence.constant(step, steps)  # every kernel broadcasts it, whatever the number of steps
    if isinstance(schedule, str):
        kwargs = {"base": step}
        if schedule in ("linear_decay", "cosine", "wsd"):
            kwargs["horizon"] = max(steps, 1)
        schedule = S.get(schedule, **kwargs)
    elif isinstance(schedule, S.Schedule):
        schedule = schedule.with_base(step) if step != schedule.base and step is not None else schedule
    else:
        raise TypeError("schedule: expected a schedule name, a Schedule, or an array of steps")
    if steps == 0:
        return StepSequence.constant(step, 0)
    schedule.window(0, 1, steps)  # a horizon that does not match the run fails here, before the run
    return StepSequence.from_rule(lambda k0, k1: schedule.window(k0, k1, steps), steps, peak=schedule.base)


def _run_sgd(problem, method, theorem, *, step, schedule, batch_size, replace, output, suffix, average_from, backend,
             **options):
    sp = stochastic_problem(problem, batch_size, replace)
    common = common_options(sp, output=output, outputs=OUTPUTS, **options)
    n = common["steps"]
    seq = step_sequence(sp, schedule, step, n, common["x0"])
    # Sampled finite sums need steps below 1/(2 L_max); a full gradient plus noise, below 1/(2 L).
    name = "L_max" if sp.batch_size is not None else "L"
    L = sp.constants.get(name)
    if L is not None and n and seq.max() > 1.0 / (2 * L) * (1 + 1e-12):
        warnings.warn(f"steps up to {seq.max():.4g} exceed 1/(2 {name}) = {1 / (2 * L):.4g}: theorem "
                      f"{theorem!r} (which needs step < 1/(2 {name})) does not cover this run of {method}",
                      StepSizeWarning, stacklevel=4)
    if common["output"] == "best":
        raise ValueError("output: 'best' needs exact objective values at every step; stochastic methods offer "
                         f"{', '.join(('last',) + AVERAGED)}")
    avg_w = (AveragingWeights(common["output"], n, seq, suffix=suffix, average_from=average_from)
             if common["output"] in AVERAGED else None)
    kernel, backend = select_kernel(sp, backend)
    plan = Plan(problem=sp, method=method, code=K.SGD, step_seq=seq, avg_w=avg_w,
                stochastic=sp, grad_step=np.nan, **common)
    return run(plan, kernel, backend)


_DOC_COMMON = """
    Parameters
    ----------
    problem : Problem or StochasticProblem
        A finite sum (sampled with ``batch_size``, ``replace``) or a problem wrapped with an
        oracle from :mod:`pyoptheory.problems.oracles`.
    step : float, optional
        Base step (see :func:`step_sequence` for the default).
    schedule : None, str, Schedule or array
        ``constant`` (default), ``inv_sqrt``, ``inv_t``, ``linear_decay``, ``cosine``, ``wsd``,
        a :mod:`pyoptheory.schedules` object (its horizon must equal ``steps``), or the steps.
    batch_size : int, optional
        Samples per step, in ``[1, n]``.
    replace : bool
        Sample with (default) or without replacement within a minibatch.
    output : str
        ``last`` (default), ``uniform`` (x_s..x_{s+T-1}, ``s = average_from``), ``suffix``
        (last ``suffix`` fraction), ``step_weighted``, ``t_weighted``.
"""


@register("sgd", accepts=("smooth", "nonsmooth"), backends=BACKENDS, theorem="sgd.smooth.average")
def sgd(problem, *, step=None, schedule=None, batch_size=None, replace=True, output="last", suffix=0.5,
        average_from=0, backend=None, **options):
    r"""Stochastic gradient descent.

    Problem
        ``min f(x) = E f(x; xi)`` (a finite sum ``(1/n) sum f_i`` or a noisy oracle).
    Algorithm
        ``x_{t+1} = x_t - eta_t g_t`` with ``E[g_t | x_t] = grad f(x_t)`` (a subgradient for
        nonsmooth f).
    Guarantee
        Convex L_max-smooth sums, ``eta < 1/(2 L_max)``, uniform average of x_0..x_{T-1}:
        ``E f(xbar) - f* <= ||x0 - x*||^2/(2 eta (1 - 2 eta L_max) T) + eta sigma*/(1 - 2 eta L_max)``
        (theorem ``sgd.smooth.average``; catalogue 1.3, Garrigos & Gower's Handbook); strongly
        convex, constant step: ``E||x_t - x*||^2 <= (1 - eta mu)^t ||x0 - x*||^2 + 2 eta sigma*/mu``
        (``sgd.strongly_convex.constant``); last iterate under any schedule: the refined bound of
        Defazio et al. (2023), Thm 10 (``sgd.last_iterate.*``).
    """
    return _run_sgd(problem, "sgd", "sgd.smooth.average", step=step, schedule=schedule, batch_size=batch_size,
                    replace=replace, output=output, suffix=suffix, average_from=average_from, backend=backend,
                    **options)


@register("projected_sgd", accepts=("constrained", "nonsmooth_constrained"), backends=BACKENDS,
          theorem="sgd.subgradient.convex")
def projected_sgd(problem, *, step=None, schedule=None, batch_size=None, replace=True, output="last", suffix=0.5,
                  average_from=0, backend=None, **options):
    r"""Projected stochastic (sub)gradient descent.

    Problem
        ``min_{x in C} f(x)``, C closed convex with an exact projection.
    Algorithm
        ``x_{t+1} = Pi_C(x_t - eta_t g_t)``.
    Guarantee
        ``E f(xbar_T) - f* <= (||x0 - x*||^2 + B^2 sum eta_t^2)/(2 sum eta_t)`` for the
        step-weighted average, ``E||g||^2 <= B^2`` (theorem ``sgd.subgradient.convex``, catalogue
        1.1); strongly convex with ``eta_t = 2/(mu(t+1))`` and t-weighted averaging:
        ``2 B^2/(mu (k+1))`` (``sgd.strongly_convex.lsb``, Lacoste-Julien, Schmidt & Bach 2012).
    """
    return _run_sgd(problem, "projected_sgd", "sgd.subgradient.convex", step=step, schedule=schedule,
                    batch_size=batch_size, replace=replace, output=output, suffix=suffix,
                    average_from=average_from, backend=backend, **options)


@register("proximal_sgd", accepts=("composite", "constrained", "smooth"), backends=BACKENDS,
          theorem="proximal_sgd.convex")
def proximal_sgd(problem, *, step=None, schedule=None, batch_size=None, replace=True, output="last", suffix=0.5,
                 average_from=0, backend=None, **options):
    r"""Proximal stochastic gradient descent.

    Problem
        ``min F = f + g``, ``f = (1/n) sum f_i`` convex L_max-smooth, g with a prox.
    Algorithm
        ``x_{t+1} = prox_{eta_t g}(x_t - eta_t g_t)``, the same step in the prox.
    Guarantee
        Strongly convex f, ``eta <= 1/(2 L_max)``:
        ``E||x_t - x*||^2 <= (1 - eta mu)^t ||x0 - x*||^2 + 2 eta sigma_F*/mu``; convex,
        ``eta < 1/(4 L_max)``, average of x_1..x_T:
        ``E F(xbar) - F* <= (||x0 - x*||^2 + 8 eta^2 L_max (F(x0) - F*))/(2 eta (1 - 4 eta L_max) T)
        + 2 eta sigma_F*/(1 - 4 eta L_max)`` (catalogue 1.5, derived there; theorems
        ``proximal_sgd.strongly_convex``, ``proximal_sgd.convex``).
    """
    return _run_sgd(problem, "proximal_sgd", "proximal_sgd.convex", step=step, schedule=schedule,
                    batch_size=batch_size, replace=replace, output=output, suffix=suffix,
                    average_from=average_from, backend=backend, **options)


def _momentum_plan(sp, name, code, seq, scal, backend, common):
    kernel, backend = select_kernel(sp, backend)
    plan = Plan(problem=sp, method=name, code=code, step_seq=seq, stochastic=sp, scal_init=scal, **common)
    return run(plan, kernel, backend)


for _method in (sgd, projected_sgd, proximal_sgd):
    _method.__doc__ += _DOC_COMMON


@register("shb", accepts=("smooth",), backends=BACKENDS, theorem="shb.step_decay")
def shb(problem, *, step=None, stages=None, decay=2.0, momentum=None, mu=None, batch_size=None, replace=True,
        backend=None, **options):
    r"""Stochastic heavy ball with step decay (Pan, Liu, Wang & Zhang, ICLR 2024).

    Notes
    -----
    **Algorithm.** ``w_{t+1} = w_t - eta_t g_t + beta_t (w_t - w_{t-1})`` with ``stages`` stages of
    equal length (default ``max(1, round(log2 T))``), ``eta`` constant within a stage and divided by
    ``decay`` between stages, and the momentum tied to the stage's step,
    ``beta_t = (1 - sqrt(mu eta_t))^2`` (or a constant ``momentum`` in [0, 1)); ``step`` defaults to
    ``1/L`` for a full gradient plus noise and ``1/(2 L_max)`` for sampled finite sums.  The exact rule of the paper is recalled [M] (catalogue 3.6).

    **Guarantee (orders, [M]).** Bias ``O(exp(-T/(sqrt(kappa) polylog T)))``, against ``Omega(kappa)``
    iterations for SGD, and variance ``O(d sigma^2/(M T))`` under anisotropic noise ``cov <= sigma^2 H/M``
    (:func:`pyoptheory.problems.anisotropic_noise`).
    """
    sp = stochastic_problem(problem, batch_size, replace)
    common = common_options(sp, **options)
    c = sp.constants
    L = c["L"]
    T = common["steps"]
    if step is None:  # a full gradient plus noise tolerates 1/L; sampled finite sums need 1/(2 L_max)
        step = 1.0 / L if sp.batch_size is None else 1.0 / (2.0 * c["L_max"])
    step = as_scalar(step, "step", positive=True)
    decay = as_scalar(decay, "decay", positive=True)
    if decay < 1:
        raise ValueError(f"decay: the step is divided by decay >= 1 between stages, got {decay}")
    stages = max(1, int(round(np.log2(max(T, 2))))) if stages is None else int(as_scalar(stages, "stages",
                                                                                         integer=True))
    if not 1 <= stages <= max(T, 1):
        raise ValueError(f"stages: must lie in [1, steps={T}], got {stages}")
    length = max(1, int(np.ceil(T / stages)))
    seq = StepSequence.from_rule(lambda k0, k1: step / decay ** (np.arange(k0, k1) // length), T, peak=step)
    scal = {}
    if momentum is not None:
        beta = as_scalar(momentum, "momentum", nonnegative=True)
        if beta >= 1:
            raise ValueError(f"momentum: must lie in [0, 1), got {beta}")
        scal[K.S_BETA] = beta
    else:
        mu = c.get("mu", 0.0) if mu is None else as_scalar(mu, "mu", nonnegative=True)
        if mu <= 0:
            raise ValueError("mu: the tied momentum (1 - sqrt(mu eta))^2 needs mu > 0; give momentum= instead")
        if mu > L * (1 + 1e-12):
            raise ValueError(f"mu: must not exceed L = {L:.6g}, got {mu:.6g}")
        scal[K.S_MU] = mu
    return _momentum_plan(sp, "shb", K.SHB, seq, scal, backend, common)
