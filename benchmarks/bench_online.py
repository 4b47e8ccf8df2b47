"""Optimistic OMD round loop: the compiled kernel against a minimal NumPy loop and the raw arithmetic.

    python benchmarks/bench_online.py [--rounds 1000000] [--dim 100]

One run of ``oomd`` (SEA step, the last gradient as hint) for ``--rounds`` rounds on a built-in environment
(linear losses on the unit ball, a mean flipping every round plus Rademacher noise of norm 0.5) in
``--dim`` dimensions, three ways, printing seconds per million rounds and the ratios (asserts nothing):

* ``pyoptheory`` (``backend="cpp"``): the whole loop in C++, the environment's noise drawn from Philox in the
  loop, the regret accumulators updated every round;
* ``numpy loop``: the same update written as the minimal per-round NumPy loop a user would write (the noise
  drawn up front with NumPy, which favours it), timed on a tenth of the rounds and scaled;
* ``raw arithmetic``: the same per-round arithmetic (play, projection, loss, update, the V and M bookkeeping)
  compiled by Numba without the environment or the regret accounting, on noise drawn up front: a floor
  for the work of one round.
"""
import argparse
import time

import numpy as np


def numpy_loop(Y, R, G, D, delta=1.0):
    T, d = Y.shape
    xhat, M, V, loss = np.zeros(d), np.zeros(d), 0.0, 0.0
    for t in range(T):
        eta = D / np.sqrt(delta + 4 * G * G + V)
        x = xhat - eta * M
        n = np.linalg.norm(x)
        if n > R:
            x *= R / n
        g = Y[t]
        loss += g @ x
        xhat = xhat - eta * g
        n = np.linalg.norm(xhat)
        if n > R:
            xhat *= R / n
        V += (g - M) @ (g - M)
        M = g
    return loss


def raw_kernel():
    from numba import njit

    @njit(cache=False, fastmath=False)
    def raw(Y, R, G, D, delta):
        T, d = Y.shape
        xhat, M, x = np.zeros(d), np.zeros(d), np.zeros(d)
        V, loss = 0.0, 0.0
        for t in range(T):
            eta = D / np.sqrt(delta + 4 * G * G + V)
            n2 = 0.0
            for j in range(d):
                x[j] = xhat[j] - eta * M[j]
                n2 += x[j] * x[j]
            s = min(1.0, R / np.sqrt(n2)) if n2 > 0 else 1.0
            n2 = 0.0
            for j in range(d):
                x[j] *= s
                loss += Y[t, j] * x[j]
                xhat[j] -= eta * Y[t, j]
                n2 += xhat[j] * xhat[j]
            s = min(1.0, R / np.sqrt(n2)) if n2 > 0 else 1.0
            for j in range(d):
                xhat[j] *= s
                V += (Y[t, j] - M[j]) ** 2
                M[j] = Y[t, j]
        return loss

    return raw


def main():
    import pyoptheory as po

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=100)
    args = ap.parse_args()
    T, d = args.rounds, args.dim
    env = po.online.sea(d, regime="switching", period=1, noise=0.5)
    c = env.constants
    res = po.solve(env, "oomd", steps=T, record=2, seed=0)
    ours = res.trace["time"][-1]
    rng = np.random.default_rng(0)
    T_np = max(T // 10, 1)
    Y = np.array([env.mean_at(t) for t in range(1, T_np + 1)]) + 0.5 / np.sqrt(d) * rng.choice([-1.0, 1.0], (T_np, d))
    t0 = time.perf_counter()
    numpy_loop(Y, env.radius, c.G, c.D)
    np_time = (time.perf_counter() - t0) * T / T_np
    raw = raw_kernel()
    raw(Y[:10], env.radius, c.G, c.D, 1.0)  # compile
    Yfull = np.tile(Y, (T // T_np + 1, 1))[:T]
    t0 = time.perf_counter()
    raw(Yfull, env.radius, c.G, c.D, 1.0)
    raw_time = time.perf_counter() - t0
    per = 1e6 / T
    print(f"optimistic OMD, {T} rounds, d = {d} (linear losses on the unit ball, alternating mean + noise)")
    print(f"  pyoptheory (cpp)   {ours * per:8.3f} s per 1e6 rounds   regret {res.regret:.4g}")
    print(f"  numpy loop         {np_time * per:8.3f} s per 1e6 rounds   (timed on {T_np} rounds)")
    print(f"  raw arithmetic     {raw_time * per:8.3f} s per 1e6 rounds   (numba, no environment, no accounting)")
    print(f"  numpy / pyoptheory = {np_time / ours:.1f}x;  pyoptheory / raw = {ours / raw_time:.2f}x")


if __name__ == "__main__":
    main()
