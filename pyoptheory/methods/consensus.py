r"""Consensus-based optimization (CBO) and consensus hopping: derivative-free particle methods.

Problem: minimize a black-box ``f`` on ``R^d`` (values only; :func:`pyoptheory.problems.black_box`, or a
built-in landscape of :mod:`pyoptheory.problems.landscapes`, which runs entirely in C++).

Algorithm (one step, every run of the ``M`` independent runs; Euler-Maruyama with the noise amplitude at
the pre-drift position, the convention of CBXpy and of Carrillo, Jin, Li and Zhu 2021):

.. math::

    v_k = \frac{\sum_i x_i \omega_\alpha(x_i)}{\sum_i \omega_\alpha(x_i)}, \quad
    \omega_\alpha(x) = e^{-\alpha (f(x) - \min_j f(x_j))}, \qquad
    x_i \leftarrow x_i - \lambda\, \Delta t\, (x_i - v_k) + \sigma \sqrt{\Delta t}\, D(x_i - v_k)\, \xi_i,

``D(u) = ||u||_2 I`` (``noise="isotropic"``, Carrillo, Choi, Totzeck and Tse 2018) or ``diag(u)``
(``"anisotropic"``, Carrillo, Jin, Li and Zhu 2021), ``xi_i ~ N(0, I_d)``; ``lambda`` is ``drift``,
``sigma`` is ``noise_std``.  Pinnau et al. (2017) write the noise as ``sqrt(2) sigma``: with their sigma the
conditions read ``lambda > d sigma^2`` (``lambda > sigma^2`` anisotropic), which are ours for ``sqrt(2) sigma``.  With ``batch_size = B`` the particles of each run are split at every
step into random batches of ``B`` (the random batch method of Carrillo et al. 2021) and each moves
toward its batch's consensus.  ``alpha_schedule``: ``"fixed"``; ``"geometric"``
(``alpha <- min(alpha_factor alpha, alpha_max)`` after every step, CBXpy's default with 1.05 and 1e5);
``"ess"`` (``alpha`` solves ``(sum w)^2 / sum w^2 = ess_eta N`` before every step, Carrillo, Hoffmann,
Stuart and Vaes 2022).

Consensus hopping (Riedl, Klock, Geldhauser and Fornasier, "Gradient is All You Need?", arXiv:2306.09778):
``x_{k+1} = v_alpha`` of ``N`` samples from ``N(x_k, sigma^2 I)``.  As ``alpha -> inf`` with
``alpha sigma^2 = tau`` fixed it tends to the proximal step ``argmin_y f(y) + ||y - x_k||^2 / (2 tau)``
(the weights are ``exp(-alpha [f(y) + ||y - x_k||^2 / (2 alpha sigma^2)])`` against a flat measure),
a gradient-free implicit gradient step.

Guarantee (Fornasier, Klock and Riedl, SIAM J. Optim. 2024, Theorem 3.7; anisotropic: Fornasier, Klock,
Riedl, EvoApplications 2022): in the mean-field limit, for ``2 lambda > d sigma^2`` (``> sigma^2``
anisotropic) and ``alpha`` large enough, ``V(t) = (1/2) E||X_t - x*||^2 <= V(0) exp(-(1 - tau)(2 lambda -
d sigma^2) t)`` until ``V`` reaches a chosen ``eps``; see :mod:`pyoptheory.theory.consensus`.

Randomness: the particle noise is the counter-based Philox stream of :mod:`pyoptheory.random_stream`
(counter = block, particle, step, purpose; key = seed), which the NumPy reference replays exactly; the
initial particles come from ``numpy.random.default_rng(seed)``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, choose
from ..problems.landscapes import Landscape
from ..registry import register
from ..result import Result, StepSizeWarning, Trace
from . import _cbo_reference as R
from ._driver import common_options, run_chunks

BACKENDS = ("numpy", "cpp")
OUTPUTS = ("consensus", "best")
#: Steps per kernel call between checkpoints, at most (about 2e7 particle coordinates of work).
_WORK_PER_CALL = 2e7


class ObjectiveWarning(RuntimeWarning):
    """The objective returned non-finite values for some particles (they were left out of the consensus)."""


def _options(problem, *, backend, output, **common):
    """The options every method shares (``common_options``), plus the particle methods' backend and output."""
    opts = common_options(problem, **common)
    opts["backend"] = "cpp" if backend is None else choose(backend, "backend", BACKENDS)
    opts["output"] = choose(output, "output", OUTPUTS)
    return opts


def _initial_particles(problem, init, x0, init_std, runs, n, seed):
    """``init``: an array (N, d) or (M, N, d), ``"normal"`` (N(x0, init_std^2 I)) or ``"uniform"`` (the
    problem's domain); random draws from ``default_rng(seed)``, shared by every backend."""
    d = problem.dim
    if isinstance(init, str):
        init = choose(init, "init", ("normal", "uniform"))
        rng = np.random.default_rng(seed)
        if init == "normal":
            return x0 + init_std * rng.standard_normal((runs, n, d))
        if getattr(problem, "domain", None) is None:
            raise ValueError(f"init: 'uniform' needs a problem with a domain; {problem.name!r} has none")
        lo, hi = problem.domain
        return lo + (hi - lo) * rng.random((runs, n, d))
    X = as_float_array(init, "init")
    if X.ndim == 2:
        X = np.broadcast_to(X, (runs,) + X.shape).copy()
    if X.ndim != 3 or X.shape[0] != runs or X.shape[2] != d or X.shape[1] < 2:
        raise ValueError(f"init: expected particles of shape (N, {d}) or ({runs}, N, {d}) with N >= 2, got "
                         f"{np.shape(init)}")
    return np.ascontiguousarray(X)


class _Particles:
    """The state of a particle run and the backend that advances it."""

    def __init__(self, problem, cfg, X, alpha, backend, n_threads):
        self.problem, self.cfg, self.backend, self.n_threads = problem, cfg, backend, n_threads
        self.X = X
        M, N, d = X.shape
        self.alpha = alpha
        self.builtin = isinstance(problem, Landscape)
        self.fevals = 0
        self.excluded = 0
        self.run_fail = np.full(M, -1, dtype=np.int64)  # the step at which a run stopped, -1 while it runs
        self.run_code = np.zeros(M, dtype=np.int64)
        self.F = self.values(X)

    def values(self, X):
        M, N, d = X.shape
        flat = X.reshape(M * N, d)
        if self.builtin and self.backend == "cpp":
            from .. import _core

            F = _core.landscape_values(*self.problem.kernel_spec(), flat, self.n_threads)
        else:
            F = self.problem.f_batch(flat)
        self.fevals += M * N
        return np.array(F, dtype=float, order="C", copy=True).reshape(M, N)  # owned, writable, contiguous

    def advance(self, k0, k1):
        """Steps k0 .. k1-1 of the runs still active (``run_fail < 0``)."""
        cfg = self.cfg
        if self.backend == "numpy":
            evals, excl = R.steps(cfg, self.X, self.F, self.alpha, k0, k1, self._values_2d, self.run_fail,
                                  self.run_code)
            self.fevals += evals
            self.excluded += excl
            return
        from .. import _core

        spec = self.problem.kernel_spec() if self.builtin else (-1, 0.0, 0.0, np.zeros(0), np.zeros((0, 0)))
        args = (cfg["drift"], cfg["noise_std"], cfg["dt"], cfg["move"], cfg["batch"], cfg["schedule"], cfg["factor"],
                cfg["alpha_max"], cfg["ess_eta"], cfg["seed"])
        if self.builtin:
            evals, excl = _core.cbo_steps(self.X, self.F, self.alpha, *spec, *args, k0, k1, self.n_threads,
                                          self.run_fail, self.run_code)
            self.fevals += evals
            self.excluded += excl
            return
        for k in range(k0, k1):  # a Python objective: the kernel moves, Python evaluates once per step
            active = self.run_fail < 0
            if not active.any():
                return
            _, excl = _core.cbo_steps(self.X, self.F, self.alpha, *spec, *args, k, k + 1, self.n_threads,
                                      self.run_fail, self.run_code)
            self.excluded += excl
            # the runs that moved in this step (as the reference evaluates them): not those stopped by consensus
            moved = active & ~((self.run_fail == k) & (self.run_code == R.NO_FINITE_VALUE))
            act = np.nonzero(moved)[0]
            with np.errstate(invalid="ignore", over="ignore"):
                self.F[act] = self.values(self.X[act])

    def _values_2d(self, X2d):
        return np.asarray(self.problem.f_batch(X2d), dtype=float)


def _statistics(problem, X, F, alpha, x_star):
    """Per run: the consensus, f there, V = (1/2) mean ||x_i - x*||^2, the variance and the ESS."""
    with np.errstate(invalid="ignore", over="ignore"):  # a diverged run's last record holds inf and NaN
        return _statistics_of(problem, X, F, alpha, x_star)


def _statistics_of(problem, X, F, alpha, x_star):
    M = X.shape[0]
    cons = np.full((M, X.shape[2]), np.nan)
    ess = np.zeros(M)
    for m in range(M):
        v, _ = R.consensus(X[m], F[m], alpha[m])
        if v is not None:
            cons[m] = v
        ess[m] = R.effective_sample_size(F[m], alpha[m])
    fun = problem.f_batch(cons) if np.all(np.isfinite(cons)) else np.array(
        [problem.f(c) if np.all(np.isfinite(c)) else np.nan for c in cons])
    mean = X.mean(axis=1, keepdims=True)
    variance = 0.5 * np.einsum("mnj,mnj->m", X - mean, X - mean) / X.shape[1]
    V = None if x_star is None else 0.5 * np.einsum("mnj,mnj->m", X - x_star, X - x_star) / X.shape[1]
    return cons, np.asarray(fun, float), V, variance, ess


def run_particles(problem, cfg, *, init, init_std, n_particles, runs, alpha, resume, steps, x0, seed, n_threads,
                  callback, record, max_time, backend, output, progress, method, time_per_step):
    """The loop shared by CBO and consensus hopping: checkpoints, trace, budgets, callback, Ctrl-C."""
    if resume is not None:  # the same stream as one uninterrupted run: the earlier run's seed by default
        if not isinstance(resume, Result) or resume.get("particles") is None:
            raise TypeError("resume: expected the Result of an earlier particle run")
        if resume.get("method") != method:
            raise ValueError(f"resume: a result of {resume.get('method')!r}, not of {method!r}")
        seed = resume.seed if seed is None else seed
    opts = _options(problem, steps=steps, x0=x0, seed=seed, n_threads=n_threads, callback=callback, record=record,
                    max_time=max_time, backend=backend, output=output, progress=progress)
    runs = as_int(runs, "runs", minimum=1)
    cfg = dict(cfg, seed=opts["seed"] & 0xFFFFFFFFFFFFFFFF)
    if resume is not None:  # continue a run: its particles, alpha and step counter
        X = np.array(resume.particles, dtype=float)
        X = X[None] if X.ndim == 2 else X
        if X.ndim != 3 or X.shape[0] != runs or X.shape[2] != problem.dim:
            raise ValueError(f"resume: particles of shape {np.shape(resume.particles)} do not fit runs={runs} in "
                             f"dimension {problem.dim}")
        alpha0 = np.broadcast_to(np.asarray(resume.alpha, float), (runs,)).copy()
        k_first = int(np.max(resume.nit))
    else:
        n = as_int(n_particles, "n_particles", minimum=2) if not isinstance(init, np.ndarray) else None
        X = _initial_particles(problem, init, opts["x0"], init_std, runs, n or 2, opts["seed"])
        alpha0 = np.full(runs, alpha)
        k_first = 0
    if runs * X.shape[1] >= 2**32 or k_first + opts["steps"] >= 2**32:
        raise ValueError("runs, n_particles, steps: the random stream counts particles and steps in 32 bits")
    M, N, d = X.shape
    st = _Particles(problem, cfg, X, alpha0, opts["backend"], opts["n_threads"])
    x_star = problem.known_optimum()[0]
    f_star = problem.known_optimum()[1]
    cols = {c: [] for c in ("iter", "run", "time", "fun", "gap", "dist", "V", "variance", "ess", "alpha", "fevals",
                            "consensus")}
    if time_per_step is not None:
        cols["t"] = []

    def record_(k, elapsed):
        cons, fun, V, var, ess = _statistics(problem, st.X, st.F, st.alpha, x_star)
        for m in range(M):
            cols["iter"].append(k)
            cols["run"].append(m)
            cols["time"].append(elapsed)
            cols["fun"].append(fun[m])
            cols["gap"].append(np.nan if f_star is None else fun[m] - f_star)
            cols["dist"].append(np.nan if x_star is None else float(np.linalg.norm(cons[m] - x_star)))
            cols["V"].append(np.nan if V is None else V[m])
            cols["variance"].append(var[m])
            cols["ess"].append(ess[m])
            cols["alpha"].append(st.alpha[m])
            cols["fevals"].append(st.fevals // M)
            cols["consensus"].append(cons[m])
            if "t" in cols:
                cols["t"].append(k * time_per_step)
        return cons, fun

    def build(k, status, message):
        cons, fun, _, _, _ = _statistics(problem, st.X, st.F, st.alpha, x_star)
        if opts["output"] == "best":
            best = np.argmin(np.where(np.isfinite(st.F), st.F, np.inf), axis=1)
            x = st.X[np.arange(M), best].copy()
            fun = np.array([problem.f(xm) for xm in x])
        else:
            x = cons
        trace = Trace({c: np.asarray(v) for c, v in cols.items()})
        single = M == 1
        ok = (status == 0) & (st.run_fail < 0)
        nit = np.where(st.run_fail >= 0, st.run_fail, int(k))
        return Result(x=x[0] if single else x, fun=float(fun[0]) if single else fun, nit=int(nit[0]) if single else nit,
                      success=bool(ok[0]) if single else ok, status=status, message=message,
                      trace=trace, backend=opts["backend"], seed=opts["seed"], grad_evals=0, fevals=int(st.fevals),
                      method=method, problem=problem.name, particles=st.X[0].copy() if single else st.X.copy(),
                      alpha=float(st.alpha[0]) if single else st.alpha.copy(), excluded=int(st.excluded), runs=M)

    if not np.isfinite(st.F).any():
        return build(k_first, 1, "diverged: the objective is not finite at any initial particle")

    def failure(m):
        what = ("non-finite particle positions (drift * dt, noise_std or alpha too large?)"
                if st.run_code[m] == R.NONFINITE else "the objective is not finite at any particle of a consensus group")
        return f"diverged at step {st.run_fail[m]}: {what}"

    def advance(k0, k1, _):
        st.advance(k0, k1)
        if np.all(st.run_fail >= 0):  # every run has stopped
            return int(st.run_fail.max()), 1, failure(int(np.argmax(st.run_fail)))
        return None

    cap = max(1, int(_WORK_PER_CALL // max(M * N * d, 1)))
    k, status, message, elapsed = run_chunks(
        opts["steps"], opts["record"], cap, advance, record_, build, max_time=opts["max_time"],
        callback=opts["callback"], progress=opts["progress"], desc=method, unit="step", first=k_first,
        interrupted="; continue with resume=result")
    if (not cols["iter"] or cols["iter"][-1] != k) and status != 1:
        record_(k, elapsed)
    failed = np.nonzero(st.run_fail >= 0)[0]
    if status != 1 and failed.size:  # some runs stopped, others finished
        message += (f"; {failed.size} of {M} runs diverged (run {failed[0]}: {failure(failed[0])})")
    if st.excluded:
        warnings.warn(f"{method}: the objective returned non-finite values {st.excluded} times (particle-steps); "
                      f"those particles were left out of the consensus", ObjectiveWarning, stacklevel=3)
    return build(k, status, message)


def success_rate(result, x_star, tol=0.25, ord=np.inf, level=0.95):
    """Share of the runs of a multi-run result with ``||x - x*|| < tol`` (``ord``: the norm, CBXpy's default
    ``inf`` and 0.25), and its Clopper-Pearson interval at ``level``: ``(rate, (low, high))``."""
    from ..verify.stats import binomial_interval

    X = np.atleast_2d(np.asarray(result.x, dtype=float))
    x_star = as_float_array(x_star, "x_star", shape=(X.shape[1],))
    tol = as_scalar(tol, "tol", positive=True)
    hits = np.linalg.norm(X - x_star, ord=ord, axis=1) < tol
    return float(hits.mean()), binomial_interval(int(hits.sum()), hits.size, level)


def _noise_default(noise_std, drift, d, move):
    if noise_std is None:  # the rate 2 drift - d sigma^2 (isotropic) or 2 drift - sigma^2 equals drift
        return float(np.sqrt(drift / d)) if move == "isotropic" else float(np.sqrt(drift))
    return as_scalar(noise_std, "noise_std", nonnegative=True)


def _check_objective_kind(problem):
    if not getattr(problem, "batched", True):
        warnings.warn(f"{problem.name!r} evaluates one point per call; pass batched=True to black_box (f takes an "
                      f"array of shape (k, d)) for speed", RuntimeWarning, stacklevel=3)


@register("cbo", accepts=("black_box",), backends=BACKENDS, theorem="cbo.isotropic.decay")
def cbo(problem, *, n_particles=100, alpha=100.0, drift=1.0, noise_std=None, dt=0.01, noise="isotropic",
        batch_size=None, alpha_schedule="fixed", alpha_factor=1.05, alpha_max=1e5, ess_eta=0.5, runs=1, init="normal",
        init_std=1.0, resume=None, x0=None, steps=1000, max_time=None, seed=None, backend="cpp", n_threads=None,
        callback=None, record=None, output="consensus", progress=None):
    r"""Consensus-based optimization (isotropic or anisotropic noise), ``runs`` independent runs in one call.

    Parameters
    ----------
    problem : black-box problem
        :func:`pyoptheory.problems.black_box` (batched objectives are called once per step with all
        ``runs * n_particles`` points) or a built-in landscape (evaluated in C++).
    n_particles : int
        ``N >= 2`` particles per run.
    alpha : float
        Weight parameter of the consensus (``> 0``); the starting value of the schedules.
    drift, noise_std, dt : float
        ``lambda``, ``sigma`` and ``Delta t`` of the scheme.  ``noise_std=None`` takes ``sqrt(drift / d)``
        (isotropic) or ``sqrt(drift)`` (anisotropic), for which the mean-field rate equals ``drift``.
        ``drift * dt >= 1`` warns (the drift overshoots), and so does ``2 drift <= d noise_std^2`` with
        isotropic noise (outside the theorem's regime).  The anisotropic theorem needs ``2 drift > noise_std^2``;
        common practice (CBXpy's default ``noise_std = 5.1``) runs outside it, without a warning.
    noise : {"isotropic", "anisotropic"}
    batch_size : int, optional
        Random batches of this many particles, each with its own consensus (all particles move every step).
    alpha_schedule : {"fixed", "geometric", "ess"}
        With ``alpha_factor``, ``alpha_max`` (geometric and ess) and ``ess_eta`` (ess).
    runs : int
        ``M`` independent runs (arrays of shape (M, N, d)); with ``M > 1``, ``x`` has shape (M, d) and
        ``fun``, ``nit``, ``success`` are arrays; the trace has one row per checkpoint and run (``run``).
        A run that diverges stops where it is (its ``success`` is False, its ``nit`` the step it stopped at, the
        message says which); the others go on.  When every run has stopped, the call ends with ``status=1``.
    init : {"normal", "uniform"} or array
        Initial particles: ``N(x0, init_std^2 I)``, uniform on the problem's domain, or given (N, d) or (M, N, d).
    resume : Result, optional
        Continue an earlier run (interrupted, or with more steps) from its particles, ``alpha`` and step count,
        with its seed unless ``seed`` is given: the same stream as one uninterrupted run.
    output : {"consensus", "best"}
        ``x`` is the final consensus point, or the best particle of the final ensemble.

    Returns
    -------
    Result
        Also ``particles`` (final), ``alpha`` (final), ``excluded`` (particle-steps with a non-finite value,
        left out of the consensus), and a trace with ``iter``, ``t`` (= k dt), ``consensus``, ``fun`` and
        ``gap`` (at the consensus), ``dist`` (``||v - x*||``), ``V`` (``(1/2) mean ||x_i - x*||^2``),
        ``variance`` (``(1/2) mean ||x_i - mean||^2``), ``ess``, ``alpha``, ``fevals``, ``run``.

    References
    ----------
    Pinnau, Totzeck, Tse and Martin, M3AS 2017; Carrillo, Choi, Totzeck and Tse, M3AS 2018; Carrillo, Jin,
    Li and Zhu, ESAIM:COCV 2021; Fornasier, Klock and Riedl, SIAM J. Optim. 2024 (Theorem 3.7).

    Examples
    --------
    >>> import pyoptheory as po
    >>> p = po.problems.rastrigin(20)
    >>> res = po.solve(p, "cbo", n_particles=1000, noise="anisotropic", noise_std=5.1, alpha=1e4, steps=1000, seed=0)
    >>> bool(abs(res.x).max() < 0.25)
    True
    """
    move = choose(noise, "noise", ("isotropic", "anisotropic"))
    alpha = as_scalar(alpha, "alpha", positive=True)
    drift = as_scalar(drift, "drift", positive=True)
    dt = as_scalar(dt, "dt", positive=True)
    noise_std = _noise_default(noise_std, drift, problem.dim, move)
    if drift * dt >= 1.0:
        warnings.warn(f"drift * dt = {drift * dt:g} >= 1: the drift overshoots the consensus (unstable)",
                      StepSizeWarning, stacklevel=3)
    if move == "isotropic" and 2 * drift <= problem.dim * noise_std**2:
        warnings.warn(f"2 drift = {2 * drift:g} <= d noise_std^2 = {problem.dim * noise_std**2:g}: outside the regime "
                      f"of the mean-field convergence theorem", StepSizeWarning, stacklevel=3)
    cfg = _schedule_config(alpha_schedule, alpha_factor, alpha_max, ess_eta)
    cfg.update(drift=drift, noise_std=noise_std, dt=dt, move=R.MOVES[move],
               batch=0 if batch_size is None else as_int(batch_size, "batch_size", minimum=2))
    _check_objective_kind(problem)
    return run_particles(problem, cfg, init=init, init_std=as_scalar(init_std, "init_std", nonnegative=True),
                         n_particles=n_particles, runs=runs, alpha=alpha, resume=resume, steps=steps, x0=x0,
                         seed=seed, n_threads=n_threads, callback=callback, record=record, max_time=max_time,
                         backend=backend, output=output, progress=progress, method="cbo", time_per_step=dt)


def _schedule_config(alpha_schedule, alpha_factor, alpha_max, ess_eta):
    schedule = choose(alpha_schedule, "alpha_schedule", tuple(R.SCHEDULES))
    return dict(schedule=R.SCHEDULES[schedule], factor=as_scalar(alpha_factor, "alpha_factor", positive=True),
                alpha_max=as_scalar(alpha_max, "alpha_max", positive=True),
                ess_eta=as_scalar(ess_eta, "ess_eta", positive=True, upper=1.0))


@register("consensus_hopping", accepts=("black_box",), backends=BACKENDS)
def consensus_hopping(problem, *, n_particles=100, alpha=100.0, noise_std=0.5, batch_size=None,
                      alpha_schedule="fixed", alpha_factor=1.05, alpha_max=1e5, ess_eta=0.5, runs=1, resume=None,
                      x0=None, steps=1000, max_time=None, seed=None, backend="cpp", n_threads=None, callback=None,
                      record=None, output="consensus", progress=None):
    r"""Consensus hopping: ``x_{k+1} = v_alpha`` of ``N`` samples from ``N(x_k, noise_std^2 I)``.

    Riedl, Klock, Geldhauser and Fornasier, "Gradient is All You Need?" (arXiv:2306.09778, the CH scheme).
    The samples of step ``k`` are ``x_k + noise_std xi`` with the Philox normals of step ``k``; ``x`` is the
    last consensus.  As ``alpha -> inf`` with ``alpha noise_std^2 = tau`` the step tends to the proximal
    step of ``tau f`` (theorem ``consensus_hopping.prox_limit``).  Options as in :func:`cbo`; the
    initial samples are drawn around ``x0`` with the same ``noise_std``.

    Examples
    --------
    >>> import pyoptheory as po
    >>> res = po.solve(po.problems.canyon(), "consensus_hopping", n_particles=200, noise_std=0.7, steps=250, seed=0)
    >>> bool(res.fun < 1.0)
    True
    """
    alpha = as_scalar(alpha, "alpha", positive=True)
    noise_std = as_scalar(noise_std, "noise_std", positive=True)
    cfg = _schedule_config(alpha_schedule, alpha_factor, alpha_max, ess_eta)
    cfg.update(drift=0.0, noise_std=noise_std, dt=1.0, move=R.MOVES["hop"],
               batch=0 if batch_size is None else as_int(batch_size, "batch_size", minimum=2))
    _check_objective_kind(problem)
    return run_particles(problem, cfg, init="normal", init_std=noise_std, n_particles=n_particles, runs=runs,
                         alpha=alpha, resume=resume, steps=steps, x0=x0, seed=seed, n_threads=n_threads,
                         callback=callback, record=record, max_time=max_time, backend=backend, output=output,
                         progress=progress, method="consensus_hopping", time_per_step=None)
