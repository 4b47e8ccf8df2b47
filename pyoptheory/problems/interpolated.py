r"""Functions of a class that pass through given points: the worst cases PEPit finds, made runnable.

A performance-estimation problem (PEPit; Taylor, Hendrickx & Glineur, Math. Program. 2017) returns, with its
worst-case value, the points ``x_i``, (sub)gradients ``g_i`` and values ``f_i`` at which the method queried
the worst function.  The interpolation theorems of the same paper say which data come from a function of the
class, and the constructions below build one, so that any implementation can be run on PEPit's worst case:

* **convex and M-Lipschitz** (``||g_i|| <= M``): ``f(x) = max_i f_i + <g_i, x - x_i>`` (convex, M-Lipschitz);
* **L-smooth and mu-strongly convex**: ``f = q + (mu/2)||x||^2`` with ``q`` the ``(L - mu)``-smooth convex
  interpolant ``q(x) = min_{lambda in simplex} (L'/2)||x - sum_i lambda_i s_i||^2 + sum_i lambda_i (q_i -
  ||h_i||^2/(2 L'))``, ``s_i = x_i - h_i/L'``, ``L' = L - mu``, ``h_i = g_i - mu x_i``, ``q_i = f_i -
  (mu/2)||x_i||^2``: the conjugate of ``||y||^2/(2L') + max_i [phi_i + <s_i, y - h_i>]``, which is
  ``1/L'``-strongly convex, so ``q`` is ``L'``-smooth and convex, with ``q(x_i) = q_i``, ``grad q(x_i) = h_i``;
  its gradient is ``L'(x - sum_i lambda*_i s_i)`` (Danskin);
* **convex** (the nonsmooth term of a composite problem): the max-affine interpolant, its prox by the dual QP
  ``prox_{t h}(v) = v - t A^T lambda*``, ``lambda* = argmax_{simplex} lambda^T (A v + b) - (t/2)||A^T lambda||^2``;
* **indicator of a convex set** (points ``x_i`` with normals ``g_i``): the polyhedron
  ``C = {x : <g_i, x - x_i> <= 0}``, its projection by a QP.

At the data points the oracles return the data themselves (the interpolant's exact values there: the queries
of the method PEPit analysed); elsewhere the QPs are solved by cvxpy.  A subgradient of the max-affine
function at a point where several pieces are active is the one whose anchor ``x_i`` is nearest (PEPit's
choice at its own points).
"""
from __future__ import annotations

import numpy as np

from .base import Constants, Problem

_ANCHOR_TOL = 1e-9


def _anchor(points, x):
    """Index of the data point equal to ``x`` (to rounding), else -1."""
    if points.shape[0] == 0:
        return -1
    dist = np.linalg.norm(points - x, axis=1)
    j = int(np.argmin(dist))
    return j if dist[j] <= _ANCHOR_TOL * max(1.0, np.linalg.norm(x)) else -1


def _simplex_qp(P, q, maximize=False):
    """``argmin_{lambda in simplex} (1/2) lambda^T P lambda + q^T lambda`` (``P`` PSD), by cvxpy."""
    import cvxpy as cp

    m = q.size
    lam = cp.Variable(m, nonneg=True)
    w, V = np.linalg.eigh(0.5 * (P + P.T))
    R = (V * np.sqrt(np.clip(w, 0, None))).T  # P = R^T R
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(R @ lam) + q @ lam), [cp.sum(lam) == 1])
    prob.solve(solver=cp.CLARABEL)
    out = np.clip(np.asarray(lam.value, dtype=float), 0, None)
    return out / out.sum()


class MaxAffine:
    """``h(x) = max_i f_i + <g_i, x - x_i>``, with its prox (a convex regularizer of a composite problem)."""

    is_indicator = False
    code = None

    def __init__(self, X, G, F, prox_pairs=()):
        self.X, self.G, self.F = (np.asarray(a, dtype=float) for a in (X, G, F))
        self.b = self.F - np.einsum("ij,ij->i", self.G, self.X)
        # (v, t, prox_{t h}(v)) known exactly: the prox steps of the analysed method
        self._pairs = [(np.asarray(v, float), float(t), np.asarray(p, float)) for v, t, p in prox_pairs]

    def pieces(self, x):
        return self.G @ x + self.b

    def value(self, x):
        return float(self.pieces(x).max())

    def subgradient(self, x):
        v = self.pieces(x)
        m = v.max()
        active = np.nonzero(v >= m - 1e-9 * max(1.0, abs(m)))[0]
        return self.G[active[np.argmin(np.linalg.norm(self.X[active] - x, axis=1))]].copy()

    def prox(self, y, step):
        y = np.asarray(y, dtype=float)
        for v, t, p in self._pairs:
            if abs(t - step) <= 1e-12 * t and np.linalg.norm(v - y) <= _ANCHOR_TOL * max(1.0, np.linalg.norm(y)):
                return p.copy()
        lam = _simplex_qp(step * self.G @ self.G.T, -(self.G @ y + self.b))
        return y - step * self.G.T @ lam

    def contains(self, x, tol=1e-9):
        return True


class Polyhedron:
    """The indicator of ``C = {x : <g_i, x - x_i> <= 0}`` (the interpolant of a convex indicator)."""

    is_indicator = True
    code = None

    def __init__(self, X, G, prox_pairs=()):
        X, G = np.asarray(X, float), np.asarray(G, float)
        keep = np.linalg.norm(G, axis=1) > 1e-12 * max(1.0, np.abs(G).max())
        self.N, self.c = G[keep], np.einsum("ij,ij->i", G[keep], X[keep])
        self._pairs = [(np.asarray(v, float), np.asarray(p, float)) for v, _, p in prox_pairs]

    def value(self, x):
        return 0.0

    def contains(self, x, tol=1e-9):
        return bool(np.all(self.N @ x - self.c <= tol * max(1.0, np.abs(self.c).max(initial=0.0))))

    def prox(self, y, step):
        import cvxpy as cp

        y = np.asarray(y, dtype=float)
        for v, p in self._pairs:
            if np.linalg.norm(v - y) <= _ANCHOR_TOL * max(1.0, np.linalg.norm(y)):
                return p.copy()
        if self.contains(y, 0.0):
            return y.copy()
        x = cp.Variable(y.size)
        cp.Problem(cp.Minimize(cp.sum_squares(x - y)), [self.N @ x <= self.c]).solve(solver=cp.CLARABEL)
        return np.asarray(x.value, dtype=float)


class InterpolatedProblem(Problem):
    """A worst case of a function class, runnable: ``f`` Lipschitz (``M``) or smooth (``L``, ``mu``), plus an
    optional convex term or set (see the module docstring).

    Parameters
    ----------
    f_data : dict
        ``X``, ``G``, ``F`` (points, gradients, values; the optimum among them) and the class: ``M`` (convex
        Lipschitz) or ``L`` and ``mu`` (smooth strongly convex).
    x0, x_star, f_star : the start and the optimum of ``F = f + h`` (from the PEP).
    h_data : dict, optional
        ``X``, ``G``, ``F`` of the convex term (``indicator=True`` for a set) and ``prox_pairs``.
    radius : float, optional
        Add the constraint ``||x|| <= radius`` (a ball large enough never to act; for methods that take
        constrained problems only).
    """

    def __init__(self, f_data, x0, x_star, f_star, h_data=None, name="pepit_worst_case", radius=None):
        X, G, F = (np.asarray(f_data[k], dtype=float) for k in ("X", "G", "F"))
        reg, kind = None, ("nonsmooth" if "M" in f_data else "smooth")
        if radius is not None:  # a ball that holds the data (for methods that take constrained problems)
            from .sets import Ball

            if np.max(np.linalg.norm(X, axis=1)) >= radius:
                raise ValueError(f"radius: the ball of radius {radius} does not hold the worst case's points")
            reg, kind = Ball(radius), kind + "_constrained" if kind == "nonsmooth" else "constrained"
        if h_data is not None:
            if h_data.get("indicator"):
                reg, kind = Polyhedron(h_data["X"], h_data["G"], h_data.get("prox_pairs", ())), "constrained"
            else:
                reg, kind = MaxAffine(h_data["X"], h_data["G"], h_data["F"], h_data.get("prox_pairs", ())), \
                    "composite"
        super().__init__(X.shape[1], kind=kind, name=name, regularizer=reg, x0=x0, x_star=x_star, f_star=f_star)
        self.X, self.G, self.F = X, G, F
        if "M" in f_data:
            self.lipschitz = MaxAffine(X, G, F)
            self._constants = Constants({"G": float(f_data["M"])}, {"G": "the class of the worst case (PEPit)"})
        else:
            self.lipschitz = None
            L, mu = float(f_data["L"]), float(f_data.get("mu", 0.0))
            self.L, self.mu = L, mu
            Lq = L - mu
            self.H = G - mu * X                       # gradients of q = f - (mu/2)||x||^2
            Q = F - 0.5 * mu * np.einsum("ij,ij->i", X, X)
            self.S = X - self.H / Lq
            self.cq = Q - np.einsum("ij,ij->i", self.H, self.H) / (2 * Lq)
            self.Lq = Lq
            self._constants = Constants({"L": L, "mu": mu}, {"L": "the class of the worst case (PEPit)",
                                                               "mu": "the class of the worst case (PEPit)"})

    def _smooth(self, x):
        j = _anchor(self.X, x)
        if j >= 0:
            return float(self.F[j]), self.G[j].copy()
        S, Lq = self.S, self.Lq
        # min_lambda (Lq/2)||x - S^T lambda||^2 + cq^T lambda
        lam = _simplex_qp(Lq * S @ S.T, self.cq - Lq * S @ x)
        r = x - S.T @ lam
        q = 0.5 * Lq * float(r @ r) + float(self.cq @ lam)
        return q + 0.5 * self.mu * float(x @ x), Lq * r + self.mu * x

    def f(self, x):
        x = np.asarray(x, dtype=float)
        if self.lipschitz is not None:
            j = _anchor(self.X, x)
            return float(self.F[j]) if j >= 0 else self.lipschitz.value(x)
        return self._smooth(x)[0]

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        if self.lipschitz is not None:
            j = _anchor(self.X, x)
            return self.G[j].copy() if j >= 0 else self.lipschitz.subgradient(x)
        return self._smooth(x)[1]
