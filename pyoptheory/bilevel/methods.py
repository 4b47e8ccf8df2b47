r"""Penalty methods for bilevel problems (Kwon, Kwon, Wright & Nowak, ICLR 2024) and implicit
differentiation, on the problems of :mod:`pyoptheory.bilevel.problems`.

All three methods approach a stationary point of the penalty landscape
``psi_sigma(x) = min_y f(x, y) + (g(x, y) - g*(x))/sigma`` (``sigma`` = ``penalty``), whose value and gradient are
``O(sigma)`` from those of the hyper-objective ``psi`` (theorem ``bilevel.penalty_gap``), using only first-order
oracles of both levels (``implicit`` also uses Hessian-vector products of ``g``):

``penalty`` (double loop)
    per iteration ``T`` projected gradient steps on ``sigma f + g`` for ``y`` (step ``1/(l_g + sigma l_f)``),
    ``T`` on ``g`` for ``z`` (step ``1/l_g``), then
    ``x <- P_X(x - step_x [grad_x f(x, y) + (grad_x g(x, y) - grad_x g(x, z))/sigma])``; ``y`` and ``z`` warm-start.
``penalty_single_loop``
    one step each for ``y``, ``z``, ``x`` per iteration along STORM-type estimators
    ``d_t = v(w_t; xi_t) + (1 - a)(d_{t-1} - v(w_{t-1}; xi_t))`` of the same three directions.
``implicit``
    ``T`` gradient steps on ``g`` for ``y``, ``cg_steps`` conjugate-gradient steps on
    ``grad^2_yy g v = grad_y f`` (warm ``v``), ``x <- P_X(x - step_x (grad_x f - grad^2_xy g v))``: the
    hypergradient of ``psi`` when ``g(x, .)`` is strongly convex (the comparator, ``sigma = 0``).

Stochastic versions: ``batch`` (an int, an array per iteration, or a callable ``k -> B_k``: a minibatch
schedule) samples the oracles: rows of the data for finite sums (ridge), or additive Gaussian noise of
variance ``noise^2 / B`` for the noisy quadratic.  Penalty continuation: ``penalty_start`` and
``penalty_decay`` give ``sigma_k = max(penalty, penalty_start * penalty_decay^k)``.

Step sizes.  Kwon et al.'s step-size schedules are catalogue [M] and could not be confirmed against the
paper; they are **not** used as defaults.  The defaults are the standard safe ones: ``1/(l_g(x) + sigma l_f)``
and ``1/l_g(x)`` for the inner steps, with ``l_g(x)`` the Lipschitz constant of ``grad_y g(x, .)`` at the
current ``x`` (ridge: ``lambda_max(A^T A/n) + max e^lambda``; the global bound over the box would be ``e^12``
times too small a step), and for ``x`` ``1/L`` with ``L`` the smoothness of ``psi_sigma`` when the
problem knows it (the quadratic: ``||B||^2/(1 + sigma) + rho``); other problems need ``step_x``.

The trace records ``fun`` (``psi(x)``, exact where known), ``gap``, ``stationarity`` (the norm of the projected
gradient mapping of ``psi_sigma`` at step ``step_x``: from the exact ``grad psi_sigma`` where the problem has it,
else from Danskin's formula at the current ``y, z`` with exact oracles), ``inner_residual`` (the projected
gradient mappings of the inner problems at ``y`` and ``z``, the larger), ``penalty`` (``sigma_k``), and the
oracle calls of each level: ``upper_grad_evals``, ``lower_grad_evals`` (a deterministic call counts 1, a
stochastic one its batch size; Hessian-vector products count as lower-level calls).  ``stat_tol`` stops a run
at stationarity; a run that ends its budget above ``stat_tol`` returns ``success=False``.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar
from ..methods._driver import StepStream, common_options, run_chunks
from ..registry import register
from ..result import Result, Trace
from . import _reference as R
from ._schedules import PerIteration, RunSchedules
from .problems import BilevelProblem

BACKENDS = ("numpy", "cpp")


class _State:
    def __init__(self, p, x0, y0):
        self.x = x0.copy()
        self.y = y0.copy()
        self.z = y0.copy()
        self.v = np.zeros(p.dim_y)
        self.dx, self.dy, self.dz = np.zeros(p.dim), np.zeros(p.dim_y), np.zeros(p.dim_y)
        self.xp, self.yp, self.zp = np.zeros(p.dim), np.zeros(p.dim_y), np.zeros(p.dim_y)
        self.started = False
        self.calls = np.zeros(2)  # upper, lower


def _has(problem, method, *args):
    try:
        getattr(problem, method)(*args)
        return True
    except NotImplementedError:
        return False


def _core_problem(p):
    from .. import _core

    code, arrays, scal = p.kernel_spec()
    rho, noise = (scal + (0.0, 0.0))[:2] if scal else (0.0, 0.0)
    arrays = tuple(np.ascontiguousarray(a, dtype=float) for a in arrays)
    lmax = getattr(p, "_lmax", 0.0)
    return _core.Bilevel(code, p.dim, p.dim_y, arrays, rho, noise, p.x_lo, p.x_hi, p.y_lo, p.y_hi, lmax)


def _run(problem, method, *, penalty, penalty_start, penalty_decay, step_x, step_y, step_z, inner_steps, batch,
         momentum, cg_steps, stat_tol, backend, y0, options):
    if not isinstance(problem, BilevelProblem):
        raise TypeError(f"problem: expected a pyoptheory.bilevel problem, got {type(problem).__name__}")
    p = problem
    opts = common_options(p, **options)
    steps = opts["steps"]
    builtin = p.kernel_spec() is not None
    backend = ("cpp" if builtin else "numpy") if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend: unknown value {backend!r}; valid: {', '.join(BACKENDS)}")
    if backend == "cpp" and not builtin:
        raise ValueError(f"backend: 'cpp' runs the built-in problems; {p.name!r} runs on 'numpy'")
    c = p.constants
    if method == "implicit":
        if np.any(np.isfinite(p.y_lo)) or np.any(np.isfinite(p.y_hi)):
            raise ValueError("problem: implicit differentiation needs an unconstrained lower level (Y = R^dy)")
        if not c.get("mu_g", 0.0) > 0:
            raise ValueError(f"problem: implicit differentiation needs a strongly convex lower level; "
                             f"{p.name!r} has mu_g = {c.get('mu_g', 0.0)}")
    sch = RunSchedules(p, method, steps, penalty=penalty, penalty_start=penalty_start, penalty_decay=penalty_decay,
                       step_x=step_x, step_y=step_y, step_z=step_z, momentum=momentum, batch=batch)
    l_f, local, beta_z = sch.l_f, sch.local, sch.beta_z0
    T = as_int(inner_steps, "inner_steps", minimum=1 if method != "implicit" else 0)
    cg_steps = as_int(cg_steps, "cg_steps", minimum=0)
    stat_tol = 0.0 if stat_tol is None else as_scalar(stat_tol, "stat_tol", nonnegative=True)
    if method == "implicit" and batch is not None:
        raise ValueError("batch: the implicit-differentiation comparator is deterministic")
    y0 = p.y0 if y0 is None else p.project_y(as_float_array(y0, "y0", shape=(p.dim_y,)))
    st = _State(p, opts["x0"], y0)
    rng = np.random.default_rng(opts["seed"])
    core = _core_problem(p) if backend == "cpp" else None
    kl = dict(local=local, l_f=l_f)
    levels_per = R.PLAN[method](T) if method != "implicit" else []
    exact_sigma = method != "implicit" and _has(p, "grad_psi_sigma", st.x, sch.at(0).sigma)
    exact_psi = _has(p, "psi", st.x)
    f_star = p.f_star if exact_psi else None
    exact_grad_psi = method == "implicit" and _has(p, "grad_psi", st.x)
    cols = {k: [] for k in ("iter", "time", "fun", "gap", "stationarity", "inner_residual", "penalty",
                            "upper_grad_evals", "lower_grad_evals", "grad_evals", "fevals")}
    last = {"stat": np.inf}

    def count(k0, k1, b, hvps=0):  # b: the batch sizes of iterations k0 .. k1-1
        w = np.where(b > 0, b, 1).astype(float)
        if method == "penalty":
            st.calls += [np.sum(w * (T + 1)), np.sum(w * (2 * T + 2))]
        elif method == "penalty_single_loop":
            mult = np.full(k1 - k0, 2.0)
            if k0 == 0 and k1 > 0:
                mult[0] = 1.0
            st.calls += [np.sum(w * 2 * mult), np.sum(w * 4 * mult)]
        else:  # T lower gradients, the Hessian-vector products made, one mixed product per iteration
            st.calls += [k1 - k0, (k1 - k0) * (T + 1) + hvps]

    def stationarity(k):
        now = sch.at(k)
        s, a = now.sigma, now.alpha
        x = st.x
        if method == "implicit":
            if exact_grad_psi:
                gr = p.grad_psi(x)
            else:  # the hypergradient at the current y, v
                fx, _ = p.grad_f(x, st.y)
                gr = fx - p.jvp_xy(x, st.y, st.v)
            _, gy = p.grad_g(x, st.y)
            res = np.linalg.norm(gy)
        else:
            gxy, gy = p.grad_g(x, st.y)
            fx, fy = p.grad_f(x, st.y)
            gxz, gz = p.grad_g(x, st.z)
            gr = p.grad_psi_sigma(x, s) if exact_sigma else fx + (gxy - gxz) / s  # exact, or Danskin at y, z
            by, bz = R.inner_steps(p, x, s, now.beta_y, beta_z, local, l_f)
            res = max(np.linalg.norm(st.y - p.project_y(st.y - by * (gy + s * fy))) / by,
                      np.linalg.norm(st.z - p.project_y(st.z - bz * gz)) / bz)
        return float(np.linalg.norm(p.gradient_mapping(x, gr, a))), float(res), s

    def record(k, elapsed):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported, not warned about
            stat, res, s = stationarity(k)
            fun = float(p.objective(st.x)) if exact_psi else np.nan
        last["stat"] = stat
        for name, value in (("iter", k), ("time", elapsed), ("fun", fun),
                            ("gap", np.nan if f_star is None else fun - f_star), ("stationarity", stat),
                            ("inner_residual", res), ("penalty", s), ("upper_grad_evals", st.calls[0]),
                            ("lower_grad_evals", st.calls[1]), ("grad_evals", st.calls.sum()), ("fevals", 0)):
            cols[name].append(value)

    def prepare(k0, k1):  # the chunk's parameters and draws (memory bounded by the chunk, not the run)
        w = sch.window(k0, k1)
        if method == "implicit":
            return w, None
        levels = np.tile(levels_per, k1 - k0).astype(np.int64)
        per_call = np.repeat(w.batch, len(levels_per))
        return w, R.draw(p, levels, per_call, rng)

    def advance(k0, k1, prepared):
        w, dr = prepared
        hvps = 0
        if method == "implicit":
            fail, hvps = (core.implicit(st.x, st.y, st.v, w.alpha, beta_z, T, cg_steps, k0, k1, local)
                          if core is not None else R.implicit(p, st, w.alpha, beta_z, T, cg_steps, k0, k1, local))
        elif core is not None:
            rows = dr.rows if dr.rows is not None else np.zeros(0, dtype=np.int64)
            eps = dr.eps if dr.eps is not None else np.zeros((0, 0))
            args = (rows, dr.ptr, eps, np.asarray(dr.batch, dtype=float))
            if method == "penalty":
                fail = core.double_loop(st.x, st.y, st.z, w.sigma, w.alpha, w.beta_y, beta_z, T, k0, k1, *args, **kl)
            else:
                fail, st.started = core.single_loop(st.x, st.y, st.z, st.dx, st.dy, st.dz, st.xp, st.yp, st.zp,
                                                    st.started, w.sigma, w.alpha, w.beta_y, w.beta_z, w.momentum, k0,
                                                    k1, *args, **kl)
        elif method == "penalty":
            fail = R.penalty_double_loop(p, st, w.sigma, w.alpha, w.beta_y, beta_z, T, k0, k1, dr, **kl)
        else:
            fail = R.penalty_single_loop(p, st, w.sigma, w.alpha, w.beta_y, w.beta_z, w.momentum, k0, k1, dr, **kl)
        k_end = k1 if fail < 0 else fail + 1
        count(k0, k_end, w.batch[:k_end - k0], hvps)
        return _divergence(fail)

    def build(k, status, message):
        with np.errstate(all="ignore"):  # a diverged run has non-finite iterates
            fun = float(p.objective(st.x)) if exact_psi and np.all(np.isfinite(st.x)) else np.nan
        return Result(x=st.x.copy(), y=st.y.copy(), z=st.z.copy(), fun=fun, nit=int(k), success=status in (0, 6),
                      status=status, message=message, trace=Trace({n: np.asarray(v) for n, v in cols.items()}),
                      backend=backend, seed=opts["seed"], grad_evals=int(st.calls.sum()), fevals=0,
                      upper_grad_evals=int(st.calls[0]), lower_grad_evals=int(st.calls[1]),
                      stationarity=last["stat"], method=method, problem=p.name)

    k, status, message, elapsed = run_chunks(steps, opts["record"], max(1, int(2e7 // max(1, _work(p, method, T)))),
                                             advance, record, build, max_time=opts["max_time"],
                                             callback=opts["callback"], progress=opts["progress"], desc=method,
                                             unit="iteration", check=_stationarity_check(stat_tol, last),
                                             prepare=prepare)
    if cols["iter"][-1] != k and status != 1:
        record(k, elapsed)
    return build(k, *_final_status(status, message, stat_tol, last["stat"], k))


def _stationarity_check(stat_tol, last):
    """The run's ``check``: stop (status 6) once the recorded stationarity is at most ``stat_tol``."""
    def check(k):
        if stat_tol > 0 and last["stat"] <= stat_tol:
            return 6, f"stationarity {last['stat']:.3e} <= stat_tol = {stat_tol:g} at iteration {k}"
        return None
    return check


def _divergence(fail):
    """``advance``'s return: None, or the failure at iteration ``fail``."""
    if fail < 0:
        return None
    return int(fail), 1, f"diverged at iteration {fail}: a non-finite iterate (step sizes too large?)"


def _final_status(status, message, stat_tol, stat, k):
    """A run that ended its budget above ``stat_tol`` did not converge (status 7), and says so."""
    if status == 0 and stat_tol > 0 and stat > stat_tol:
        return 7, (f"not converged: stationarity {stat:.3e} > stat_tol = {stat_tol:g} after {k} iterations (a "
                   f"nonsmooth hyper-objective, a set-valued lower level, or too few iterations)")
    return status, message


def _work(p, method, T):
    d = p.dim * p.dim_y + p.dim_y ** 2 + 10
    return d * (3 * T + 2 if method == "penalty" else 10 if method == "penalty_single_loop" else T + 5)


_COMMON_DOC = """
    Parameters
    ----------
    problem : a :mod:`pyoptheory.bilevel` problem
    penalty : float
        ``sigma > 0``: the penalty landscape ``psi_sigma`` is ``O(sigma)`` from ``psi``.
    penalty_start, penalty_decay : float, optional
        Continuation ``sigma_k = max(penalty, penalty_start * penalty_decay^k)``.
    step_x, step_y, step_z : float, array or callable, optional
        Steps of ``x`` (default ``1/L(psi_sigma)`` where known), of ``y`` and of ``z``.  When neither ``step_y``
        nor ``step_z`` is given the inner steps are local, ``1/(l_g(x) + sigma l_f)`` and ``1/l_g(x)`` at the
        current ``x``; given ones must not exceed the global ``1/(l_g + sigma l_f)`` and ``1/l_g`` (``l_g``
        the problem's bound over the box), and a missing one then defaults to that global value.
    batch : int, array or callable, optional
        Minibatch sizes per iteration (None: exact oracles).
    stat_tol : float, optional
        Stop when the stationarity (module docstring) falls below; a run that does not reach it returns
        ``success=False`` (status 7).
    backend : {"cpp", "numpy"}
    **options
        ``x0, steps, max_time, seed, callback, record, progress``; ``y0`` starts ``y`` and ``z``.
"""


@register("penalty", accepts=("bilevel",), backends=BACKENDS)
def penalty(problem, *, penalty=1e-2, penalty_start=None, penalty_decay=0.99, step_x=None, step_y=None, step_z=None,
            inner_steps=10, batch=None, stat_tol=None, backend=None, y0=None, **options):
    """Double-loop penalty method for bilevel problems (Kwon et al., ICLR 2024); see the module docstring."""
    return _run(problem, "penalty", penalty=penalty, penalty_start=penalty_start, penalty_decay=penalty_decay,
                step_x=step_x, step_y=step_y, step_z=step_z, inner_steps=inner_steps, batch=batch, momentum=1.0,
                cg_steps=0, stat_tol=stat_tol, backend=backend, y0=y0, options=options)


@register("penalty_single_loop", accepts=("bilevel",), backends=BACKENDS)
def penalty_single_loop(problem, *, penalty=1e-2, penalty_start=None, penalty_decay=0.99, step_x=None, step_y=None,
                        step_z=None, momentum=0.1, batch=None, stat_tol=None, backend=None, y0=None, **options):
    """Single-loop penalty method with STORM-type momentum estimators (``momentum`` = a, a number, an array
    per iteration or a callable; ``step_y``, ``step_z`` may be schedules too); see the module docstring."""
    return _run(problem, "penalty_single_loop", penalty=penalty, penalty_start=penalty_start,
                penalty_decay=penalty_decay, step_x=step_x, step_y=step_y, step_z=step_z, inner_steps=1, batch=batch,
                momentum=momentum, cg_steps=0, stat_tol=stat_tol, backend=backend, y0=y0, options=options)


@register("implicit", accepts=("bilevel",), backends=BACKENDS)
def implicit(problem, *, step_x=None, step_z=None, inner_steps=10, cg_steps=20, stat_tol=None, backend=None, y0=None,
             **options):
    """Implicit-differentiation hypergradient descent (strongly convex lower level); see the module
    docstring.  ``step_x`` defaults to ``1/L(psi)`` where the problem knows it."""
    return _run(problem, "implicit", penalty=None, penalty_start=None, penalty_decay=1.0, step_x=step_x, step_y=None,
                step_z=step_z, inner_steps=inner_steps, batch=None, momentum=1.0, cg_steps=cg_steps, stat_tol=stat_tol,
                backend=backend, y0=y0, options=options)


for _f in (penalty, penalty_single_loop, implicit):
    _f.__doc__ += _COMMON_DOC


class _BlockSampler:
    """The blockwise method's randomness for ``m`` iterations, one row per iteration: the ``I`` sampled blocks
    (without replacement), then ``B`` training and ``B`` validation rows in each (with replacement)."""

    batch_size = None

    def __init__(self, problem, n_sampled, batch):
        self.p, self.I, self.B = problem, n_sampled, batch

    def draws_per_step(self):
        return self.p.n_blocks + 2 * self.I * self.B

    def draw(self, rng, m):
        p, I, B = self.p, self.I, self.B
        blocks = np.argsort(rng.random((m, p.n_blocks)), axis=1)[:, :I].astype(np.int64)
        n_i, m_i = np.diff(p.offsets)[blocks], np.diff(p.offsets_val)[blocks]
        rows_g = p.offsets[blocks][..., None] + (rng.random((m, I, B)) * n_i[..., None]).astype(np.int64)
        rows_f = p.offsets_val[blocks][..., None] + (rng.random((m, I, B)) * m_i[..., None]).astype(np.int64)
        return np.concatenate([blocks, rows_g.reshape(m, I * B), rows_f.reshape(m, I * B)], axis=1), None


@register("blockwise", accepts=("multiblock_bilevel",), backends=BACKENDS)
def blockwise(problem, *, blocks_per_step=1, batch=8, momentum=0.1, step_x=0.2, stat_tol=None, backend=None,
              **options):
    r"""Blockwise stochastic method for many lower-level problems (Hu, Zhong, Yang, Yang & Xiong, "Blockwise
    stochastic variance-reduced methods with parallel speedup for multi-block bilevel optimization", ICML 2023;
    catalogue structured.md 3.8) on :class:`~pyoptheory.bilevel.problems.MultiBlockRidge`.

    Each iteration samples ``I = blocks_per_step`` of the ``m`` blocks (without replacement) and, in each,
    ``B = batch`` training and ``B`` validation rows (with replacement); for a sampled block ``i`` it updates
    moving averages ``u_i <- (1 - a) u_i + a grad_theta g_i(x, theta_i; xi)`` and
    ``H_i <- (1 - a) H_i + a grad^2_theta g_i(x, theta_i; xi)`` (the low-dimensional "Hessian tracking" variant),
    forms the block hypergradient ``grad_x f_i - grad^2_{x theta} g_i H_i^-1 grad_theta f_i(theta_i; xi')``, steps
    ``theta_i <- theta_i - u_i / l_{g,i}(x)``, and moves ``x`` along the moving average ``z`` of the mean
    hypergradient over the sampled blocks: ``x <- P_X(x - step_x z)``.  Unsampled blocks wait.

    The paper's estimators are MSVR/STORM-type (with correction terms at the previous iterate) and its
    iteration complexity is ``O(m eps^-3 [I < m] / (I sqrt(I)) + m eps^-3 / (I sqrt(B)))`` (catalogue [V-src
    abstract; details M]); the estimators here are the plain moving averages (a documented simplification,
    unconfirmed against the paper), and what is checked is the claim's direction: iterations to a target fall
    as ``I`` and ``B`` grow (tests/test_bilevel.py measures it and prints the fitted
    exponents).  ``momentum`` (``a``) may be a schedule.  Trace and Result as the other bilevel methods, with
    ``stationarity`` the exact projected gradient mapping of ``psi`` at ``step_x``.
    """
    from .problems import MultiBlockRidge

    if not isinstance(problem, MultiBlockRidge):
        raise TypeError(f"problem: the blockwise method takes a MultiBlockRidge problem, got {type(problem).__name__}")
    p = problem
    opts = common_options(p, **options)
    steps = opts["steps"]
    backend = "cpp" if backend is None else backend
    if backend not in BACKENDS:
        raise ValueError(f"backend: unknown value {backend!r}; valid: {', '.join(BACKENDS)}")
    n_sampled = as_int(blocks_per_step, "blocks_per_step", minimum=1)
    if n_sampled > p.n_blocks:
        raise ValueError(f"blocks_per_step: at most the number of blocks m = {p.n_blocks}, got {n_sampled}")
    B = as_int(batch, "batch", minimum=1)
    alpha = PerIteration(step_x, "step_x", steps)
    mom = PerIteration(momentum, "momentum", steps, upper=1.0, upper_text="lie in (0, 1]")
    a0 = float(alpha.window(0, 1)[0]) if steps else 1.0  # (checks a callable's first values before the run)
    if steps:
        mom.window(0, 1)
    stat_tol = 0.0 if stat_tol is None else as_scalar(stat_tol, "stat_tol", nonnegative=True)
    st = _State(p, opts["x0"], np.zeros(p.dim_y))
    st.theta = st.y.reshape(p.n_blocks, p.d)  # a view: y is the stacked theta_i
    st.u = np.zeros((p.n_blocks, p.d))
    st.H = np.zeros((p.n_blocks, p.d, p.d))
    st.seen = np.zeros(p.n_blocks, dtype=bool)
    st.zx = np.zeros(p.dim)
    f_star = p.f_star  # computed for one or two upper variables, else None
    cols = {k: [] for k in ("iter", "time", "fun", "gap", "stationarity", "upper_grad_evals", "lower_grad_evals",
                            "grad_evals", "fevals")}
    last = {"stat": np.inf}

    def record(k, elapsed):
        with np.errstate(over="ignore", invalid="ignore"):
            stat = float(np.linalg.norm(p.gradient_mapping(st.x, p.grad_psi(st.x), a0)))
            fun = float(p.psi(st.x))
        last["stat"] = stat
        for name, value in (("iter", k), ("time", elapsed), ("fun", fun),
                            ("gap", np.nan if f_star is None else fun - f_star), ("stationarity", stat),
                            ("upper_grad_evals", st.calls[0]), ("lower_grad_evals", st.calls[1]),
                            ("grad_evals", st.calls.sum()), ("fevals", 0)):
            cols[name].append(value)

    stream = StepStream(_BlockSampler(p, n_sampled, B), opts["seed"])

    def prepare(k0, k1):  # what iteration k samples depends on the seed and k only, not on the chunks
        packed, _ = stream.take(k0, k1)
        m, IB = k1 - k0, n_sampled * B
        blocks = np.ascontiguousarray(packed[:, :n_sampled])
        rows_g = np.ascontiguousarray(packed[:, n_sampled:n_sampled + IB].reshape(m, n_sampled, B))
        rows_f = np.ascontiguousarray(packed[:, n_sampled + IB:].reshape(m, n_sampled, B))
        return blocks, rows_g, rows_f, np.ascontiguousarray(alpha.window(k0, k1)), mom.window(k0, k1)

    core = None
    if backend == "cpp":
        from .. import _core

        core = _core.MultiRidge(p.A_all, p.t_all, p.Av_all, p.tv_all, p.lmax, p.x_lo, p.x_hi)

    def advance(k0, k1, prepared):
        blocks, rows_g, rows_f, a, m = prepared
        if core is not None:
            fail, st.started = core.advance(st.x, st.y, st.u, st.H, st.seen, st.zx, st.started, a, m, blocks, rows_g,
                                            rows_f)
            fail = fail + k0 if fail >= 0 else fail
        else:
            fail = R.blockwise(p, st, a, m, k0, k1, blocks, rows_g, rows_f)
        done = (k1 if fail < 0 else fail + 1) - k0
        st.calls += [done * n_sampled * B, done * n_sampled * B * 2]  # per block: B validation, B training rows
        return _divergence(fail)

    def build(k, status, message):
        with np.errstate(all="ignore"):
            fun = float(p.psi(st.x)) if np.all(np.isfinite(st.x)) else np.nan
        return Result(x=st.x.copy(), y=st.y.copy(), fun=fun, nit=int(k), success=status in (0, 6), status=status,
                      message=message, trace=Trace({n: np.asarray(v) for n, v in cols.items()}), backend=backend,
                      seed=opts["seed"], grad_evals=int(st.calls.sum()), fevals=0, upper_grad_evals=int(st.calls[0]),
                      lower_grad_evals=int(st.calls[1]), stationarity=last["stat"], method="blockwise",
                      problem=p.name)

    k, status, message, elapsed = run_chunks(steps, opts["record"], max(1, int(2e7 // (n_sampled * B * p.d ** 2 + 100))),
                                             advance, record, build, max_time=opts["max_time"],
                                             callback=opts["callback"], progress=opts["progress"], desc="blockwise",
                                             unit="iteration", check=_stationarity_check(stat_tol, last),
                                             prepare=prepare)
    if cols["iter"][-1] != k and status != 1:
        record(k, elapsed)
    return build(k, *_final_status(status, message, stat_tol, last["stat"], k))
