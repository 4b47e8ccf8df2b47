"""Sinkhorn per-iteration cost against POT, side by side in one process (point clouds in [0,1]^2,
squared Euclidean cost / max).  Prints times and ratios; asserts nothing.

    python benchmarks/bench_sinkhorn.py [--n 2000] [--reg 0.002] [--iters 20]
"""
import argparse
import time
import warnings

import numpy as np
import ot as pot

import pyoptheory as po


def per_iter(fn, iters):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) / iters


def main():
    warnings.simplefilter("ignore", UserWarning)  # POT warns that a capped run did not converge
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--reg", type=float, default=0.002)
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, it = args.n, args.iters
    C = po.ot.cost(rng.random((n, 2)), rng.random((n, 2)), normalize=True)
    a = b = np.full(n, 1 / n)
    reg = args.reg * C.max()
    K = np.exp(-C / reg)
    u = np.ones(n)
    blas = per_iter(lambda: [K @ u for _ in range(2 * it)], it)
    res = po.ot.sinkhorn(a, b, C, reg, steps=it, marginal_tol=0, record=2)
    ours_log = res.trace["time"][-1] / it  # iterations only: setup, recording and the final plan excluded
    res = po.ot.sinkhorn(a, b, C, reg, steps=it, marginal_tol=0, record=2, method="scaling")
    ours_scaling = res.trace["time"][-1] / it
    pot_log = per_iter(lambda: pot.sinkhorn(a, b, C, reg, method="sinkhorn_log", numItermax=it, stopThr=0), it)
    pot_scaling = per_iter(lambda: pot.sinkhorn(a, b, C, reg, method="sinkhorn", numItermax=it, stopThr=0), it)
    print(f"n={n} reg={args.reg} x max C, {it} iterations (ours: kernel time per iteration)")
    print(f"two BLAS matvecs (K@v, K^T@u):  {blas * 1e3:8.2f} ms/iter")
    print(f"POT sinkhorn_log:                {pot_log * 1e3:8.2f} ms/iter")
    print(f"POT sinkhorn (scaling):          {pot_scaling * 1e3:8.2f} ms/iter")
    print(f"pyoptheory log domain (cpp):     {ours_log * 1e3:8.2f} ms/iter | {pot_log / ours_log:5.1f}x faster than "
          f"POT log, {ours_log / pot_scaling:5.2f}x POT scaling")
    print(f"pyoptheory scaling (cpp):        {ours_scaling * 1e3:8.2f} ms/iter | {ours_scaling / blas:5.2f}x the BLAS pair")


if __name__ == "__main__":
    main()
