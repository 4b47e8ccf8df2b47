r"""Stochastic nonsmooth problems for gradient-free methods with a computable stationarity measure
(catalogue first-order.md 5.3).

:class:`StochasticNorm`: ``F(x; xi) = ||x|| + <xi, x>`` with ``xi`` uniform in the ball of radius ``radius``
(mean zero), so ``f(x) = E F(x; xi) = ||x||``, ``F(., xi)`` is ``(1 + ||xi||)``-Lipschitz and
``L^2 = E (1 + ||xi||)^2``.  Its Goldstein ``delta``-stationarity has the closed form (catalogue 5.3 (a),
derived): ``dist(0, conv{grad f(y) : ||y - x|| <= delta}) = sqrt(1 - delta^2/||x||^2)`` for ``||x|| > delta``,
else 0 (the hull of the cap of unit vectors is cut at height ``cos theta``, ``sin theta = delta/||x||``).
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar
from ..problems.base import Constants, Problem


class StochasticNorm(Problem):
    """``F(x; xi) = ||x|| + <xi, x>``, ``xi`` uniform in a ball of radius ``radius``; ``f = ||x||``, ``f* = 0``."""

    def __init__(self, dim, *, radius=1.0, x0=None, name=None):
        d = as_int(dim, "dim", minimum=1)
        self.radius = as_scalar(radius, "radius", nonnegative=True)
        x0 = np.ones(d) if x0 is None else as_float_array(x0, "x0", shape=(d,))
        super().__init__(d, kind="stochastic_zo", name=name or f"stochastic_norm(d={d})", x0=x0,
                         x_star=np.zeros(d), f_star=0.0)

    def f(self, x):
        return float(np.linalg.norm(x))

    def grad(self, x):
        n = np.linalg.norm(x)
        return np.asarray(x, float) / n if n > 0 else np.zeros(self.dim)

    def sample(self, rng, m):
        """``m`` draws of ``xi``, uniform in the ball: shape ``(m, d)``."""
        z = rng.standard_normal((m, self.dim))
        z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-300)
        return self.radius * z * rng.random((m, 1)) ** (1.0 / self.dim)

    def values(self, X, Xi):
        """``F(x_i; xi_i)`` row by row."""
        return np.linalg.norm(X, axis=1) + np.einsum("ij,ij->i", Xi, X)

    def goldstein(self, x, delta):
        """``min {||g|| : g in the delta-Goldstein subdifferential at x}`` (closed form)."""
        n = float(np.linalg.norm(x))
        return float(np.sqrt(1.0 - (delta / n) ** 2)) if n > delta else 0.0

    def _compute_constants(self):
        d, r = self.dim, self.radius
        # E||xi|| = r d/(d + 1), E||xi||^2 = r^2 d/(d + 2) for xi uniform in the ball of radius r
        L2 = 1.0 + 2.0 * r * d / (d + 1) + r * r * d / (d + 2)
        return Constants({"L": float(np.sqrt(L2)), "G": 1.0 + r, "Delta": float(np.linalg.norm(self.x0))},
                         how={"L": "exact: sqrt(E (1 + ||xi||)^2) (mean-squared Lipschitz)",
                              "G": "exact: 1 + radius (Lipschitz constant of every F(., xi))",
                              "Delta": "exact: f(x0) - inf f = ||x0||"})


def sphere_difference_estimate(x, W, Xi, delta):
    """``(1/k) sum_i d/(2 delta) (F(x + delta w_i; xi_i) - F(x - delta w_i; xi_i)) w_i`` for the stochastic norm
    (``F(x + delta w) - F(x - delta w) = ||x + delta w|| - ||x - delta w|| + 2 delta <xi, w>``); the NumPy
    reference of the compiled GFM kernels."""
    d, k = x.size, W.shape[0]
    diff = (np.sqrt(np.sum((x + delta * W) ** 2, axis=1)) - np.sqrt(np.sum((x - delta * W) ** 2, axis=1))
            + 2.0 * delta * np.einsum("ij,ij->i", Xi, W))
    return (d / (2.0 * delta)) * (diff @ W) / k
