r"""Accelerated and momentum methods: Nesterov's AGD (convex and strongly convex), FISTA with
backtracking and adaptive restart, and Polyak's heavy ball.

All run on the shared loop driver and the three kernels (``AGD``, ``AGD_SIMPLE``, ``AGD_SC``
and ``HEAVY_BALL`` in ``cpp/include/pyoptheory/first_order.hpp``); the NumPy reference is
``Reference._momentum_step`` in :mod:`pyoptheory.methods._reference`.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_scalar, choose
from ..kernels import layout as K
from ..registry import register
from ._driver import Plan, common_options, run
from ._reference import BACKENDS, select_kernel
from .gradient import _fixed_step, _smoothness

RESTARTS = {None: 0.0, "function": 1.0, "gradient": 2.0}


def _strong_convexity(problem, mu, method):
    L = _smoothness(problem)
    mu = problem.constants.get("mu", 0.0) if mu is None else as_scalar(mu, "mu", nonnegative=True)
    if mu > L * (1 + 1e-12):
        raise ValueError(f"mu: must not exceed L = {L:.6g}, got {mu:.6g}")
    if mu <= 0:
        raise ValueError(f"mu: {method} needs a strongly convex problem (mu > 0), got mu = {mu:g}; use 'agd' or "
                         "'fista' for mu = 0")
    return L, mu


def _momentum_run(problem, name, code, *, step_seq, L0, beta=0.0, restart=None, backtracking=False, eta=2.0,
                  backend=None, **options):
    common = common_options(problem, **options)
    if restart not in RESTARTS:
        raise ValueError(f"restart: unknown value {restart!r}; valid: None, 'function', 'gradient'")
    eta = as_scalar(eta, "eta", positive=True)
    if backtracking and eta <= 1:
        raise ValueError(f"eta: the backtracking factor must exceed 1, got {eta}")
    kernel, backend = select_kernel(problem, backend)
    scal = {K.S_BETA: beta, K.S_RESTART: RESTARTS[restart], K.S_BACKTRACK: float(bool(backtracking)),
            K.S_FPREV: problem.objective(common["x0"])}
    plan = Plan(problem=problem, method=name, code=code, step_seq=step_seq, L0=L0, eta=eta, scal_init=scal,
                grad_step=1.0 / L0 if problem.kind != "smooth" else np.nan, **common)
    return run(plan, kernel, backend)


def _momentum_form(momentum):
    return K.AGD if choose(momentum, "momentum", ("lambda", "simple")) == "lambda" else K.AGD_SIMPLE


@register("agd", accepts=("smooth",), backends=BACKENDS, theorem="agd.convex")
def agd(problem, *, step=None, momentum="lambda", restart=None, backend=None, **options):
    r"""Nesterov's accelerated gradient, convex L-smooth f.

    Notes
    -----
    **Algorithm.** ``lambda_1 = 1``, ``lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1))/2``;
    ``y_k = x_k + m_k (x_k - x_{k-1})`` with ``m_k = (lambda_k - 1)/lambda_{k+1}``
    (``momentum="lambda"``) or ``(k-1)/(k+2)`` (``momentum="simple"``); then
    ``x_{k+1} = y_k - step grad f(y_k)``, ``step = 1/L`` by default.  ``restart="function"``
    or ``"gradient"``: O'Donoghue & Candes (2015) adaptive restart.

    **Guarantee.** ``f(x_T) - f* <= L ||x0 - x*||^2/(2 lambda_T^2) <= 2 L ||x0 - x*||^2/(T+1)^2``
    (theorem ``agd.convex``; the ``simple`` form: ``2 L ||x0 - x*||^2/(T^2 + 5T + 6)``,
    ``agd.convex.simple``), [V:PEPit]; the Nesterov chain shows the order is optimal.

    References
    ----------
    Nesterov (1983); Beck & Teboulle (2009); Taylor, Hendrickx & Glineur (2017), via PEPit.
    """
    step = _fixed_step(problem, step, "agd", "agd.convex")
    return _momentum_run(problem, "agd", _momentum_form(momentum), step_seq=np.array([step]), L0=1.0 / step,
                         restart=restart, backend=backend, **options)


@register("fista", accepts=("composite", "constrained", "smooth"), backends=BACKENDS, theorem="fista.convex")
def fista(problem, *, step=None, momentum="lambda", backtracking=False, eta=2.0, restart=None, backend=None,
          **options):
    r"""FISTA: accelerated proximal gradient for ``F = f + g`` (prox of l1, box, simplex, ball).

    Notes
    -----
    **Algorithm.** As :func:`agd` with ``x_{k+1} = prox_{g/L_k}(y_k - grad f(y_k)/L_k)``.
    ``backtracking=True``: Beck-Teboulle backtracking from ``L_0 = 1/step`` (default 1/L), multiplying
    ``L_k`` by ``eta`` until ``f(x_{k+1}) <= f(y_k) + <grad f(y_k), x_{k+1} - y_k> + L_k/2 ||x_{k+1} - y_k||^2``.

    **Guarantee.** ``F(x_T) - F* <= L ||x0 - x*||^2/(2 lambda_T^2)`` for step 1/L (theorem
    ``fista.convex``, [V:PEPit]); with backtracking ``F(x_T) - F* <= 2 max(eta L, L_0) ||x0 - x*||^2/(T+1)^2``
    (``fista.backtracking``; Beck & Teboulle 2009, Theorem 4.4); the ``simple`` momentum:
    ``2 L ||x0 - x*||^2/(T^2 + 5T + 2)`` (``fista.simple``, tight).

    References
    ----------
    Beck & Teboulle (2009), SIAM J. Imaging Sci.; O'Donoghue & Candes (2015) for restarts.
    """
    if backtracking:
        step = as_scalar(1.0 / _smoothness(problem) if step is None else step, "step", positive=True)
    else:
        step = _fixed_step(problem, step, "fista", "fista.convex")
    return _momentum_run(problem, "fista", _momentum_form(momentum), step_seq=np.array([step]), L0=1.0 / step,
                         restart=restart, backtracking=backtracking, eta=eta, backend=backend, **options)


@register("agd_strongly_convex", accepts=("smooth", "composite", "constrained"), backends=BACKENDS,
          theorem="agd.strongly_convex")
def agd_strongly_convex(problem, *, mu=None, step=None, backend=None, **options):
    r"""Nesterov's accelerated gradient for mu-strongly convex f (constant momentum).

    Notes
    -----
    **Algorithm.** With ``x_{-1} = x0``: ``y_k = x_k + beta (x_k - x_{k-1})``,
    ``beta = (sqrt(L) - sqrt(mu))/(sqrt(L) + sqrt(mu))``, ``x_{k+1} = prox(y_k - grad f(y_k)/L)``.

    **Guarantee.** ``f(x_T) - f* <= (1 - sqrt(mu/L))^T (f(x0) - f* + mu/2 ||x0 - x*||^2)``
    (theorem ``agd.strongly_convex``, [V:PEPit]): ``O(sqrt(kappa) log(1/eps))`` iterations.
    ``mu`` defaults to the problem's constant and must be positive.
    """
    L, mu = _strong_convexity(problem, mu, "agd_strongly_convex")
    step = _fixed_step(problem, step, "agd_strongly_convex", "agd.strongly_convex")
    beta = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return _momentum_run(problem, "agd_strongly_convex", K.AGD_SC, step_seq=np.array([step]), L0=1.0 / step,
                         beta=beta, backend=backend, **options)


@register("heavy_ball", accepts=("smooth",), backends=BACKENDS, theorem="heavy_ball.quadratic")
def heavy_ball(problem, *, tuning="quadratic", step=None, momentum=None, mu=None, backend=None, **options):
    r"""Polyak's heavy ball: ``x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1})``, ``x_{-1} = x0``.

    Notes
    -----
    **Tunings.** ``quadratic``: ``alpha = 4/(sqrt(L) + sqrt(mu))^2``, ``beta = rho^2``,
    ``rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)``; on quadratics
    ``||x_k - x*|| <= (2k+1) rho^k ||x0 - x*||`` (theorem ``heavy_ball.quadratic``, derived in the
    catalogue 3.3; the polynomial factor is real).  It may cycle on non-quadratic functions
    (Lessard, Recht & Packard 2016; :func:`pyoptheory.problems.heavy_ball_counterexample`).
    ``general``: ``alpha = step`` in (0, 1/L] (default 1/L), ``beta = sqrt((1 - alpha mu)(1 - L alpha))``;
    ``f(x_T) - f* <= (1 - alpha mu)^T (f(x0) - f*)`` on smooth strongly convex f
    (``heavy_ball.strongly_convex``, [V:PEPit]).  Explicit ``step`` and ``momentum`` in [0, 1)
    override the tuning.
    """
    choose(tuning, "tuning", ("quadratic", "general"))
    L, mu = _strong_convexity(problem, mu, "heavy_ball")
    if tuning == "quadratic":
        alpha = 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2
        rho = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
        beta = rho**2
    else:
        alpha = 1.0 / L if step is None else as_scalar(step, "step", positive=True, upper=1.0 / L * (1 + 1e-12))
        beta = np.sqrt(max(0.0, (1 - alpha * mu) * (1 - L * alpha)))
    if step is not None and tuning == "quadratic":
        alpha = as_scalar(step, "step", positive=True)
    if momentum is not None:
        beta = as_scalar(momentum, "momentum", nonnegative=True)
        if beta >= 1:
            raise ValueError(f"momentum: must lie in [0, 1), got {beta}")
    return _momentum_run(problem, "heavy_ball", K.HEAVY_BALL, step_seq=np.array([alpha]), L0=1.0 / alpha, beta=beta,
                         backend=backend, **options)


@register("nonconvex_ag", accepts=("composite",), backends=BACKENDS, theorem="nonconvex_ag.stationarity")
def nonconvex_ag(problem, *, step=None, backend=None, **options):
    r"""Accelerated gradient for nonconvex composite problems (Ghadimi & Lan 2016), e.g. SCAD/MCP
    regression split as ``f = loss + q`` (smooth, nonconvex) plus ``h = lam ||.||_1``.

    Notes
    -----
    **Algorithm.** ``alpha_k = 2/(k+1)``; ``x_md = (1 - alpha_k) x_ag + alpha_k x``;
    ``x <- prox_{beta h}(x - beta grad f(x_md))``; ``x_ag <- prox_{beta h}(x_md - beta grad f(x_md))``
    with ``beta = 1/(2 L_f)`` (Ghadimi & Lan's choice, ``lambda_k = beta_k``).  ``Result.x`` is
    ``x_ag``; the trace column ``grad_norm_min`` is ``min_k ||G_beta(x_md^k)||`` with
    ``G_c(x) = (x - prox_{c h}(x - c grad f(x)))/c``.

    **Guarantee (order, [M]).** ``min_{k<=N} ||G||^2 = O(L_f (Psi(x0) - Psi*)/N)`` on nonconvex f
    (and the accelerated rates when f is convex).  Yang, Asgharian & Bhatnagar choose the damping
    sequence differently (not implemented: their rule was not read).

    References
    ----------
    Ghadimi & Lan (2016), Math. Program. 156; Yang, Asgharian & Bhatnagar (sparse learning with
    nonconvex penalties).
    """
    from ..kernels import layout as K  # noqa: F811

    common = common_options(problem, **options)
    L = _smoothness(problem)
    step = 1.0 / (2.0 * L) if step is None else as_scalar(step, "step", positive=True)
    kernel, backend = select_kernel(problem, backend)
    plan = Plan(problem=problem, method="nonconvex_ag", code=K.NONCONVEX_AG, step_seq=np.array([step]),
                grad_step=1.0 / L, **common)
    return run(plan, kernel, backend)
