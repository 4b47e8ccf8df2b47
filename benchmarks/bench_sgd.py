"""Single-sample SGD: compiled backends against a minimal NumPy loop and the raw arithmetic.

Logistic regression (n = 10,000, d = 100, 10^6 steps) and least squares (n = 10,000,
d = 1000).  Baselines, timed in this process:
- a minimal NumPy loop (one sample per Python iteration: dot, derivative, axpy), which is what a
  user writes by hand; it is not pyoptheory's own reference backend;
- the raw arithmetic: a compiled loop doing only a dot product and an axpy per step on the same
  sampled rows (no loss derivative, no bookkeeping).
Prints per-step times and ratios; asserts nothing (timings are not tests).

    python benchmarks/bench_sgd.py [--steps 1000000] [--numpy-steps 100000]
"""
import argparse
import time

import numpy as np
from numba import njit

import pyoptheory as po


@njit(cache=True)
def raw_dot_axpy(A, idx, x, step):
    for k in range(idx.shape[0]):
        a = A[idx[k]]
        z = 0.0
        for j in range(a.shape[0]):
            z += a[j] * x[j]
        c = step * z * 1e-3
        for j in range(a.shape[0]):
            x[j] -= c * a[j]
    return x


def numpy_loop(A, b, idx, x, step, loss, momentum=0.0):
    x_prev = x.copy()
    for i in idx:
        a = A[i]
        z = a @ x
        d = -b[i] / (1.0 + np.exp(b[i] * z)) if loss == "logistic" else z - b[i]
        if momentum:
            x, x_prev = x - step * d * a + momentum * (x - x_prev), x
        else:
            x -= step * d * a
    return x


def bench(name, problem, A, b, steps, numpy_steps, loss):
    sp = po.problems.finite_sum(problem, 1)
    step = 0.5 / sp.constants["L_max"]
    rng = np.random.default_rng(0)
    idx = rng.integers(0, A.shape[0], size=steps)
    x = np.zeros(A.shape[1])
    raw_dot_axpy(A, idx[:10], x.copy(), step)  # compile
    t = time.perf_counter()
    raw_dot_axpy(A, idx, x.copy(), step)
    raw = (time.perf_counter() - t) / steps
    loops = {}
    for momentum in (0.0, 0.5):
        t = time.perf_counter()
        numpy_loop(A, b, idx[:numpy_steps], x.copy(), step, loss, momentum)
        loops[momentum] = (time.perf_counter() - t) / numpy_steps
    loop = loops[0.0]
    print(f"\n{name}: n={A.shape[0]} d={A.shape[1]} steps={steps}")
    print(f"  raw arithmetic (dot + axpy, compiled): {raw * 1e9:8.1f} ns/step")
    print(f"  minimal NumPy loop:                    {loop * 1e9:8.1f} ns/step (with momentum: "
          f"{loops[0.5] * 1e9:.1f} ns/step)")
    methods = {"sgd": dict(step=step), "shb": dict(step=step, momentum=0.5)}
    for method, opts in methods.items():
        for backend in ("numba", "cpp"):
            po.solve(sp, method, steps=10, seed=0, backend=backend, **opts)  # compile / warm up
            t = time.perf_counter()
            res = po.solve(sp, method, steps=steps, seed=0, backend=backend, record=2, **opts)
            wall = (time.perf_counter() - t) / steps
            kern = res.trace["time"][-1] / steps
            base = loops[0.5] if method == "shb" else loop
            print(f"  pyoptheory {method:<4} backend={backend:<5}: {kern * 1e9:8.1f} ns/step in the kernel, "
                  f"{wall * 1e9:8.1f} ns/step wall (sampling, setup, 2 evaluations included) | vs NumPy loop "
                  f"{base / wall:6.1f}x | vs raw arithmetic {wall / raw:5.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--numpy-steps", type=int, default=100_000)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    A = rng.standard_normal((10_000, 100))
    y = np.where(A @ rng.standard_normal(100) + rng.standard_normal(10_000) > 0, 1.0, -1.0)
    bench("logistic", po.problems.logistic(A, y, 1e-3), A, y, args.steps, args.numpy_steps, "logistic")
    A = rng.standard_normal((10_000, 1000))
    b = A @ rng.standard_normal(1000) + rng.standard_normal(10_000)
    bench("least squares", po.problems.least_squares(A, b), A, b, args.steps // 10, args.numpy_steps // 10,
          "squared")


if __name__ == "__main__":
    main()
