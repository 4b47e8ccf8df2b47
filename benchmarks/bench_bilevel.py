"""Bilevel penalty methods: the compiled kernel against the NumPy reference, side by side (issue target:
ridge hyperparameters, n = 10^4 rows, d = 100 features, to stationarity 1e-4).  Prints times, iterations
and ratios; asserts nothing.

    python benchmarks/bench_bilevel.py [--n 10000] [--d 100] [--tol 1e-4]

Both backends run the same iterations (the reference is held to the kernel at 1e-10 in the tests); the
time is the trace's kernel time (recording excluded), the best of 3 for the compiled runs.
"""
import argparse
import time

import numpy as np

import pyoptheory as po
from pyoptheory import bilevel as B


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--penalty", type=float, default=1e-3)
    ap.add_argument("--step-x", type=float, default=50.0)
    args = ap.parse_args()
    t = time.perf_counter()
    p = B.ridge(args.n, args.n, args.d, seed=0)
    print(f"ridge hyperparameters: n = {args.n} training and validation rows, d = {args.d}; built in "
          f"{time.perf_counter() - t:.2f} s; stationarity target {args.tol:g}, sigma = {args.penalty:g}")
    for method, kw in (("penalty", dict(penalty=args.penalty, inner_steps=10)),
                       ("penalty_single_loop", dict(penalty=args.penalty)),
                       ("implicit", dict(inner_steps=10, cg_steps=20))):
        times = {}
        for backend in ("cpp", "numpy"):
            best = np.inf
            for _ in range(3 if backend == "cpp" else 1):
                res = po.solve(p, method, step_x=args.step_x, steps=200_000, stat_tol=args.tol, backend=backend,
                               record=400, seed=0, **kw)
                best = min(best, res.trace["time"][-1])
            times[backend] = (best, res)
        (tc, rc), (tn, _) = times["cpp"], times["numpy"]
        print(f"  {method:<20} cpp {tc:8.3f} s  numpy {tn:8.3f} s  ratio {tn / tc:6.1f}x   iterations {rc.nit} "
              f"({rc.message[:40]}...)  psi {rc.fun:.6f}  stationarity {rc.stationarity:.1e}")
    print("stochastic (minibatches of 64 rows per oracle call, 500 iterations, sigma = 1e-2):")
    for method, kw in (("penalty", dict(inner_steps=10)), ("penalty_single_loop", {})):
        t = {}
        for backend in ("cpp", "numpy"):
            res = po.solve(p, method, penalty=1e-2, step_x=1.0, batch=64, steps=500, backend=backend, record=2,
                           seed=0, **kw)
            t[backend] = res.trace["time"][-1]
        print(f"  {method:<20} cpp {t['cpp']:8.3f} s  numpy {t['numpy']:8.3f} s  ratio {t['numpy'] / t['cpp']:6.1f}x")


if __name__ == "__main__":
    main()
