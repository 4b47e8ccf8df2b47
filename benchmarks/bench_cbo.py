"""Consensus-based optimization against CBXpy, side by side in one process.  Prints times, success rates
and ratios; asserts nothing.

    python benchmarks/bench_cbo.py [--quick] [--repeats 3] [--threads T]

Both libraries run the same scheme (``x <- x - lambda dt (x - v) + sigma sqrt(dt) D(x - v) xi``, noise at
the pre-drift position) from the same initial particles, with the same ``lambda = 1``, ``sigma``, ``dt =
0.01`` and a fixed ``alpha`` (CBXpy: ``optimize(sched=None)``, which turns off its default schedule
``alpha <- min(1.05 alpha, 1e5)``; its only termination criterion is ``max_it``; its history tracking is
turned off with ``track_args={"names": []}``, ours records the first and last checkpoints only).
The objective is CBXpy's own ``Rastrigin(A)``, which equals ours (``A d + sum(x_i^2 - A cos 2 pi x_i)``;
checked on random points at start-up): ``A = 10`` is :func:`pyoptheory.problems.rastrigin`, ``A = 2.5``
:func:`pyoptheory.problems.rastrigin_riedl`.

1. Time per step at N = 1000, d = 20 for M = 1 and M = 100 runs, isotropic (sigma = 0.3: with d sigma^2 >
   2 lambda the isotropic particles spread without bound) and anisotropic (sigma = 5.1) noise, alpha =
   1e4: median of ``--repeats`` timed calls after a short warm-up.  Ours is the kernel time
   (``trace["time"]``: stepping only), on all cores and on one thread; CBXpy's is the wall time of
   ``optimize`` (NumPy, one core).
2. Success rate at equal budget: M = 100 runs of N = 1000 particles, d = 20, anisotropic sigma = 5.1,
   alpha = 1e4, 1000 steps, every run from its own uniform sample on [-3, 3]^d (the same array for both
   libraries).  Success: ``||x_hat - x*||_inf < 0.25`` with ``x_hat`` ours: the consensus of the final
   particles; CBXpy: ``dyn.consensus``, the consensus it computed in its last step (of the particles one
   step before the final ones).  95% Clopper-Pearson intervals.
3. 1e5 particles in d = 8, 400 steps, Riedl's Rastrigin, isotropic sigma = 0.32, alpha = 1e15, from
   N(x0, 32 I) (x0 the problem's default): our wall time (target: under 60 s) and CBXpy's.

``--quick``: fewer steps in 1, N = 300 and 500 steps in 2, and no CBXpy run in 3.
"""
import argparse
import time
import warnings

import numpy as np
from cbx.dynamics import CBO
from cbx.objectives import Rastrigin

import pyoptheory as po
from pyoptheory.result import StepSizeWarning
from pyoptheory.verify.stats import binomial_interval


def quiet():
    """Let the thread pool of the previous call stop spinning: on 2 cores a pool that busy-waits after its
    call slows whatever runs next, ours or CBXpy's."""
    time.sleep(0.3)


def ours(problem, X0, steps, threads, **kw):
    """pyoptheory from the particles X0 (M, N, d): (Result, kernel seconds per step)."""
    M, N, _ = X0.shape
    res = po.solve(problem, "cbo", n_particles=N, runs=M, init=X0, steps=steps, alpha_schedule="fixed",
                   drift=1.0, dt=0.01, seed=0, record=2, backend="cpp", n_threads=threads, **kw)
    return res, res.trace["time"][-1] / steps


def cbxpy(amplitude, X0, steps, *, noise, noise_std, alpha):
    """CBXpy from the particles X0 (M, N, d): (dynamic after the run, wall seconds per step)."""
    M, N, d = X0.shape
    dyn = CBO(Rastrigin(A=amplitude), f_dim="3D", x=X0.copy(), M=M, N=N, d=d, noise=noise, dt=0.01, alpha=alpha,
              sigma=noise_std, lamda=1.0, max_it=steps, verbosity=0, track_args={"names": []}, seed=0)
    t = time.perf_counter()
    dyn.optimize(sched=None)
    return dyn, (time.perf_counter() - t) / steps


def median_time(run, repeats):
    """Median over ``repeats`` calls of ``run()`` (seconds per step), each after a pause."""
    times = []
    for _ in range(repeats):
        quiet()
        times.append(run())
    return float(np.median(times))


def uniform_particles(M, N, d, seed=0):
    return np.random.default_rng(seed).uniform(-3.0, 3.0, (M, N, d))


def check_objectives():
    X = np.random.default_rng(1).uniform(-5.12, 5.12, (3, 50, 8))
    for amplitude, problem in ((10.0, po.problems.rastrigin(8)), (2.5, po.problems.rastrigin_riedl(8))):
        gap = np.abs(Rastrigin(A=amplitude)(X) - problem.f_batch(X.reshape(-1, 8)).reshape(3, 50)).max()
        if gap > 1e-10:
            raise RuntimeError(f"CBXpy's Rastrigin(A={amplitude}) differs from ours by {gap:.3g}")


def bench_time_per_step(args):
    N, d = 1000, 20
    problem = po.problems.rastrigin(d)
    steps = {1: 200, 100: 20} if args.quick else {1: 1000, 100: 200}
    print(f"1. time per step: Rastrigin (A = 10), N = {N}, d = {d}, alpha = 1e4 fixed, dt = 0.01; "
          f"median of {args.repeats}")
    print(f"ours: kernel time on {args.threads or 'all'} threads and on 1; CBXpy: optimize (NumPy)")
    print(f"{'M':>4} {'noise':<12} {'sigma':>5} {'steps':>5} | {'ours':>9} {'ours 1 thr':>10} {'CBXpy':>9} ms/step "
          f"| CBXpy/ours  CBXpy/ours 1 thr")
    for M in (1, 100):
        X0 = uniform_particles(M, N, d)
        for noise, sigma in (("isotropic", 0.3), ("anisotropic", 5.1)):
            kw = dict(noise=noise, noise_std=sigma, alpha=1e4)
            ours(problem, X0, 10, args.threads, **kw)  # warm-up: thread pool, caches
            cbxpy(10.0, X0, 10, **kw)
            t_ours = median_time(lambda: ours(problem, X0, steps[M], args.threads, **kw)[1], args.repeats)
            t_one = median_time(lambda: ours(problem, X0, steps[M], 1, **kw)[1], args.repeats)
            t_cbx = median_time(lambda: cbxpy(10.0, X0, steps[M], **kw)[1], args.repeats)
            print(f"{M:4d} {noise:<12} {sigma:5.1f} {steps[M]:5d} | {t_ours * 1e3:9.3f} {t_one * 1e3:10.3f} "
                  f"{t_cbx * 1e3:9.3f}         | {t_cbx / t_ours:10.1f}  {t_cbx / t_one:15.1f}", flush=True)


def bench_success(args):
    M, d = 100, 20
    N, steps = (300, 500) if args.quick else (1000, 1000)
    kw = dict(noise="anisotropic", noise_std=5.1, alpha=1e4)
    X0 = uniform_particles(M, N, d, seed=1)
    res, t_ours = ours(po.problems.rastrigin(d), X0, steps, args.threads, **kw)
    quiet()
    dyn, t_cbx = cbxpy(10.0, X0, steps, **kw)
    print(f"\n2. success rate (||x_hat - x*||_inf < 0.25): Rastrigin (A = 10), M = {M} runs, N = {N}, d = {d}, "
          f"anisotropic sigma = 5.1, alpha = 1e4, {steps} steps, X0 ~ U[-3, 3]^d (same for both)")
    for name, x_hat, t in (("pyoptheory (final consensus)", res.x, t_ours),
                           ("CBXpy (dyn.consensus)", dyn.consensus[:, 0, :], t_cbx)):
        k = int(np.sum(np.abs(x_hat).max(axis=1) < 0.25))
        lo, hi = binomial_interval(k, M)
        print(f"   {name:<29} {k:3d}/{M} = {k / M:4.2f}  95% CI [{lo:.2f}, {hi:.2f}]   {t * steps:7.2f} s "
              f"({t * 1e3:.2f} ms/step)")
    print(f"   time ratio CBXpy/ours: {t_cbx / t_ours:.1f}", flush=True)


def bench_large(args):
    N, d, steps = 100_000, 8, 400
    problem = po.problems.rastrigin_riedl(d)
    X0 = problem.x0 + np.sqrt(32.0) * np.random.default_rng(2).standard_normal((1, N, d))
    kw = dict(noise="isotropic", noise_std=0.32, alpha=1e15)
    print(f"\n3. N = {N} particles, d = {d}, {steps} steps: Rastrigin (Riedl, A = 2.5), isotropic sigma = 0.32, "
          f"alpha = 1e15, X0 ~ N(x0, 32 I), x0 = {problem.x0[0]:.4f} (1, ..., 1)")
    quiet()
    t = time.perf_counter()
    res, t_kernel = ours(problem, X0, steps, args.threads, **kw)
    wall = time.perf_counter() - t
    print(f"   pyoptheory: {wall:7.2f} s wall (target < 60 s), kernel {t_kernel * steps:.2f} s; "
          f"||v - x*||_inf = {np.abs(res.x).max():.2e}")
    if args.quick:
        return
    quiet()
    dyn, t_cbx = cbxpy(2.5, X0, steps, **kw)
    print(f"   CBXpy:      {t_cbx * steps:7.2f} s optimize;  ||v - x*||_inf = {np.abs(dyn.consensus).max():.2e};  "
          f"CBXpy/ours (wall) {t_cbx * steps / wall:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer steps and particles, no CBXpy run in part 3")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="pyoptheory's threads (default: all cores)")
    args = ap.parse_args()
    warnings.simplefilter("ignore", StepSizeWarning)  # anisotropic sigma = 5.1: outside the theorem's regime
    check_objectives()
    start = time.perf_counter()
    bench_time_per_step(args)
    bench_success(args)
    bench_large(args)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
