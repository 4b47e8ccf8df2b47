"""Regularizers g of composite problems: the l1 norm and the indicators of simple sets.

Each has an exact prox (for indicators, the Euclidean projection) in NumPy; the
compiled kernels implement the same formulas (cpp/include/pyoptheory/linear_model.hpp,
pyoptheory/kernels/numba_first_order.py).
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_scalar

# Codes shared with the compiled kernels.
REG_NONE, REG_L1, REG_BALL, REG_BOX, REG_SIMPLEX, REG_SCAD, REG_MCP = range(7)


class Regularizer:
    code = REG_NONE
    is_indicator = False
    scalar = 0.0
    param = 0.0

    def value(self, x):
        return 0.0

    def prox(self, y, step):
        return np.array(y, dtype=float)

    def arrays(self, d):
        """(lo, hi) arrays handed to compiled kernels."""
        return np.zeros(0), np.zeros(0)

    def contains(self, x, tol=1e-9):
        return True

    diameter = np.inf
    radius = np.inf  # max ||x|| over the set


class L1(Regularizer):
    r"""``g(x) = lam * ||x||_1``; prox is soft thresholding at ``step * lam``."""

    code = REG_L1

    def __init__(self, lam):
        self.lam = self.scalar = as_scalar(lam, "lam", nonnegative=True)

    def value(self, x):
        return self.lam * float(np.sum(np.abs(x)))

    def prox(self, y, step):
        t = step * self.lam
        return np.sign(y) * np.maximum(np.abs(y) - t, 0.0)

    def __repr__(self):
        return f"L1(lam={self.lam})"


class Ball(Regularizer):
    """Indicator of the Euclidean ball ``||x - center|| <= radius``."""

    code = REG_BALL
    is_indicator = True

    def __init__(self, radius, center=None, dim=None):
        self.scalar = as_scalar(radius, "radius", positive=True)
        self.center = None if center is None else as_float_array(center, "center", ndim=1)
        self.diameter = 2 * self.scalar

    @property
    def radius(self):
        c = 0.0 if self.center is None else float(np.linalg.norm(self.center))
        return c + self.scalar

    def _c(self, d):
        return np.zeros(d) if self.center is None else self.center

    def prox(self, y, step):
        c = self._c(y.shape[0])
        r = y - c
        nrm = np.sqrt(np.sum(r * r))
        scale = self.scalar / nrm if nrm > self.scalar else 1.0
        return c + scale * r

    def arrays(self, d):
        return np.ascontiguousarray(self._c(d), dtype=float), np.zeros(0)

    def contains(self, x, tol=1e-9):
        return np.linalg.norm(x - self._c(x.shape[0])) <= self.scalar * (1 + tol) + tol

    def lmo(self, g):
        """A minimizer of ``<g, s>`` over the ball (the linear minimization oracle)."""
        nrm = float(np.linalg.norm(g))
        c = self._c(g.shape[0])
        return c - self.scalar * g / nrm if nrm > 0 else c.copy()

    def __repr__(self):
        return f"Ball(radius={self.scalar})"


class Box(Regularizer):
    """Indicator of the box ``lo <= x <= hi`` (elementwise); bounds may be infinite (``Box(0, np.inf)`` is
    the nonnegative orthant; then ``diameter`` and ``radius`` are infinite)."""

    code = REG_BOX
    is_indicator = True

    def __init__(self, lo, hi):
        self.lo = as_float_array(np.atleast_1d(lo), "lo", ndim=1, finite=False)
        self.hi = as_float_array(np.atleast_1d(hi), "hi", ndim=1, finite=False)
        if self.lo.shape != self.hi.shape:
            raise ValueError(f"hi: shape {self.hi.shape} does not match lo {self.lo.shape}")
        if np.isnan(self.lo).any() or np.isposinf(self.lo).any():
            raise ValueError("lo: must not be NaN or +inf")
        if np.isnan(self.hi).any() or np.isneginf(self.hi).any():
            raise ValueError("hi: must not be NaN or -inf")
        if np.any(self.lo > self.hi):
            raise ValueError("lo: must be <= hi elementwise")
        self.diameter = float(np.linalg.norm(self.hi - self.lo))
        self.radius = float(np.linalg.norm(np.maximum(np.abs(self.lo), np.abs(self.hi))))

    def prox(self, y, step):
        return np.minimum(np.maximum(y, self.lo), self.hi)

    def arrays(self, d):
        """The bounds as length-``d`` arrays (a scalar bound holds for every coordinate)."""
        if self.lo.size not in (1, d):
            raise ValueError(f"lo: a box of dimension {self.lo.size} for a problem of dimension {d}")
        return (np.ascontiguousarray(np.broadcast_to(self.lo, (d,))),
                np.ascontiguousarray(np.broadcast_to(self.hi, (d,))))

    def contains(self, x, tol=1e-9):
        return bool(np.all(x >= self.lo - tol) and np.all(x <= self.hi + tol))

    def lmo(self, g):
        """A minimizer of ``<g, s>`` over the box (infinite where the box is unbounded along ``-g``)."""
        lo, hi = np.broadcast_to(self.lo, g.shape), np.broadcast_to(self.hi, g.shape)
        return np.where(g > 0, lo, np.where(g < 0, hi, np.where(np.isfinite(lo), lo, hi)))

    def __repr__(self):
        return f"Box(dim={self.lo.size})"


class Simplex(Regularizer):
    """Indicator of the simplex ``{x >= 0, sum(x) = radius}``; projection in O(d log d)."""

    code = REG_SIMPLEX
    is_indicator = True

    def __init__(self, radius=1.0):
        self.scalar = as_scalar(radius, "radius", positive=True)
        self.diameter = np.sqrt(2.0) * self.scalar
        self.radius = self.scalar

    def prox(self, y, step):
        return project_simplex(y, self.scalar)

    def contains(self, x, tol=1e-9):
        return bool(np.all(x >= -tol) and abs(np.sum(x) - self.scalar) <= tol * max(1.0, self.scalar) * x.size)

    def lmo(self, g):
        """A minimizer of ``<g, s>`` over the simplex: ``radius`` times the vertex of the smallest ``g_i``."""
        s = np.zeros(g.shape)
        s[int(np.argmin(g))] = self.scalar
        return s

    def __repr__(self):
        return f"Simplex(radius={self.scalar})"


def project_simplex(y, radius=1.0):
    """Euclidean projection onto ``{x >= 0, sum x = radius}`` by sorting (catalogue 0.3, P6)."""
    u = np.sort(y)[::-1]
    css = np.cumsum(u)
    k = np.arange(1, y.size + 1)
    t = (css - radius) / k
    ok = np.nonzero(u - t > 0)[0]
    theta = t[ok[-1]]
    return np.maximum(y - theta, 0.0)


def penalty_value(kind, t, lam, par):
    """SCAD (a = par > 2) or MCP (gamma = par > 1) penalty p_lam(t), elementwise (catalogue 3.7)."""
    a = np.abs(t)
    if kind == "scad":
        return np.where(a <= lam, lam * a, np.where(a <= par * lam, (2 * par * lam * a - t * t - lam * lam) /
                                                     (2 * (par - 1)), 0.5 * lam * lam * (par + 1)))
    return np.where(a <= par * lam, lam * a - t * t / (2 * par), 0.5 * par * lam * lam)


def concave_deriv(kind, t, lam, par):
    """q'(t) for q = p_lam - lam |t| (smooth and concave; Lipschitz 1/(a-1) for SCAD, 1/gamma for MCP)."""
    a, s = np.abs(t), np.sign(t)
    if kind == "scad":
        return np.where(a <= lam, 0.0, np.where(a <= par * lam, -s * (a - lam) / (par - 1), -lam * s))
    return np.where(a <= par * lam, -t / par, -lam * s)


class _Penalty(Regularizer):
    """Full nonconvex penalty ``g(x) = sum_j p_lam(x_j)`` with its thresholding prox (step c below
    ``a - 1`` for SCAD, ``gamma`` for MCP)."""

    kind = None

    def __init__(self, lam, par):
        self.lam = self.scalar = as_scalar(lam, "lam", positive=True)
        self.param = float(par)

    def value(self, x):
        return float(np.sum(penalty_value(self.kind, x, self.lam, self.param)))

    def max_step(self):
        return self.param - 1.0 if self.kind == "scad" else self.param

    def prox(self, y, step):
        lam, par, c = self.lam, self.param, step
        a, s = np.abs(y), np.sign(y)
        soft = np.where(a > c * lam, s * (a - c * lam), 0.0)
        if self.kind == "scad":
            mid = ((par - 1) * y - s * c * par * lam) / (par - 1 - c)
            return np.where(a <= lam * (1 + c), soft, np.where(a <= par * lam, mid, y))
        return np.where(a <= par * lam, soft / (1 - c / par), y)


class SCAD(_Penalty):
    """SCAD penalty (Fan & Li 2001), ``a > 2`` (default 3.7)."""

    code = REG_SCAD
    kind = "scad"

    def __init__(self, lam, a=3.7):
        a = as_scalar(a, "a", positive=True)
        if a <= 2:
            raise ValueError(f"a: SCAD needs a > 2, got {a}")
        super().__init__(lam, a)

    def __repr__(self):
        return f"SCAD(lam={self.lam}, a={self.param})"


class MCP(_Penalty):
    """MCP penalty (Zhang 2010), ``gamma > 1`` (default 3)."""

    code = REG_MCP
    kind = "mcp"

    def __init__(self, lam, gamma=3.0):
        gamma = as_scalar(gamma, "gamma", positive=True)
        if gamma <= 1:
            raise ValueError(f"gamma: MCP needs gamma > 1, got {gamma}")
        super().__init__(lam, gamma)

    def __repr__(self):
        return f"MCP(lam={self.lam}, gamma={self.param})"
