r"""Final-iterate lower-bound instance of Harvey, Liaw, Plan & Randhawa (COLT 2019).

"Tight analyses for non-smooth stochastic gradient descent", arXiv 1812.05217,
Lipschitz convex case: a convex 1-Lipschitz function on the Euclidean unit ball
of ``R^T`` on which (sub)gradient descent with steps ``eta_t = c/sqrt(t)`` from
``x_1 = 0`` has final-iterate error ``Omega(log T/sqrt T)``, a factor ``log T``
above the ``O(1/sqrt T)`` of the averaged iterate.

What was checked against which source
-------------------------------------
* Confirmed from the paper's abstract (ar5iv / arXiv 1812.05217, the authors' page):
  for Lipschitz convex f, "there exists a function for which the error of the final
  iterate of deterministic gradient descent is Omega(log(T)/sqrt(T))".
* The construction itself (below) is **recalled, not read** [M]: the body of the
  paper was not reachable in the stored copies searched.  Every property used here
  is instead derived [D] and checked numerically [N] (tests/test_harvey_instance.py).

Construction (1-based indices as in the paper)
----------------------------------------------
``f(x) = max_{i in [T+1]} h_i^T x`` on ``X = {x in R^T : ||x|| <= 1}`` with

* ``h_{i,j} = a_j`` for ``1 <= j < i``, ``h_{i,i} = -b_i`` for ``i <= T``, ``h_{i,j} = 0`` for ``j > i``
  (so ``h_{T+1} = (a_1, ..., a_T)``; dimension ``T`` suffices),
* ``a_j = 1/(8 (T - j + 1))``, ``b_j = sqrt(j)/(2 sqrt(T))``,
* the subgradient oracle returns ``h_i`` for the **smallest** maximising index ``i``,
* steps ``eta_t = c/sqrt(t)``, ``t = 1..T`` (the paper: ``c = 1``), start ``x_1 = 0``.

Oracles cost O(T): ``h_i^T x = S_{i-1} - b_i x_i`` with ``S = cumsum(a * x)``.

Derived facts [D] (each checked numerically [N])
------------------------------------------------
1. ``G = max_i ||h_i|| <= sqrt(1/4 + pi^2/384) < 0.53``: f is 1-Lipschitz.
2. **Trajectory.**  For ``0 < c <= 2`` and ``t = 1..T+1``,
   ``x_{t,j} = b_j eta_j - a_j sum_{k=j+1}^{t-1} eta_k`` for ``j < t`` and ``0`` for ``j >= t``;
   the oracle returns ``h_t`` at ``x_t`` and the projection is never active.
   (Induction: ``0 < x_{t,j} <= b_j eta_j`` because ``a_j sum_{k>j} eta_k <= c/(4 sqrt T) <
   c/(2 sqrt T) = b_j eta_j``; so ``h_i^T x_t < h_t^T x_t`` for ``i < t`` while all ``i >= t``
   tie, and ``||x_t||^2 <= sum_{j<t} (b_j eta_j)^2 <= c^2/4 <= 1``.)
3. **Lower bound.**  ``f(x_{T+1}) = h_{T+1}^T x_{T+1} = sum_j a_j b_j eta_j - sum_j a_j^2 sum_{k>j} eta_k
   >= c H_T/(16 sqrt T) - c H_T/(32 sqrt T) = c H_T/(32 sqrt T) >= c log(T)/(32 sqrt T)``
   (``H_T`` the harmonic number); asymptotically ``f(x_{T+1}) ~ 3 c log(T)/(64 sqrt T)``.
   For ``c = 1`` this is the recalled statement ``f(x_{T+1}) >= log T/(32 sqrt T)``.
4. **Optimum.**  ``f* = 0``, attained only at ``x* = 0``: the weights ``lambda`` on
   ``[T+1]`` with ``lambda_{T+1} proportional to 1``, ``lambda_j = (a_j/b_j) sum_{i>j} lambda_i``
   are positive and satisfy ``sum_i lambda_i h_i = 0``, hence ``f(x) >= lambda^T H x = 0`` for
   every x; and ``Hx <= 0`` forces ``Hx = 0``, i.e. ``x = 0`` (``h_1..h_T`` are independent).
   So the paper's ``f* <= f(0) = 0`` is an equality and the gap is ``f(x_{T+1})`` itself.

Index map to :func:`pyoptheory.solve` (``subgradient``, ``step_rule="sqrt"``, ``step=c``):
the library's ``x_k`` is the paper's ``x_{k+1}`` and its ``gamma_k = c/sqrt(k+1) = eta_{k+1}``;
``steps=T`` therefore returns the paper's final iterate ``x_{T+1}`` (``output="last"``).
"""
from __future__ import annotations

import time

import numpy as np

from .._validation import as_float_array, as_int, as_scalar
from .base import Constants, Problem
from .sets import Ball

OPTIMA = ("exact", "cvxpy")


class HarveyLipschitz(Problem):
    """The Harvey-Liaw-Plan-Randhawa instance; see the module docstring for every formula.

    ``f* = 0`` at ``x* = 0`` exactly (fact 4, certified by :meth:`certificate`); with ``optimum="cvxpy"`` a
    CLARABEL solve instead, its dual bracket on ``f*`` kept in ``cvxpy_info`` (about 1e-9 measured at T = 500)."""

    def __init__(self, T, c=1.0, *, optimum="exact"):
        T = as_int(T, "T", minimum=2)
        c = as_scalar(c, "c", positive=True)
        if optimum not in OPTIMA:
            raise ValueError(f"optimum: unknown value {optimum!r}; valid: {', '.join(OPTIMA)}")
        super().__init__(T, kind="nonsmooth_constrained", name=f"harvey_lipschitz(T={T})", regularizer=Ball(1.0),
                         x0=np.zeros(T))
        self.T, self.c, self.optimum = T, c, optimum
        j = np.arange(1, T + 1, dtype=float)
        self.a = 1.0 / (8.0 * (T - j + 1.0))          # a_j, j = 1..T
        self.b = np.sqrt(j) / (2.0 * np.sqrt(T))      # b_j, j = 1..T
        self.cvxpy_info = None

    # --- oracles, O(T) each -------------------------------------------------------
    def _check(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape != (self.T,):
            raise ValueError(f"x: expected shape ({self.T},), got {x.shape}")
        return x

    def values(self, x):
        """``(h_1^T x, ..., h_{T+1}^T x)`` in O(T): ``h_i^T x = S_{i-1} - b_i x_i``, ``S = cumsum(a x)``."""
        x = self._check(x)
        S = np.cumsum(self.a * x)
        v = np.empty(self.T + 1)
        v[0] = -self.b[0] * x[0]
        v[1:self.T] = S[:-1] - self.b[1:] * x[1:]
        v[self.T] = S[-1]
        return v

    def f(self, x):
        return float(np.max(self.values(x)))

    def active_index(self, x):
        """The paper's oracle index: the smallest (1-based) ``i`` maximising ``h_i^T x``."""
        return int(np.argmax(self.values(x))) + 1  # argmax returns the first maximiser

    def h(self, i):
        """The vector ``h_i`` (1-based ``i`` in ``1..T+1``), built in O(T)."""
        i = as_int(i, "i", minimum=1)
        if i > self.T + 1:
            raise ValueError(f"i: must be in 1..{self.T + 1}, got {i}")
        g = np.zeros(self.T)
        g[:i - 1] = self.a[:i - 1]
        if i <= self.T:
            g[i - 1] = -self.b[i - 1]
        return g

    def grad(self, x):
        """``h_i`` for the first maximiser ``i`` (the subgradient oracle of the paper)."""
        return self.h(self.active_index(x))

    def dense_H(self):
        """The (T+1) x T matrix with rows ``h_i`` (O(T^2) memory: for tests on small T only)."""
        return np.array([self.h(i) for i in range(1, self.T + 2)])

    # --- the paper's run ----------------------------------------------------------
    def step_sizes(self):
        """The paper's steps ``eta_t = c/sqrt(t)``, ``t = 1..T`` (equal to the library's
        ``subgradient_steps("sqrt", c, T)``: ``gamma_k = eta_{k+1}``)."""
        return self.c / np.sqrt(np.arange(1, self.T + 1, dtype=float))

    def paper_iterate(self, t):
        """Closed form of the paper's ``x_t`` (``t = 1..T+1``, ``x_1 = 0``), valid for ``c <= 2``:
        ``x_{t,j} = b_j eta_j - a_j sum_{k=j+1}^{t-1} eta_k`` for ``j < t``, else 0."""
        t = as_int(t, "t", minimum=1)
        if t > self.T + 1:
            raise ValueError(f"t: must be in 1..{self.T + 1}, got {t}")
        eta = self.step_sizes()
        P = np.concatenate([[0.0], np.cumsum(eta)])   # P[k] = eta_1 + ... + eta_k
        x = np.zeros(self.T)
        j = np.arange(1, t)                           # j = 1..t-1
        x[:t - 1] = self.b[:t - 1] * eta[:t - 1] - self.a[:t - 1] * (P[t - 1] - P[j])
        return x

    def final_value(self):
        """``f(x_{T+1})`` of the closed-form final iterate (``= h_{T+1}^T x_{T+1}``, c <= 2)."""
        return self.f(self.paper_iterate(self.T + 1))

    def lower_bound(self, sharp=False):
        """Derived lower bound on ``f(x_{T+1}) - f*`` (module docstring, fact 3), for ``0 < c <= 2``:
        ``c log(T)/(32 sqrt T)`` (the paper's form for c = 1), or ``c H_T/(32 sqrt T)`` if ``sharp``."""
        if self.c > 2:
            raise ValueError(f"c: the lower bound is derived for 0 < c <= 2 (projection inactive), got {self.c}")
        lead = np.sum(1.0 / np.arange(1, self.T + 1)) if sharp else np.log(self.T)
        return float(self.c * lead / (32.0 * np.sqrt(self.T)))

    # --- constants and optimum -------------------------------------------------------
    def _compute_constants(self):
        A2 = np.concatenate([[0.0], np.cumsum(self.a ** 2)])   # A2[k] = a_1^2 + ... + a_k^2
        norms_sq = np.append(A2[:-1] + self.b ** 2, A2[-1])    # ||h_i||^2, i = 1..T+1
        G = float(np.sqrt(np.max(norms_sq)))
        return Constants({"G": G, "D": 2.0},
                         {"G": "exact: max_i ||h_i||, ||h_i||^2 = sum_{j<i} a_j^2 + b_i^2 (cumulative sums)",
                          "D": "exact: diameter of the unit ball"})

    def certificate(self):
        """Weights ``lambda`` (on the simplex, ``T+1`` entries) with ``sum_i lambda_i h_i = 0``.

        Returns ``(lam, residual)`` with ``residual = ||sum_i lambda_i h_i||`` computed in O(T);
        ``f(x) >= -residual`` on the unit ball certifies ``f* = 0`` (module docstring, fact 4).
        """
        r = self.a / self.b                                    # lambda_j = r_j * (tail sum after j)
        log_tail = np.concatenate([np.cumsum(np.log1p(r)[::-1])[::-1][1:], [0.0]])  # log R_j, R_T = 1
        lam = np.append(r * np.exp(log_tail), 1.0)
        lam /= lam.sum()
        return lam, float(np.linalg.norm(self.combine(lam)))

    def combine(self, lam):
        """``sum_i lam_i h_i`` in O(T): coordinate j is ``a_j sum_{i>j} lam_i - b_j lam_j``."""
        lam = as_float_array(lam, "lam", shape=(self.T + 1,))
        tail = np.cumsum(lam[::-1])[::-1]                      # tail[k] = lam_{k+1} + ... + lam_{T+1} (0-based k)
        return self.a * tail[1:] - self.b * lam[:self.T]

    def solve_cvxpy(self, solver="CLARABEL"):
        """``min_{||x|| <= 1} f(x)`` by cvxpy, sparse: ``s_i = s_{i-1} + a_i x_i``, ``s_{i-1} - b_i x_i <= t``,
        ``s_T <= t``, ``||x|| <= 1``, minimise t.  O(T) nonzeros; returns a dict with the solution,
        its true objective, and a dual certificate: ``[lower, upper]`` brackets f*."""
        import cvxpy as cp

        T, a, b = self.T, self.a, self.b
        x, s, t = cp.Variable(T), cp.Variable(T), cp.Variable()
        c_first = -b[0] * x[0] <= t
        c_mid = s[:-1] - cp.multiply(b[1:], x[1:]) <= t
        c_last = s[-1] <= t
        cons = [s[0] == a[0] * x[0], s[1:] == s[:-1] + cp.multiply(a[1:], x[1:]), c_first, c_mid, c_last,
                cp.norm(x, 2) <= 1]
        prob = cp.Problem(cp.Minimize(t), cons)
        t0 = time.perf_counter()
        prob.solve(solver=solver)
        elapsed = time.perf_counter() - t0
        if prob.status not in ("optimal", "optimal_inaccurate") or x.value is None:
            raise RuntimeError(f"harvey_lipschitz: cvxpy ({solver}) failed with status {prob.status!r}")
        xv = np.asarray(x.value, dtype=float)
        norm = float(np.linalg.norm(xv))
        x_feas = xv / norm if norm > 1.0 else xv               # projected onto the ball: truly feasible
        lam = np.concatenate([np.atleast_1d(c_first.dual_value), np.atleast_1d(c_mid.dual_value),
                              np.atleast_1d(c_last.dual_value)]).astype(float)
        lam = np.maximum(lam, 0.0)
        lower = -float(np.linalg.norm(self.combine(lam / lam.sum()))) if lam.sum() > 0 else -np.inf
        upper = self.f(x_feas)
        info = dict(x=x_feas, t=float(t.value), f=upper, lower=lower, upper=upper, bracket=upper - lower,
                    norm=norm, status=prob.status, solver=solver, seconds=elapsed)
        self.cvxpy_info = info
        return info

    def _solve(self):
        if self.optimum == "cvxpy":
            info = self.solve_cvxpy()
            return info["x"], info["f"]
        return np.zeros(self.T), 0.0                           # exact, certified by certificate()


def harvey_lipschitz(T, c=1.0, *, optimum="exact"):
    r"""Harvey, Liaw, Plan & Randhawa (2019) final-iterate lower-bound instance, Lipschitz case.

    ``f(x) = max_{i<=T+1} h_i^T x`` on the unit ball of ``R^T`` (kind ``nonsmooth_constrained``,
    regularizer ``Ball(1.0)``), ``a_j = 1/(8(T-j+1))``, ``b_j = sqrt(j)/(2 sqrt T)``, subgradient
    oracle at the first maximiser, O(T) per call.  Constants ``G = max_i ||h_i||`` (exact) and
    ``D = 2``; ``x0 = 0``; ``f* = 0`` at ``x* = 0`` (exact, certified by
    :meth:`HarveyLipschitz.certificate`; ``optimum="cvxpy"`` computes it numerically instead, with a dual bracket
    on ``f*`` in ``p.cvxpy_info``).

    Run ``pyoptheory.solve(p, "subgradient", steps=T, step=c, step_rule="sqrt", output="last",
    backend="numpy")``: the result is the paper's ``x_{T+1}`` and, for ``0 < c <= 2``,
    ``f(x_{T+1}) - f* >= c H_T/(32 sqrt T) >= c log(T)/(32 sqrt T)``.
    """
    return HarveyLipschitz(T, c, optimum=optimum)


def bounded_noise_quadratic(dim=10, lam=1.0, noise=2.0, D0=1.0, seed=0, constrained=False):
    r"""``f(x) = (lam/2)||x - x*||^2`` with gradients ``g = grad f(x) + xi``, ``xi`` uniform on the sphere of radius
    ``noise``: a convex instance of stochastic-gradient theorems whose expectation is exact.

    Iterates stay in a ball: with ``eta_t lam <= 1``, ``||e_{t+1}|| <= (1 - eta_t lam)||e_t|| + eta_t noise <=
    max(||e_t||, noise/lam)``, so ``||x_t - x*|| <= R = max(D0, noise/lam)`` on every path, and along the run
    ``||grad f|| <= G = lam R`` (declared) and ``E||g||^2 <= G^2 + noise^2 = B^2``.  No projection ever acts
    (``constrained``: the problem is posed on the ball of radius ``R`` around ``x*``, for methods that need a
    bounded set), so ``S_t = E e_t e_t^T`` obeys ``S_{t+1} = (I - eta_t H) S_t (I - eta_t H) + eta_t^2 (noise^2/d) I``
    and ``E f(x_t) - f* = tr(H S_t)/2`` exactly (:func:`noisy_quadratic_moments`).  The steps must keep
    ``eta_t lam <= 1`` (checked there).  ``x*`` and ``f* = 0`` are given exactly (``p.f_star_accuracy = 0``).
    """
    from .catalog import quadratic
    from .oracles import bounded_noise
    from .sets import Ball

    rng = np.random.default_rng(seed)
    xs = rng.standard_normal(dim)
    u = rng.standard_normal(dim)
    x0 = xs + D0 * u / np.linalg.norm(u)
    R = max(D0, noise / lam)
    base = quadratic(dim, spectrum=np.full(dim, lam), x_star=xs, x0=x0, seed=seed, name="bounded_noise_quadratic",
                     constraint=Ball(R * (1 + 1e-9), center=xs) if constrained else None)
    base._extra_constants["G"] = (lam * R, "lam max(D0, noise/lam): the iterates stay within this distance of x*")
    base._constants = None
    return bounded_noise(base, noise)


def noisy_quadratic_moments(problem, etas, weights=None):
    """Exact ``E f(x_t) - f*`` (``gap``, ``t = 0 .. T``) after the updates with steps ``etas`` on
    :func:`bounded_noise_quadratic`, and with ``weights`` (of ``x_0 .. x_T``) the gap of the weighted average of
    ``x_0 .. x_t`` (``gap_avg``), by the cross moments ``E[e_t e_s^T] = (I - eta_{t-1} H) E[e_{t-1} e_s^T]``."""
    from .exact import quadratic_form

    H, xs, _ = quadratic_form(problem, constrained=True)  # the ball of bounded_noise_quadratic never acts
    d = H.shape[0]
    lam = np.linalg.eigvalsh(H)[-1]
    etas = np.asarray(etas, dtype=float)
    if np.any(etas * lam > 1 + 1e-12):
        raise ValueError("etas: the exact expectation needs eta_t lam <= 1 (the iterates then stay in the ball "
                         "on which G holds)")
    T = etas.size
    w = np.ones(T + 1) if weights is None else np.asarray(weights, dtype=float)
    e0 = problem.x0 - xs
    S = np.outer(e0, e0)
    Q = (problem.noise_trace / d) * np.eye(d)
    C, P, W = w[0] * S, w[0] ** 2 * S, w[0]
    gap, gap_avg = np.empty(T + 1), np.empty(T + 1)
    gap[0] = gap_avg[0] = 0.5 * float(np.trace(H @ S))
    for t, eta in enumerate(etas):
        B = np.eye(d) - eta * H
        S = B @ S @ B + eta * eta * Q
        C = B @ C + w[t + 1] * S
        P = P + w[t + 1] * (C + C.T) - w[t + 1] ** 2 * S
        W += w[t + 1]
        gap[t + 1] = 0.5 * float(np.trace(H @ S))
        gap_avg[t + 1] = 0.5 * float(np.trace(H @ P)) / W**2 if W > 0 else gap[t + 1]
    return dict(gap=gap, gap_avg=gap_avg)


def noisy_quadratic_gap(problem, etas):
    """Exact ``E f(x_T) - f*`` after the updates with steps ``etas`` (:func:`noisy_quadratic_moments`)."""
    return float(noisy_quadratic_moments(problem, etas)["gap"][-1])
