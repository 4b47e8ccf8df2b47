"""The one loop driver every iterative method runs on.

A method builds a :class:`Plan` (validated options, step sequence, output
rule) and hands it to :func:`run` together with a kernel module: the NumPy
reference of the family or a compiled backend.  The kernel advances the
iterate between checkpoints; the driver records the trace at checkpoints,
calls the callback, enforces ``max_time`` and tolerances, catches Ctrl-C and
divergence, and builds the :class:`~pyoptheory.result.Result`.  Wall time in
the trace counts only the kernel calls, never the recording.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import MAX_MATERIALIZED, MAX_STEPS, as_float_array, as_int, as_scalar, materialized
from ..kernels import layout as K
from ..result import STATUS_MESSAGES, Result, Trace
from ._sequences import AVERAGED, AveragingWeights, as_step_sequence

OUTPUTS = ("last", "best") + AVERAGED
_NO_IDX = np.zeros((0, 1), dtype=np.int64)


@dataclass
class Plan:
    """Everything a kernel needs for one run, checked once before the loop."""

    problem: object
    method: str
    code: int
    steps: int
    step_seq: object  # a StepSequence, or an array (length 1: a constant step)
    x0: np.ndarray
    output: str = "last"
    avg_w: AveragingWeights | None = None  # weights of the averaged output, produced a window at a time
    eta: float = 2.0
    L0: float = np.nan
    record: np.ndarray = None
    max_time: float = np.inf
    callback: object = None
    seed: int | None = None
    n_threads: int = 1
    grad_tol: float = 0.0
    gap_tol: float = 0.0
    grad_step: float = np.nan  # gradient mapping of the composite problem recorded as grad_norm
    scal_init: dict = field(default_factory=dict)  # method parameters in the scalar state (layout.py)
    stochastic: object = None  # a source whose ``draw(rng, m)`` gives m steps' randomness (read through StepStream)
    progress: object = None  # tqdm bar: None shows it in a terminal when a run lasts over 2 s
    # method hooks: "columns" {name: fn(model, x)} recorded at checkpoints, "finish" fn(model, k) -> dict of
    # Result fields, "chunk_cap" (iterations per kernel call)
    extra: dict = field(default_factory=dict)


def checkpoints(record, steps):
    """Iterations at which the trace is recorded: log-spaced by default, always including 0 and ``steps``."""
    if record is None:
        record = 60
    if isinstance(record, str):
        if record != "all":
            raise ValueError(f"record: expected 'all', an int or an array of iterations, got {record!r}")
        materialized(steps, "record='all'")
        return np.arange(steps + 1)
    if np.isscalar(record):
        m = as_int(record, "record", minimum=2, maximum=MAX_MATERIALIZED)
        pts = np.round(np.geomspace(1, max(steps, 1), m))
        pts = np.unique(pts[pts < min(steps, 2.0**62)].astype(np.int64))  # (a float near 2^63 overflows int64)
        return np.unique(np.concatenate([[0], pts, [steps]]).astype(np.int64))
    pts = np.asarray(record)
    if pts.ndim != 1 or pts.dtype.kind not in "iu":
        raise TypeError("record: expected an integer array of iterations")
    if pts.size and (pts.min() < 0 or pts.max() > steps):
        raise ValueError(f"record: iterations must lie in [0, steps={steps}]")
    return np.unique(np.concatenate([[0], pts.astype(np.int64), [steps]]))


class StepStream:
    """A run's random stream, step by step.

    The source's ``draw(rng, m)`` (sample indices, noise or directions of ``m`` steps) is called on fixed
    blocks of steps, so what step ``k`` receives depends only on the seed and ``k``, never on how the run is
    cut into chunks (checkpoints, ``max_time``): the driver's kernels and a user's method checked by
    :func:`pyoptheory.verify` (one stochastic gradient per step) replay the same stream.
    """

    def __init__(self, source, seed, block=None):
        self.source, self.rng = source, np.random.default_rng(seed)
        per = source.draws_per_step() if hasattr(source, "draws_per_step") else 1
        self.block = int(block) if block is not None else int(max(1, min(4096, 1e6 // max(per, 1))))
        self._start, self._blocks = 0, []  # buffered blocks (idx, noise) covering steps _start ..

    def _buffered(self):
        return len(self._blocks) * self.block

    def take(self, k0, k1):
        """``(idx, noise)`` of steps ``k0 .. k1 - 1`` (rows per step as the source draws them); steps are taken in
        increasing order."""
        if k0 < self._start or k1 < k0:
            raise ValueError(f"steps: the stream cannot give steps {k0} .. {k1 - 1} (it is at {self._start})")
        while self._start + self._buffered() < k1:
            self._blocks.append(self.source.draw(self.rng, self.block))
        drop = (k0 - self._start) // self.block  # blocks entirely before k0 are never needed again
        if drop:
            del self._blocks[:drop]
            self._start += drop * self.block
        a, b = k0 - self._start, k1 - self._start
        last = (b - 1) // self.block
        blocks = self._blocks[:last + 1]
        idx, noise = blocks[0] if len(blocks) == 1 else \
            (None if part[0] is None else np.concatenate(part) for part in zip(*blocks))
        if idx is not None and idx.shape[0]:
            idx = idx[a:b]
        if noise is not None and noise.shape[0]:
            r = noise.shape[0] // (len(blocks) * self.block)
            noise = noise[a * r:b * r]
        return idx, noise


_CONTROLLER = None


def _blas_controller():
    """One threadpoolctl controller per process (finding the libraries is the expensive part)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController().select(user_api="blas")
    return _CONTROLLER


def default_threads():
    """All cores, unless BLAS has been limited (``threadpoolctl.threadpool_limits``, a sweep's
    worker): then the same limit, so kernels and BLAS never oversubscribe the machine."""
    blas = [lib.num_threads for lib in _blas_controller().lib_controllers]
    return max(1, min(blas)) if blas else (os.cpu_count() or 1)


def start_distance(problem, x0, default):
    """``R >= ||x0 - x*||`` for a default step: the distance to ``x*`` when known, else the diameter ``D`` of the
    feasible set; raises ``ValueError`` naming ``step`` (the default ``default`` needs one of them)."""
    if problem.x_star is not None:
        return float(np.linalg.norm(x0 - problem.x_star))
    D = problem.constants.get("D", np.inf)
    if np.isfinite(D):
        return float(D)
    raise ValueError(f"step: give a step; the default {default} needs x* or a bounded set")


def common_options(problem, *, x0=None, steps=1000, max_time=None, seed=None, n_threads=None, callback=None,
                   record=None, output="last", grad_tol=None, gap_tol=None, progress=None, outputs=("last",)):
    """Validate the options every method shares; returns a dict of checked values.

    ``outputs``: the outputs the calling method computes (default: the last iterate only); any other
    ``output`` is refused by name, never silently replaced by the last iterate.
    """
    steps = as_int(steps, "steps", minimum=0, maximum=MAX_STEPS)
    if x0 is None:
        x0 = problem.x0
    x0 = as_float_array(x0, "x0", ndim=1)
    if x0.shape[0] != problem.dim:
        raise ValueError(f"x0: expected shape ({problem.dim},), got {x0.shape}")
    if not problem.feasible(x0):
        raise ValueError("x0: is not in the constraint set of the problem (project it first)")
    max_time = np.inf if max_time is None else as_scalar(max_time, "max_time", positive=True, finite=False)
    if seed is None:  # a fresh seed, reported in the Result so that the run can be replayed
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    seed = as_int(seed, "seed", minimum=0, maximum=2**64 - 1)
    if n_threads is None:
        n_threads = default_threads()
    n_threads = as_int(n_threads, "n_threads", minimum=1, maximum=4096)
    if callback is not None and not callable(callback):
        raise TypeError("callback: must be callable as callback(intermediate_result)")
    if output not in OUTPUTS:
        raise ValueError(f"output: unknown value {output!r}; valid: {', '.join(OUTPUTS)}")
    if output not in outputs:
        raise ValueError(f"output: this method returns {' or '.join(map(repr, outputs))}, not {output!r}")
    grad_tol = 0.0 if grad_tol is None else as_scalar(grad_tol, "grad_tol", nonnegative=True)
    gap_tol = 0.0 if gap_tol is None else as_scalar(gap_tol, "gap_tol", nonnegative=True)
    if progress not in (None, True, False):
        raise TypeError(f"progress: expected None, True or False, got {progress!r}")
    return dict(steps=steps, x0=x0, max_time=max_time, seed=seed, n_threads=n_threads, callback=callback,
                record=checkpoints(record, steps), output=output, grad_tol=grad_tol, gap_tol=gap_tol,
                progress=progress)


class _State:
    """Buffers shared with the kernels (layout in pyoptheory/kernels/layout.py)."""

    def __init__(self, plan, f_star):
        d = plan.x0.shape[0]
        self.x = plan.x0.copy()
        self.xbest = plan.x0.copy()
        self.grad = np.zeros(d)
        self.scal = np.zeros(K.S_SIZE)
        self.scal[K.S_FX] = np.nan
        self.scal[K.S_BEST_F] = np.inf
        self.scal[K.S_LK] = plan.L0
        self.scal[K.S_F_STAR] = np.nan if f_star is None else f_star
        self.scal[K.S_LAMBDA] = 1.0
        for index, value in plan.scal_init.items():
            self.scal[index] = value
        self.xsum = None
        if plan.avg_w is not None:
            w0 = float(plan.avg_w.window(0, 1)[0])
            self.xsum = w0 * plan.x0
            self.scal[K.S_WSUM] = w0

    def average(self):
        w = self.scal[K.S_WSUM]
        return self.xsum / w if w > 0 else self.x.copy()


def _chunk_cap(plan):
    """Iterations per kernel call between checkpoints: deterministic, about 2e7 flops of work
    (and at most ~1e6 random numbers drawn at once for stochastic methods)."""
    problem = plan.problem
    if "chunk_cap" in plan.extra:
        return int(plan.extra["chunk_cap"])
    spec = problem.spec
    if plan.stochastic is not None:
        sp = plan.stochastic
        row = (spec.data.size / max(problem.n, 1)) if spec is not None and spec.sparse else problem.dim
        work = (sp.batch_size or getattr(problem, "n", 1)) * row + 4 * problem.dim + 200  # + prox and per-step
        # overhead
        return int(max(1, min(2e7 // work, 1e6 // max(sp.draws_per_step(), 1), 1e5)))
    work = (spec.data.size if spec is not None and spec.sparse else problem.dim * getattr(problem, "n", 1))
    work = (work + 4 * problem.dim + 200) * (3 if plan.code == K.PROX_GRAD_BACKTRACK else 1)
    return int(max(1, min(2e7 // work, 1e5)))


def progress_bar(progress, total, desc, delay=2.0):
    """A tqdm bar for long work: shown after ``delay`` s in a terminal (progress=None), always (True), never (False)."""
    from tqdm.auto import tqdm

    if progress not in (None, True, False):
        raise TypeError(f"progress: expected None, True or False, got {progress!r}")
    disable = (not sys.stderr.isatty()) if progress is None else (not progress)
    return tqdm(total=total, desc=desc, disable=disable, delay=0 if progress else delay, leave=False,
                unit="it", unit_scale=True)


def stop_reason(k, elapsed, max_time, at_checkpoint, callback, intermediate, unit="iteration"):
    """``(status, message)`` when a run must stop at ``k`` (``max_time`` reached, or the callback, given
    ``intermediate()`` at a checkpoint, raised StopIteration), else None."""
    if elapsed > max_time:
        return 3, f"stopped at {unit} {k}: max_time={max_time:g} s reached"
    if at_checkpoint and callback is not None:
        try:
            callback(intermediate())
        except StopIteration:
            return 4, f"stopped by the callback at {unit} {k}"
    return None


def run_chunks(steps, ckpts, cap, advance, record, build, *, max_time, callback, progress, desc, unit, first=0,
               check=None, interrupted="", prepare=None, record_first=True):
    """The loop every method shares: advance in compiled chunks of at most ``cap`` steps between the
    checkpoints ``ckpts`` (offsets from ``first``), record at each, stop on a failure, ``max_time``, the
    callback or Ctrl-C; returns ``(k, status, message, elapsed)``.

    ``advance(k0, k1, prepared)`` runs steps ``k0 .. k1-1`` (absolute) and returns None, or ``(k, status, message)``
    when the run stopped at step ``k``; ``prepare(k0, k1)`` (untimed, e.g. drawing the chunk's random numbers)
    gives ``prepared``; ``check(k)`` may return ``(status, message)`` after a checkpoint's record.  The point
    ``first`` is recorded first unless ``record_first=False`` (the caller did).
    """
    bar = progress_bar(progress, steps, desc)
    elapsed, k, status, message = 0.0, 0, 0, STATUS_MESSAGES[0]
    if record_first:
        record(first, 0.0)
    next_ck = 1
    try:
        while k < steps:
            target = min(ckpts[next_ck], k + cap)
            prepared = prepare(first + k, first + target) if prepare is not None else None
            t0 = time.perf_counter()
            failure = advance(first + k, first + target, prepared)
            elapsed += time.perf_counter() - t0
            bar.update(target - k)
            if failure is not None:
                k_fail, status, message = failure
                k = k_fail - first
                break
            k = target
            at_checkpoint = k == ckpts[next_ck]
            if at_checkpoint:
                next_ck += 1
                record(first + k, elapsed)
                stop = check(first + k) if check is not None else None
                if stop is not None:
                    status, message = stop
                    break
            stop = stop_reason(first + k, elapsed, max_time, at_checkpoint, callback,
                               lambda: build(first + k, 0, "intermediate result"), unit=unit)
            if stop is not None:
                status, message = stop
                break
    except KeyboardInterrupt:
        status, message = 5, f"interrupted (KeyboardInterrupt) at {unit} {first + k}{interrupted}"
    finally:
        bar.close()
    return first + k, status, message, elapsed


def run(plan: Plan, kernel, backend_name):
    """Run ``plan`` on ``kernel``; return a Result whose trace has the columns of the plan's method."""
    problem = plan.problem
    if plan.extra.get("needs_optimum", True) and (problem.optimum_is_cheap or plan.gap_tol > 0):
        f_star, x_star = problem.f_star, problem.x_star
    else:  # an optimum that costs more than a run is used once known (p.f_star), never computed by the run;
        # methods with their own certificate (duality gaps) never make the problem solve itself
        x_star, f_star = problem.known_optimum()
    model = kernel.prepare(problem.spec if backend_name != "numpy" else problem)
    st = _State(plan, f_star)
    want_avg = plan.avg_w is not None
    want_best = plan.code in (K.SUBGRADIENT, K.SUBGRADIENT_POLYAK)
    want_gmin = plan.code in (K.NONCONVEX_AG, K.ZO_CGE)
    cols = {name: [] for name in ("iter", "time", "fun", "gap", "grad_norm")}
    if x_star is not None:
        cols["dist"] = []
    if want_avg:
        cols["gap_avg"] = []
    if want_best:
        cols["gap_best"] = []
    if want_gmin:
        cols["grad_norm_min"] = []
    cols["fevals"], cols["grad_evals"] = [], []
    extra_columns = plan.extra.get("columns", {})
    for name in extra_columns:
        cols[name] = []
    gbuf = np.zeros(problem.dim)
    f_ref = f_star

    def evaluate(x):
        f, g = kernel.evaluate(model, x, gbuf, plan.n_threads)
        return f + g

    def record(k, elapsed):
        fun = evaluate(st.x)
        if want_best and fun < st.scal[K.S_BEST_F]:
            st.scal[K.S_BEST_F] = fun
            st.xbest[:] = st.x
        if np.isfinite(plan.grad_step):  # gradient mapping of the composite problem
            gm = (st.x - problem.prox(st.x - plan.grad_step * gbuf, plan.grad_step)) / plan.grad_step
            gnorm = float(np.linalg.norm(gm))
        else:
            gnorm = float(np.linalg.norm(gbuf))
        cols["iter"].append(k)
        cols["time"].append(elapsed)
        cols["fun"].append(fun)
        cols["gap"].append(np.nan if f_star is None else fun - f_star)
        cols["grad_norm"].append(gnorm)
        if "dist" in cols:
            cols["dist"].append(float(np.linalg.norm(st.x - x_star)))
        if want_avg:
            cols["gap_avg"].append(np.nan if f_star is None else evaluate(st.average()) - f_star)
        if want_best:
            cols["gap_best"].append(np.nan if f_star is None else st.scal[K.S_BEST_F] - f_star)
        if want_gmin:
            cols["grad_norm_min"].append(float(np.sqrt(st.scal[K.S_BEST_F])))
        cols["fevals"].append(int(st.scal[K.S_FEVALS]))
        cols["grad_evals"].append(int(st.scal[K.S_GRAD_EVALS]))
        for name, column in extra_columns.items():
            cols[name].append(column(model, st.x))
        return fun, gnorm

    def build(k, status, message):
        if plan.output == "best" and np.isfinite(st.scal[K.S_BEST_F]):
            x = st.xbest.copy()
        elif plan.output in AVERAGED:
            x = st.average()
        else:
            x = st.x.copy()
        fun = evaluate(x) if np.all(np.isfinite(x)) else np.nan
        extras = plan.extra["finish"](model, k) if "finish" in plan.extra else {}
        return Result(x=x, fun=fun, nit=int(k), success=status in (0, 6), status=status, message=message,
                      trace=Trace({c: np.asarray(v) for c, v in cols.items()}), backend=backend_name, seed=plan.seed,
                      grad_evals=int(st.scal[K.S_GRAD_EVALS]), fevals=int(st.scal[K.S_FEVALS]), method=plan.method,
                      problem=problem.name, **extras)

    cap = _chunk_cap(plan)
    stream = StepStream(plan.stochastic, plan.seed) if plan.stochastic is not None else None
    no_noise = np.zeros((0, problem.dim))
    last = {}

    def record_point(k, elapsed):
        last["fun"], last["gnorm"] = record(k, elapsed)

    step_seq = as_step_sequence(plan.step_seq, plan.steps)

    def draw(k0, k1):  # the chunk's steps, averaging weights and random stream (identical for every backend),
        # produced outside the timed region: memory is bounded by the chunk, whatever the number of steps
        idx, noise = stream.take(k0, k1) if stream is not None else (_NO_IDX, no_noise)
        weights = plan.avg_w.window(k0, k1 + 1) if plan.avg_w is not None else None
        return step_seq.window(k0, k1), weights, idx, noise

    def advance(k0, k1, prepared):
        steps, weights, idx, noise = prepared
        code = kernel.advance(model, plan.code, st.x, st.xbest, st.xsum, st.grad, st.scal, steps, weights,
                              plan.eta, k0, k1, plan.n_threads, idx, noise)
        if code == K.OK:
            return None
        k = int(st.scal[K.S_FAIL_ITER])
        if code == K.CONVERGED:  # the kernel's own stopping rule (e.g. a duality gap) held at step S_FAIL_ITER
            return k, 6, plan.extra.get("converged_message", "converged at iteration {k}").format(k=k)
        status = 1 if code == K.NONFINITE else 2
        what = "non-finite objective or gradient" if status == 1 else "backtracking found no step"
        return k, status, f"diverged at iteration {k}: {what}"

    def check(k):  # objective checks happen where the trace is recorded
        fun, gnorm = last["fun"], last["gnorm"]
        if not np.isfinite(fun) or fun - f_ref > 1e10 * scale0:
            return 1, (f"diverged by iteration {k}: objective {fun:.3e} against {fun0:.3e} at x0 "
                       f"(non-finite, or grown by more than 1e10 times the initial gap)")
        if plan.gap_tol > 0 and f_star is not None and fun - f_star <= plan.gap_tol:
            return 6, f"converged at iteration {k}: gap {fun - f_star:.3e} <= gap_tol {plan.gap_tol:.3e}"
        if plan.grad_tol > 0 and gnorm <= plan.grad_tol:
            return 6, f"converged at iteration {k}: grad_norm {gnorm:.3e} <= grad_tol {plan.grad_tol:.3e}"
        return None

    with _blas_controller().limit(limits=plan.n_threads):
        fun0, _ = record(0, 0.0)
        if not np.isfinite(fun0):
            return build(0, 1, "diverged: the objective is not finite at x0")
        f_ref = fun0 if f_ref is None else f_ref
        scale0 = max(abs(fun0 - f_ref), 1e-8 * max(abs(fun0), 1.0))  # x0 may already be optimal
        k, status, message, elapsed = run_chunks(
            plan.steps, plan.record, cap, advance, record_point, build, max_time=plan.max_time,
            callback=plan.callback, progress=plan.progress, desc=plan.method, unit="iteration", check=check,
            prepare=draw, record_first=False)
        if (not cols["iter"] or cols["iter"][-1] != k) and status != 1:
            record(k, elapsed)
    return build(k, status, message)
