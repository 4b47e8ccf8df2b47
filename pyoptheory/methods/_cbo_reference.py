r"""NumPy reference of the particle step (CBO and consensus hopping): the equations as the papers write them.

The compiled kernel (``cpp/include/pyoptheory/cbo.hpp``) performs the same step in the same order and
draws from the same Philox stream (:mod:`pyoptheory.random_stream`); tests hold it to this reference.
"""
from __future__ import annotations

import numpy as np

from .. import random_stream as rs

MOVES = {"isotropic": 0, "anisotropic": 1, "hop": 2}
SCHEDULES = {"fixed": 0, "geometric": 1, "ess": 2}
OK, NONFINITE, NO_FINITE_VALUE = 0, 1, 2


def consensus(X, F, alpha):
    r"""The consensus point ``v = sum_i w_i x_i / sum_i w_i``, ``w_i = exp(-alpha (f_i - min_j f_j))``.

    Subtracting the minimum is the log-sum-exp trick: the largest weight is 1, so nothing underflows to
    0/0 even at ``alpha = 1e15``.  Particles with a non-finite value get weight 0.  Returns ``(v, excluded)``;
    ``v`` is None when no value is finite.
    """
    ok = np.isfinite(F)
    if not ok.any():
        return None, F.size
    fmin = F[ok].min()
    w = np.zeros(F.shape)
    w[ok] = np.exp(-alpha * (F[ok] - fmin))
    return (w @ X) / w.sum(), int(F.size - ok.sum())


def effective_sample_size(F, alpha):
    """``(sum w)^2 / sum w^2`` of the consensus weights (``N`` at ``alpha = 0``, 1 as ``alpha -> inf``)."""
    ok = np.isfinite(F)
    if not ok.any():
        return 0.0
    w = np.exp(-alpha * (F[ok] - F[ok].min()))
    return float(w.sum() ** 2 / (w @ w))


def ess_alpha(F, eta, alpha_max):
    """The ``alpha`` with effective sample size ``eta N`` (Carrillo, Hoffmann, Stuart and Vaes 2022):
    40 bisection steps on ``log alpha`` in ``[1e-10 alpha_max, alpha_max]``."""
    target = eta * F.size
    if not np.isfinite(F).any() or effective_sample_size(F, alpha_max) >= target:
        return alpha_max
    lo, hi = np.log(alpha_max) - 10.0 * np.log(10.0), np.log(alpha_max)
    if effective_sample_size(F, np.exp(lo)) <= target:
        return float(np.exp(lo))
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if effective_sample_size(F, np.exp(mid)) >= target:
            lo = mid
        else:
            hi = mid
    return float(np.exp(0.5 * (lo + hi)))


def group_order(seed, m, N, k, batch):
    """Particle order of run ``m`` at step ``k``: identity, or sorted by Philox uniforms when batching."""
    if batch >= N:
        return np.arange(N)
    keys = rs.particle_uniforms(seed, m * N + np.arange(N), k, rs.STREAM_BATCH)
    return np.argsort(keys, kind="stable")


def steps(cfg, X, F, alpha, k0, k1, values, run_fail, run_code):
    """Steps ``k0 .. k1-1`` in place on ``X`` (M, N, d), ``F`` (M, N) and ``alpha`` (M,), for the runs with
    ``run_fail[m] < 0``.

    A run whose particles leave the finite numbers (``NONFINITE``) or one of whose groups has no finite value
    (``NO_FINITE_VALUE``) stops: ``run_fail[m] = k``, ``run_code[m]`` the reason; the others go on.
    ``values(X2d)`` evaluates the objective at the moved particles of the runs active during the step;
    ``cfg`` holds ``drift``, ``noise_std``, ``dt``, ``move``, ``batch``, ``schedule``, ``factor``, ``alpha_max``,
    ``ess_eta`` and ``seed``.  Returns ``(evaluations, excluded)`` like the kernel.
    """
    M, N, d = X.shape
    batch = N if cfg["batch"] <= 0 else min(cfg["batch"], N)
    excluded = evals = 0
    for k in range(k0, k1):
        V = np.empty_like(X)
        for m in range(M):
            if run_fail[m] >= 0:
                continue
            if cfg["schedule"] == SCHEDULES["ess"]:
                alpha[m] = ess_alpha(F[m], cfg["ess_eta"], cfg["alpha_max"])
            order = group_order(cfg["seed"], m, N, k, batch)
            for start in range(0, N, batch):
                members = order[start:start + batch]
                v, e = consensus(X[m, members], F[m, members], alpha[m])
                if v is None:
                    run_fail[m], run_code[m] = k, NO_FINITE_VALUE
                    continue
                excluded += e
                V[m, members] = v
        act = np.nonzero(run_fail < 0)[0]
        if act.size == 0:
            break
        Z = rs.particle_normals(cfg["seed"], np.arange(M * N), k, rs.STREAM_NOISE, d).reshape(M, N, d)[act]
        Xa, U = X[act], X[act] - V[act]
        if cfg["move"] == MOVES["hop"]:  # consensus hopping: sample around the consensus
            Xa = V[act] + cfg["noise_std"] * Z
        elif cfg["move"] == MOVES["isotropic"]:  # D(u) = ||u|| I
            amp = cfg["noise_std"] * np.sqrt(cfg["dt"]) * np.sqrt(np.einsum("mnj,mnj->mn", U, U))[..., None]
            Xa = Xa - cfg["drift"] * cfg["dt"] * U + amp * Z
        else:  # D(u) = diag(u)
            Xa = Xa - cfg["drift"] * cfg["dt"] * U + cfg["noise_std"] * np.sqrt(cfg["dt"]) * U * Z
        X[act] = Xa
        with np.errstate(invalid="ignore", over="ignore"):
            F[act] = values(Xa.reshape(act.size * N, d)).reshape(act.size, N)
        evals += act.size * N
        for m in act:
            if not np.all(np.isfinite(X[m])):
                run_fail[m], run_code[m] = k, NONFINITE
            elif cfg["schedule"] == SCHEDULES["geometric"]:
                alpha[m] = min(alpha[m] * cfg["factor"], cfg["alpha_max"])
    return evals, excluded
