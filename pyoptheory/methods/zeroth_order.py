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

from .._validation import MAX_STEPS, as_int, as_scalar
from ..problems.base import ConstantUnavailable
from ..kernels import layout as K
from ..registry import register
from ._driver import Plan, common_options, run, start_distance
from ._sequences import AVERAGED, AveragingWeights
from ._reference import fg_alpha, select_kernel

BACKENDS = ("numpy", "cpp")


class GaussianDirections:
    """The driver's source of randomness for the gradient-free step: ``q`` directions ``u ~ N(0, I)`` per step as
    the noise rows (step ``k`` of a chunk uses rows ``k q .. k q + q - 1``)."""

    batch_size = None

    def __init__(self, dim, q=1):
        self.dim, self.q = dim, q

    def draw(self, rng, m):
        return np.zeros((0, 1), dtype=np.int64), rng.standard_normal((m * self.q, self.dim))

    def draws_per_step(self):
        return self.dim * self.q


def _declared(problem, key, argument):
    """The problem's constant ``key``, or a ValueError naming ``argument``, whose default needs it."""
    try:
        return problem.constants[key]
    except ConstantUnavailable as exc:
        raise ValueError(f"{argument}: its default needs a constant this problem does not declare ({exc.args[0]}); "
                         f"pass {argument}=") from None


def _run_zeroth(problem, name, code, step, default_step, smoothing, output, backend, options, directions=1,
                scal_init=None):
    """The driver run of the zeroth-order methods (kernel ``code``): ``step`` given, or
    ``default_step(common_options)``; ``directions`` Gaussian directions per step drawn per chunk (0: none)."""
    smoothing = as_scalar(smoothing, "smoothing", positive=True)
    common = common_options(problem, output=output, outputs=("last",) + AVERAGED, **options)
    if step is None:
        try:
            step = default_step(common)
        except ConstantUnavailable as exc:
            raise ValueError(f"step: {name}'s default step needs a constant this problem does not declare "
                             f"({exc.args[0]}); pass step=") from None
    step = as_scalar(step, "step", positive=True)
    n = common["steps"]
    seq = np.array([step])
    avg_w = AveragingWeights(common["output"], n, seq) if common["output"] in AVERAGED else None
    kernel, backend = select_kernel(problem, backend, BACKENDS)
    plan = Plan(problem=problem, method=name, code=code, step_seq=seq, avg_w=avg_w, eta=smoothing,
                scal_init=dict(scal_init or {}),
                stochastic=GaussianDirections(problem.dim, directions) if directions else None, **common)
    return run(plan, kernel, backend)


@register("zo_rgf", accepts=("smooth", "composite", "constrained", "black_box"), backends=BACKENDS,
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

    return _run_zeroth(problem, "zo_rgf", K.ZO_GAUSS, step, default_step, smoothing, output, backend, options)


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

    return _run_zeroth(problem, "zo_random_search", K.ZO_GAUSS, step, default_step, smoothing, output, backend,
                       options)


@register("zo_gd", accepts=("smooth", "black_box"), backends=BACKENDS, theorem="zo_gd.cge")
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

    return _run_zeroth(problem, "zo_gd", K.ZO_CGE, step, default_step, smoothing, output, backend, options,
                       directions=0)


def accelerated_sequences(theta, tau, gamma0, steps):
    r"""FG_s's scalar sequences for ``k = 0 .. steps``: ``psi_k = prod_{i<k} (1 - alpha_i)`` and
    ``C_k = 1 + sum_{i=1}^{k-1} prod_{j=k-i}^{k-1} (1 - alpha_j)`` (``C_0 = 0``), where ``alpha_k`` solves
    ``alpha^2/theta = (1 - alpha) gamma_k + alpha tau = gamma_{k+1}`` (Nesterov & Spokoiny 2017, Theorem 9).
    Deterministic: they depend on ``theta``, ``tau`` and ``gamma_0`` only."""
    psi, C = np.empty(steps + 1), np.empty(steps + 1)
    psi[0], C[0], gamma = 1.0, 0.0, gamma0
    tail = 0.0  # sum_{i=1}^{k-1} prod_{j=k-i}^{k-1} (1 - alpha_j), updated as tail_{k+1} = (1 - alpha_k)(1 + tail_k)
    for k in range(steps):
        alpha, gamma = fg_alpha(theta, tau, gamma)
        psi[k + 1] = psi[k] * (1.0 - alpha)
        tail = (1.0 - alpha) * (tail + (1.0 if k >= 1 else 0.0))
        C[k + 1] = 1.0 + tail
    return psi, C


@register("zo_accelerated", accepts=("smooth",), backends=BACKENDS, theorem="zo_accelerated.convex")
def zo_accelerated(problem, *, step=None, theta=None, strong_convexity=0.0, gamma0=None, smoothing=1e-4,
                   output="last", backend=None, **options):
    r"""Accelerated random gradient-free method FG_s (Nesterov & Spokoiny, FoCM 2017, section 6, method (60);
    catalogue first-order.md 5.1), for smooth convex or ``tau``-strongly convex ``f`` (``tau`` =
    ``strong_convexity``; ``mu`` stays the problem's constant).

    Algorithm
        ``gamma_0 >= tau``, ``v_0 = x_0``.  Step ``k``: ``alpha_k > 0`` solves
        ``alpha_k^2/theta = (1 - alpha_k) gamma_k + alpha_k tau =: gamma_{k+1}``;
        ``lambda_k = alpha_k tau/gamma_{k+1}``, ``beta_k = alpha_k gamma_k/(gamma_k + alpha_k tau)``,
        ``y_k = (1 - beta_k) x_k + beta_k v_k``; ``g_k = (f(y_k + s u_k) - f(y_k))/s u_k``, ``u_k ~ N(0, I)``;
        ``x_{k+1} = y_k - h g_k``, ``v_{k+1} = (1 - lambda_k) v_k + lambda_k y_k - (theta/alpha_k) g_k``.
        Two function values per step.
    Parameters
        ``step`` ``h`` (default ``1/(4(n + 4)L)``), ``theta`` (default ``1/(16(n + 4)^2 L)``; the paper prints
        ``(n + 1)``, which its proof does not support: the Lean statement uses ``n + 4``), ``gamma0``
        (default ``max(L, tau)``), ``strong_convexity`` ``tau`` (default 0, the convex case), ``smoothing``.
    Guarantee
        ``E f(x_k) - f* <= psi_k [f(x_0) - f* + (gamma_0/2)||x_0 - x*||^2] + s^2 L (n + 3(n + 8) C_k/16)``
        with ``psi_k <= (1 + k sqrt(gamma_0/L)/(8(n + 4)))^-2`` (the ``n^2/k^2`` rate) and
        ``psi_k <= (1 - sqrt(tau/L)/(4(n + 4)))^k`` (theorem ``zo_accelerated.convex``; ``psi_k`` and ``C_k``
        from :func:`accelerated_sequences`).
    """
    tau = as_scalar(strong_convexity, "strong_convexity", nonnegative=True)
    n = problem.dim
    if output != "last":
        raise ValueError("output: the accelerated method returns its last iterate x_k (leave output at 'last')")
    theta = (1.0 / (16 * (n + 4) ** 2 * _declared(problem, "L", "theta")) if theta is None
             else as_scalar(theta, "theta", positive=True))
    gamma0 = (max(_declared(problem, "L", "gamma0"), tau) if gamma0 is None
              else as_scalar(gamma0, "gamma0", positive=True))
    if gamma0 < tau:
        raise ValueError(f"gamma0: must be >= strong_convexity ({tau}), got {gamma0}")

    def default_step(common):
        return 1.0 / (4 * (n + 4) * problem.constants["L"])

    return _run_zeroth(problem, "zo_accelerated", K.ZO_ACCEL, step, default_step, smoothing, "last", backend,
                       options, scal_init={K.S_BETA: theta, K.S_MU: tau, K.S_LAMBDA: gamma0})


@register("zo_rge", accepts=("smooth", "composite", "constrained", "black_box"), backends=BACKENDS)
def zo_rge(problem, *, q=10, step=None, smoothing=1e-4, output="last", backend=None, **options):
    r"""Zeroth-order (stochastic) gradient descent on the randomized vector-wise estimate RGE (DeepZero, Chen et
    al. ICLR 2024, catalogue first-order.md 5.2; ``q = 1`` is Nesterov & Spokoiny's RG_s).

    Algorithm
        ``x_{k+1} = prox_{h g}(x_k - h g_k)``, ``g_k = (1/q) sum_{j<q} (f(x_k + s u_j) - f(x_k))/s u_j``,
        ``u_j ~ N(0, I)`` fresh each step: ``q + 1`` function values per step (the unbiased form for the gradient
        of ``f_s``; DeepZero's code normalises the directions and drops the ``d/s`` factor).
    Parameters
        ``q`` directions (``q >= 1``); ``step`` (default ``1/(4 L ((n + 4)/q + 1))``: on a quadratic
        ``E||g||^2 <= (4(n + 4)/q + 1)||grad f||^2`` plus the smoothing term, the ``q``-direction version of
        Nesterov & Spokoiny's ``h = 1/(4(n + 4)L)``; a derived default, no theorem of the library is stated
        for ``q > 1``); ``smoothing`` ``s``.
    Notes
        Its mean squared error on a quadratic with ``H = I`` is
        ``[(d + 1)||grad f||^2 + (s^2/4) d(d + 2)(d + 4)]/q`` (tested), so at an equal number of queries RGE
        trades the ``d + 1`` evaluations of CGE for a variance that grows as ``d/q``.
    """
    q = as_int(q, "q", minimum=1)

    def default_step(common):
        return 1.0 / (4 * problem.constants["L"] * ((problem.dim + 4) / q + 1))

    return _run_zeroth(problem, "zo_rge", K.ZO_GAUSS, step, default_step, smoothing, output, backend, options,
                       directions=q)


# --- GFM and GFM+ (nonsmooth nonconvex stochastic problems, Goldstein stationarity) ---------------------------

class _PairSource:
    """GFM's randomness, one pair per row: ``xi`` (``problem.sample``) and a direction ``w`` uniform on the
    sphere; a :class:`~pyoptheory.methods._driver.StepStream` over it draws fixed blocks of pairs."""

    batch_size = None

    def __init__(self, problem):
        self.problem = problem

    def draws_per_step(self):
        return 2 * self.problem.dim

    def draw(self, rng, m):
        Xi = self.problem.sample(rng, m)
        Wz = rng.standard_normal((m, self.problem.dim))
        return Xi, Wz / np.maximum(np.linalg.norm(Wz, axis=1, keepdims=True), 1e-300)


def _run_gfm(problem, plus, smoothing, step, batch, big_batch, period, backend, options):
    """The loop shared by GFM and GFM+: pairs (w, xi) drawn per chunk in Python, the compiled or reference
    kernel, checkpoints with the Goldstein stationarity of the current iterate, the random output x_R."""
    from ..result import Result, Trace
    from . import _gfm_reference as GR
    from ._driver import StepStream, run_chunks

    if not all(hasattr(problem, a) for a in ("sample", "differences", "stationarity", "kernel_args")):
        raise TypeError(f"problem: GFM runs on a stochastic problem of pyoptheory.zeroth (StochasticNorm, "
                        f"PenalizedSVM), got {type(problem).__name__}")
    backend = "cpp" if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend: unknown value {backend!r}; valid: {', '.join(BACKENDS)}")
    opts = common_options(problem, **options)
    T, d = opts["steps"], problem.dim
    pairs = StepStream(_PairSource(problem), opts["seed"])  # the stream of pairs (w, xi), in fixed blocks
    R = int(pairs.rng.integers(0, T)) if T else 0  # drawn first, before any pair
    x, xprev, v, xR = opts["x0"].copy(), opts["x0"].copy(), np.zeros(d), opts["x0"].copy()
    counts = {"fevals": 0}
    cols = {c: [] for c in ("iter", "time", "fun", "gap", "stationarity", "fevals", "grad_evals")}

    def sizes(k0, k1):
        ks = np.arange(k0, k1)
        if not plus:
            return np.full(k1 - k0, batch, dtype=np.int64)
        return np.where(ks % period == 0, big_batch, batch).astype(np.int64)

    def pairs_before(k):  # pairs used by iterations 0 .. k-1 (GFM+: a big batch at every multiple of period)
        return k * batch + (-(-k // period) * (big_batch - batch) if plus else 0)

    def prepare(k0, k1):  # iteration k's pairs depend on the seed and k only, not on how the run is cut in chunks
        c = sizes(k0, k1)
        ptr = np.concatenate([[0], np.cumsum(c)]).astype(np.int64)
        Xi, W = pairs.take(pairs_before(k0), pairs_before(k1))
        return np.ascontiguousarray(W), np.ascontiguousarray(Xi), ptr, c

    def advance(k0, k1, prepared):
        W, Xi, ptr, c = prepared
        if backend == "cpp":
            from .. import _core

            fail = _core.gfm_advance(x, xprev, v, xR, smoothing, step, plus, period, R, k0, k1, W,
                                     ptr=ptr, **problem.kernel_args(Xi))
        else:
            fail = GR.advance(problem, x, xprev, v, xR, smoothing, step, plus, period, R, k0, k1, W, Xi, ptr)
        done = (k1 if fail < 0 else fail + 1) - k0
        ks = np.arange(k0, k0 + done)
        two_points = plus & (ks % period != 0)
        counts["fevals"] += int(np.sum(2 * c[:done] * np.where(two_points, 2, 1)))
        if fail < 0:
            return None
        return int(fail), 1, f"diverged at iteration {fail}: a non-finite iterate (step too large?)"

    def record(k, elapsed):
        fun = problem.f(x) if np.all(np.isfinite(x)) else np.nan
        for name, value in (("iter", k), ("time", elapsed), ("fun", fun), ("gap", fun), 
                            ("stationarity", problem.stationarity(x, smoothing) if np.isfinite(fun) else np.nan),
                            ("fevals", counts["fevals"]), ("grad_evals", 0)):
            cols[name].append(value)

    def build(k, status, message):
        out = xR if k > R else x  # x_R once the run has reached iteration R
        return Result(x=out.copy(), fun=problem.f(out), nit=int(k), success=status == 0, status=status,
                      message=message, trace=Trace({c_: np.asarray(v_) for c_, v_ in cols.items()}), backend=backend,
                      seed=opts["seed"], grad_evals=0, fevals=counts["fevals"], output_index=R, x_last=x.copy(),
                      stationarity=problem.stationarity(out, smoothing), method="gfm_plus" if plus else "gfm",
                      problem=problem.name)

    work = (big_batch if plus else batch) * d * 4 + 100
    k, status, message, elapsed = run_chunks(T, opts["record"], max(1, int(2e6 // work)), advance, record, build,
                                             max_time=opts["max_time"], callback=opts["callback"],
                                             progress=opts["progress"], desc="gfm_plus" if plus else "gfm",
                                             unit="iteration", prepare=prepare)
    if cols["iter"][-1] != k and status != 1:
        record(k, elapsed)
    return build(k, status, message)


def _gfm_constants(problem, smoothing):
    c = problem.constants
    d, L = problem.dim, c["L"]
    return d, L, c["Delta"], d * L / smoothing  # l = d L / delta: the always-valid smoothness of f_delta [D]


@register("gfm", accepts=("stochastic_zo",), backends=BACKENDS)
def gfm(problem, *, smoothing=0.1, step=None, batch=1, backend=None, **options):
    r"""Gradient-free method (GFM; Lin, Zheng & Jordan, NeurIPS 2022; catalogue first-order.md 5.3) for
    ``min E F(x; xi)`` with ``F(., xi)`` Lipschitz, possibly nonsmooth and nonconvex: SGD on the uniform-ball
    smoothing ``f_delta`` (``delta`` = ``smoothing``) with the estimate
    ``g = d/(2 delta) (F(x + delta w; xi) - F(x - delta w; xi)) w``, ``w`` uniform on the sphere, averaged over
    ``batch`` pairs; output ``x_R`` with ``R`` uniform in ``{0 .. T-1}`` (``Result.x``; ``x_last`` too).

    Default step (derived, catalogue 5.3 with the crude constants that always hold): ``eta =
    sqrt(2 (Delta + 2 delta L)/(l sigma^2 T))`` with ``l = d L/delta`` and ``sigma^2 = d^2 L^2`` (``||g|| <= d L(xi)``).
    The trace's ``stationarity`` is the Goldstein ``delta``-stationarity of the current iterate (closed form).
    """
    smoothing = as_scalar(smoothing, "smoothing", positive=True)
    batch = int(as_scalar(batch, "batch", positive=True))
    if step is None:
        d, L, Delta, ell = _gfm_constants(problem, smoothing)
        T = max(as_int(options.get("steps", 1000), "steps", minimum=0, maximum=MAX_STEPS), 1)
        step = float(np.sqrt(2 * (Delta + 2 * smoothing * L) / (ell * d * d * L * L * T)))
    step = as_scalar(step, "step", positive=True)
    return _run_gfm(problem, False, smoothing, step, batch, batch, 1, backend, options)


@register("gfm_plus", accepts=("stochastic_zo",), backends=BACKENDS)
def gfm_plus(problem, *, smoothing=0.1, step=None, batch=None, big_batch=None, period=None, target=0.1,
             backend=None, **options):
    r"""GFM+ (Chen, Xu & Luo, ICML 2023; catalogue first-order.md 5.3): the recursive (SPIDER-type) estimator
    ``v_k = v_{k-1} + (1/b) sum_i [g(x_k; w_i, xi_i) - g(x_{k-1}; w_i, xi_i)]`` with the same pairs at both points,
    restarted with ``big_batch`` pairs every ``period`` iterations; ``x_{k+1} = x_k - step v_k``; output ``x_R``.

    Defaults from ``target`` (the stationarity aimed at; the paper's exact constants are catalogue [M], these
    follow its parameter scalings): ``big_batch = ceil(d L^2/target^2)``, ``batch = period =
    ceil(sqrt(big_batch))``, ``step = delta/(2 d L)`` (``1/(2 l)``, ``l = d L/delta``).
    """
    smoothing = as_scalar(smoothing, "smoothing", positive=True)
    big, batch, period = gfm_plus_batches(problem, target, big_batch, batch, period)
    if step is None:
        step = 1.0 / (2 * _gfm_constants(problem, smoothing)[3])  # 1/(2 l), l = d L/delta
    step = as_scalar(step, "step", positive=True)
    return _run_gfm(problem, True, smoothing, step, batch, big, period, backend, options)


def gfm_plus_batches(problem, target=0.1, big_batch=None, batch=None, period=None):
    """GFM+'s ``(big_batch, batch, period)``: the given values, else ``big_batch = ceil(d L^2/target^2)`` and
    ``batch = period = ceil(sqrt(big_batch))``; one iteration then costs ``(2 big_batch + 4 batch (period - 1))
    / period`` function values on average."""
    target = as_scalar(target, "target", positive=True)
    d, L = problem.dim, problem.constants["L"]
    big = int(np.ceil(d * L * L / target ** 2)) if big_batch is None else int(as_scalar(big_batch, "big_batch",
                                                                                         positive=True))
    root = int(np.ceil(np.sqrt(big)))
    batch = root if batch is None else int(as_scalar(batch, "batch", positive=True))
    period = root if period is None else int(as_scalar(period, "period", positive=True))
    return big, batch, period
