r"""Structured fractional programs (catalogue structured.md section 1.9; Yuan, ICML 2023).

.. math::

    \min_{x \in [lo, hi]} F(x) = \frac{N(x)}{D(x)}, \qquad
    N(x) = \tfrac12 x^T A x + a^T x + \alpha + \lambda \|x\|_1, \qquad
    D(x) = \tfrac12 x^T B x + b^T x + \beta,

with ``A`` positive semidefinite (a convex numerator: a differentiable convex part plus a convex
nonsmooth one) and a denominator that is convex (``B`` positive semidefinite) or concave (``B`` negative
semidefinite) and certified positive on the domain (:meth:`FractionalQuadratic.denominator_lower_bound`).
The problem is nonconvex.  With a concave denominator and a nonnegative numerator every critical point is a
global minimum (Yuan 2023) and Dinkelbach's method, whose subproblems ``min N - gamma D`` are then convex
(``gamma >= 0``), finds ``F*``
(:func:`pyoptheory.methods.fractional.dinkelbach`); with a convex denominator the optimum is not computed.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._validation import as_float_array, as_scalar
from .base import Constants, Problem


def _symmetric(M, name, d):
    M = as_float_array(M, name, shape=(d, d))
    if not np.allclose(M, M.T, rtol=1e-12, atol=1e-14 * max(1.0, np.abs(M).max())):
        raise ValueError(f"{name}: must be symmetric")
    return 0.5 * (M + M.T)


class FractionalQuadratic(Problem):
    """``F(x) = (1/2 x^T A x + a^T x + alpha + lam ||x||_1) / (1/2 x^T B x + b^T x + beta)`` on a box.

    Parameters
    ----------
    A, a, alpha : the numerator's quadratic, linear and constant parts (``A`` symmetric PSD).
    lam : float, ``>= 0``: the L1 weight of the numerator.
    B, b, beta : the denominator's parts; ``B`` PSD (convex denominator) or NSD (concave), and the
        denominator must be certified positive on the box (see :meth:`denominator_lower_bound`).
    lo, hi : bounds (``-inf``/``inf`` allowed; a concave denominator needs finite ones).
    x0 : the default start (feasible), else the projection of 0 onto the box.
    """

    kind = "fractional"

    def __init__(self, A, a, alpha, lam, B, b, beta, lo=None, hi=None, *, x0=None, name="fractional_quadratic"):
        a = as_float_array(a, "a", ndim=1)
        d = a.shape[0]
        if d == 0:
            raise ValueError("a: the problem needs at least one variable")
        self.A = _symmetric(A, "A", d)
        self.a = a
        self.alpha = as_scalar(alpha, "alpha")
        self.lam = as_scalar(lam, "lam", nonnegative=True)
        self.B = _symmetric(B, "B", d)
        self.b = as_float_array(b, "b", shape=(d,))
        self.beta = as_scalar(beta, "beta")
        self.lo = np.full(d, -np.inf) if lo is None else as_float_array(lo, "lo", shape=(d,), finite=False)
        self.hi = np.full(d, np.inf) if hi is None else as_float_array(hi, "hi", shape=(d,), finite=False)
        if np.any(np.isnan(self.lo)) or np.any(np.isnan(self.hi)) or np.any(self.lo > self.hi):
            raise ValueError("lo, hi: bounds must satisfy lo <= hi (no NaN)")
        scale = max(1.0, np.abs(self.A).max())
        if np.linalg.eigvalsh(self.A)[0] < -1e-12 * scale:
            raise ValueError("A: the numerator's quadratic must be positive semidefinite (a convex numerator)")
        eig_B = np.linalg.eigvalsh(self.B)
        tolB = 1e-12 * max(1.0, np.abs(self.B).max())
        if eig_B[0] >= -tolB:
            self.denominator = "convex"
        elif eig_B[-1] <= tolB:
            self.denominator = "concave"
        else:
            raise ValueError("B: the denominator must be convex (B PSD) or concave (B NSD); B is indefinite")
        low = self.denominator_lower_bound()
        if not low > 0:
            raise ValueError(f"beta: cannot certify that the denominator is positive on the domain "
                             f"(certified lower bound {low:.6g})")
        super().__init__(d, kind="fractional", name=name, x0=x0)
        if x0 is not None and not self.feasible(self._x0):
            raise ValueError("x0: is not in the box [lo, hi]")

    # --- parts of the objective -----------------------------------------------------------------
    def numerator(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 * x @ (self.A @ x) + self.a @ x + self.alpha + self.lam * np.abs(x).sum()

    def denominator_value(self, x):
        x = np.asarray(x, dtype=float)
        return 0.5 * x @ (self.B @ x) + self.b @ x + self.beta

    def f(self, x):
        """``F(x) = N(x) / D(x)`` (the whole objective; ``g`` is 0)."""
        return float(self.numerator(x) / self.denominator_value(x))

    def grad(self, x):
        """The gradient of ``F`` where ``x`` has no zero coordinate (``lam > 0``); else the one with
        ``sign(0) = 0``.  Coordinate descent never needs it."""
        x = np.asarray(x, dtype=float)
        N, D = self.numerator(x), self.denominator_value(x)
        gN = self.A @ x + self.a + self.lam * np.sign(x)
        gD = self.B @ x + self.b
        return (gN * D - N * gD) / D ** 2

    def feasible(self, x, tol=1e-9):
        x = np.asarray(x, dtype=float)
        return bool(np.all(x >= self.lo - tol) and np.all(x <= self.hi + tol))

    @property
    def x0(self):
        if self._x0 is not None:
            return self._x0.copy()
        return np.clip(np.zeros(self.dim), self.lo, self.hi)

    def denominator_lower_bound(self):
        r"""A certified lower bound on ``D`` over the box.

        Convex ``D``: its infimum over ``R^d``, ``beta - 1/2 b^T B^+ b`` when ``b`` lies in the range of
        ``B`` (else ``-inf`` unless the box is bounded, where the minimum over the corners' hull is not
        needed: the bound below is used).  Concave ``D``: its minimum over the box is attained at a corner;
        all corners are enumerated for ``d <= 16``, otherwise
        ``beta - sum_i |b_i| r_i - 1/2 lambda_max(-B) ||r||^2`` with ``r_i = max(|lo_i|, |hi_i|)``.
        """
        d = self.a.shape[0]
        if self.denominator == "convex":
            w, V = np.linalg.eigh(self.B)
            keep = w > 1e-12 * max(1.0, np.abs(w).max())
            coef = V.T @ self.b
            outside = np.linalg.norm(coef[~keep])
            if outside <= 1e-12 * max(1.0, np.linalg.norm(self.b)):
                return float(self.beta - 0.5 * np.sum(coef[keep] ** 2 / w[keep]))
            if np.all(np.isfinite(self.lo)) and np.all(np.isfinite(self.hi)):
                return self._bounded_lower_bound()
            return -np.inf
        if not (np.all(np.isfinite(self.lo)) and np.all(np.isfinite(self.hi))):
            return -np.inf
        if d <= 16:
            corners = np.array(list(itertools.product(*zip(self.lo, self.hi))))
            vals = 0.5 * np.einsum("ij,jk,ik->i", corners, self.B, corners) + corners @ self.b + self.beta
            return float(vals.min())
        return self._bounded_lower_bound()

    def _bounded_lower_bound(self):
        r = np.maximum(np.abs(self.lo), np.abs(self.hi))
        lam_neg = max(0.0, -np.linalg.eigvalsh(self.B)[0])
        return float(self.beta - np.abs(self.b) @ r - 0.5 * lam_neg * r @ r)

    def _compute_constants(self):
        return Constants({"D_min": self.denominator_lower_bound(), "lam": self.lam},
                         how={"D_min": "certified lower bound of the denominator on the box",
                              "lam": "the L1 weight"})

    def _solve(self):
        """Dinkelbach's global optimum when its subproblems are convex: a concave denominator and ``F* >= 0``
        (a negative ``gamma`` makes ``A - gamma B`` indefinite); otherwise not computed."""
        if self.denominator != "concave":
            return None, None  # nonconvex subproblems: the global optimum is not computed
        from ..methods.fractional import dinkelbach

        try:
            res = dinkelbach(self)
        except ValueError:  # a negative gamma on the way: the subproblems are not convex
            return None, None
        return (res.x, res.fun) if res.success else (None, None)


def fractional_quadratic(d=8, *, denominator="concave", lam=0.1, bound=1.0, seed=0):
    """A random well-posed instance: ``A = M^T M / d + 0.1 I`` with uneven columns, ``N > 0``, and a
    denominator that is concave (``B = -G^T G / d``, with ``beta`` large enough on the box
    ``[-bound, bound]^d``) or convex (``B = G^T G / d + 0.1 I`` on all of ``R^d`` when ``bound`` is None).

    Concave instances have a computable global optimum (Dinkelbach); convex ones do not.
    """
    from .._validation import as_int, choose

    d = as_int(d, "d", minimum=1)
    denominator = choose(denominator, "denominator", ("concave", "convex"))
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d)) * np.geomspace(1.0, 4.0, d)
    A = M.T @ M / d + 0.1 * np.eye(d)
    a = rng.standard_normal(d)
    alpha = 0.5 * a @ np.linalg.solve(A, a) + 1.0  # N >= 1 > 0 everywhere
    G = rng.standard_normal((d, d))
    b = 0.3 * rng.standard_normal(d)
    if denominator == "concave":
        bound = 1.0 if bound is None else as_scalar(bound, "bound", positive=True)
        B = -G.T @ G / d
        r = np.full(d, bound)
        beta = 1.0 + np.abs(b) @ r + 0.5 * np.linalg.eigvalsh(-B)[-1] * r @ r
        lo, hi = -r, r
    else:
        B = G.T @ G / d + 0.1 * np.eye(d)
        beta = 0.5 * b @ np.linalg.solve(B, b) + 0.5
        lo = hi = None
        if bound is not None:
            bound = as_scalar(bound, "bound", positive=True)
            lo, hi = np.full(d, -bound), np.full(d, bound)
    name = f"fractional_quadratic(d={d}, {denominator})"
    return FractionalQuadratic(A, a, alpha, lam, B, b, beta, lo, hi, name=name)
