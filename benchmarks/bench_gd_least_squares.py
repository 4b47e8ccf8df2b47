"""Deterministic first-order methods on dense least squares (n = 5000, d = 1000): time per iteration
of GD, AGD, FISTA, strongly convex AGD and heavy ball on each backend, against the two BLAS
matrix-vector products one gradient needs (A @ x and A.T @ r), timed side by side in this process.
Prints ratios; asserts nothing (timings are not tests).

    python benchmarks/bench_gd_least_squares.py [--n 5000] [--d 1000] [--steps 200]
"""
import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_info

import pyoptheory as po


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    A = rng.standard_normal((args.n, args.d))
    b = rng.standard_normal(args.n)
    x = rng.standard_normal(args.d)
    p = po.problems.least_squares(A, b)
    _ = p.constants, p.f_star  # exact constants and optimum, computed once, outside the timing
    reps = 50

    def two_matvecs():
        for _ in range(reps):
            r = A @ x - b
            A.T @ r

    blas = best_of(two_matvecs) / reps
    print(f"n={args.n} d={args.d} cores={os.cpu_count()} BLAS={[i.get('internal_api') for i in threadpool_info()]}")
    print(f"two BLAS matvecs (A@x, A.T@r): {blas * 1e3:.3f} ms")
    for method in ("gd", "agd", "fista", "agd_strongly_convex", "heavy_ball"):
        for backend in ("numpy", "numba", "cpp"):
            po.solve(p, method, steps=3, backend=backend)  # compile / warm up
            res = [po.solve(p, method, steps=args.steps, backend=backend, record=2) for _ in range(3)]
            per_iter = min(r.trace["time"][-1] for r in res) / args.steps
            print(f"{method:<20} backend={backend:<6} {per_iter * 1e3:.3f} ms/iter   ratio to BLAS pair: "
                  f"{per_iter / blas:.2f}x")


if __name__ == "__main__":
    main()
