r"""Stochastic nonsmooth problems for gradient-free methods with a computable stationarity measure
(catalogue first-order.md 5.3).  Each gives ``sample(rng, m)`` (draws of the sample ``xi``),
``differences(x, W, S, delta)`` (``F(x + delta w_i; s_i) - F(x - delta w_i; s_i)`` row by row, the NumPy reference
of the compiled GFM kernels), ``stationarity(x, delta)`` and ``kernel_args(S)`` (the compiled kernel's view).

:class:`StochasticNorm`: ``F(x; xi) = ||x|| + <xi, x>`` with ``xi`` uniform in the ball of radius ``radius``
(mean zero), so ``f(x) = E F(x; xi) = ||x||``, ``F(., xi)`` is ``(1 + ||xi||)``-Lipschitz and
``L^2 = E (1 + ||xi||)^2``.  Its Goldstein ``delta``-stationarity has the closed form (catalogue 5.3 (a),
derived): ``dist(0, conv{grad f(y) : ||y - x|| <= delta}) = sqrt(1 - delta^2/||x||^2)`` for ``||x|| > delta``,
else 0 (the hull of the cap of unit vectors is cut at height ``cos theta``, ``sin theta = delta/||x||``).
"""
from __future__ import annotations

import numpy as np

from .._validation import as_float_array, as_int, as_scalar, MAX_DIM
from ..problems.base import Constants, Problem


class StochasticNorm(Problem):
    """``F(x; xi) = ||x|| + <xi, x>``, ``xi`` uniform in a ball of radius ``radius``; ``f = ||x||``, ``f* = 0``."""

    def __init__(self, dim, *, radius=1.0, x0=None, name=None):
        d = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
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

    def differences(self, x, W, Xi, delta):
        """``F(x + delta w_i; xi_i) - F(x - delta w_i; xi_i) = ||x + delta w_i|| - ||x - delta w_i|| + 2 delta <xi_i, w_i>``."""
        return (np.sqrt(np.sum((x + delta * W) ** 2, axis=1)) - np.sqrt(np.sum((x - delta * W) ** 2, axis=1))
                + 2.0 * delta * np.einsum("ij,ij->i", Xi, W))

    def stationarity(self, x, delta):
        """The Goldstein ``delta``-stationarity (closed form, :meth:`goldstein`)."""
        return self.goldstein(x, delta)

    def kernel_args(self, Xi):
        return dict(kind=0, Xi=np.ascontiguousarray(Xi), idx=np.zeros(0, np.int64), C=np.zeros((0, 0)), lam=0.0,
                    alpha=0.0)

    def goldstein(self, x, delta):
        """``min {||g|| : g in the delta-Goldstein subdifferential at x}`` (closed form; in one dimension the
        subgradients over ``[x - delta, x + delta]`` are all ``sign(x)`` when ``|x| > delta``: distance 1)."""
        n = float(np.linalg.norm(x))
        if n <= delta:
            return 0.0
        return 1.0 if self.dim == 1 else float(np.sqrt(1.0 - (delta / n) ** 2))

    def _compute_constants(self):
        d, r = self.dim, self.radius
        # E||xi|| = r d/(d + 1), E||xi||^2 = r^2 d/(d + 2) for xi uniform in the ball of radius r
        L2 = 1.0 + 2.0 * r * d / (d + 1) + r * r * d / (d + 2)
        return Constants({"L": float(np.sqrt(L2)), "G": 1.0 + r, "Delta": float(np.linalg.norm(self.x0))},
                         how={"L": "exact: sqrt(E (1 + ||xi||)^2) (mean-squared Lipschitz)",
                              "G": "exact: 1 + radius (Lipschitz constant of every F(., xi))",
                              "Delta": "exact: f(x0) - inf f = ||x0||"})


def sphere_difference_estimate(problem, x, W, S, delta):
    """``(1/k) sum_i d/(2 delta) (F(x + delta w_i; s_i) - F(x - delta w_i; s_i)) w_i``: the GFM estimate from the
    pairs ``(w_i, s_i)`` (unit directions ``W``, samples ``S``), the NumPy reference of the compiled kernels."""
    d, k = x.size, W.shape[0]
    return (d / (2.0 * delta)) * (problem.differences(x, W, S, delta) @ W) / k


def ball_marginal_cdf(t, d):
    """``P(<e, v> <= t)`` for ``v`` uniform in the unit ball of ``R^d`` and a unit vector ``e``: the density is
    proportional to ``(1 - t^2)^((d - 1)/2)`` on ``[-1, 1]``, so ``<e, v>^2 ~ Beta(1/2, (d + 1)/2)``."""
    from scipy.special import betainc

    t = np.clip(np.asarray(t, dtype=float), -1.0, 1.0)
    return 0.5 + 0.5 * np.sign(t) * betainc(0.5, 0.5 * (d + 1), t * t)


class PenalizedSVM(Problem):
    r"""The nonconvex penalised SVM of GFM's experiments (Lin, Zheng & Jordan 2022; catalogue first-order.md 5.3
    (b)): ``F(x; i) = max(0, 1 - b_i <a_i, x>) + lam sum_j min(|x_j|, alpha)``, ``i`` uniform over the rows,
    ``f = E F``.  Hinge loss plus the capped-l1 penalty: nonsmooth and nonconvex, ``F(., i)`` is
    ``(||a_i|| + lam sqrt(d))``-Lipschitz.  (The paper's exact penalty parameters are catalogue [M]; ``lam`` and
    ``alpha`` are this library's choice.)

    ``stationarity(x, delta)`` is ``||grad f_delta(x)||`` for the uniform-ball smoothing, in closed form: every
    term depends on ``x + delta v`` through one direction, so with ``F_1`` the CDF of one coordinate of the
    uniform ball (:func:`ball_marginal_cdf`),
    ``grad f_delta(x) = -(1/n) sum_i b_i a_i F_1((1 - b_i <a_i, x>)/(delta ||a_i||))
    + lam [F_1((alpha - x_j)/delta) - 2 F_1(-x_j/delta) + F_1((-alpha - x_j)/delta)]_j``.  It is the quantity
    GFM's theory bounds and an upper bound on the Goldstein ``delta``-stationarity, since
    ``grad f_delta(x)`` lies in the Goldstein subdifferential.
    """

    def __init__(self, A, b, *, lam=0.02, alpha=0.5, x0=None, name="penalized_svm"):
        A = as_float_array(A, "A", ndim=2)
        b = as_float_array(b, "b", shape=(A.shape[0],))
        if A.shape[0] == 0 or A.shape[1] == 0:
            raise ValueError(f"A: expected a nonempty data matrix, got shape {A.shape}")
        if not np.all(np.abs(b) == 1):
            raise ValueError("b: labels must be -1 or +1")
        self.lam = as_scalar(lam, "lam", nonnegative=True)
        self.alpha = as_scalar(alpha, "alpha", positive=True)
        self.C = np.ascontiguousarray(b[:, None] * A)
        self.n = A.shape[0]
        d = A.shape[1]
        x0 = np.zeros(d) if x0 is None else as_float_array(x0, "x0", shape=(d,))
        super().__init__(d, kind="stochastic_zo", name=name, x0=x0)

    def f(self, x):
        return float(np.mean(np.maximum(0.0, 1.0 - self.C @ x)) + self.lam * np.sum(np.minimum(np.abs(x), self.alpha)))

    def sample(self, rng, m):
        """``m`` row indices, uniform with replacement."""
        return rng.integers(0, self.n, m)

    def differences(self, x, W, rows, delta):
        P, M = x + delta * W, x - delta * W
        c = self.C[rows]
        hinge = np.maximum(0.0, 1.0 - np.einsum("ij,ij->i", c, P)) - np.maximum(0.0, 1.0 - np.einsum("ij,ij->i", c, M))
        return hinge + self.lam * np.sum(np.minimum(np.abs(P), self.alpha) - np.minimum(np.abs(M), self.alpha), axis=1)

    def smoothed_gradient(self, x, delta):
        """``grad f_delta(x)`` for the uniform-ball smoothing of radius ``delta``, in closed form."""
        d = self.dim
        norms = np.linalg.norm(self.C, axis=1)
        active = ball_marginal_cdf((1.0 - self.C @ x) / (delta * np.maximum(norms, 1e-300)), d)
        g = -(active @ self.C) / self.n
        F = lambda t: ball_marginal_cdf(t / delta, d)  # noqa: E731
        return g + self.lam * (F(self.alpha - x) - 2 * F(-x) + F(-self.alpha - x))

    def stationarity(self, x, delta):
        return float(np.linalg.norm(self.smoothed_gradient(x, delta)))

    def kernel_args(self, rows):
        return dict(kind=1, Xi=np.zeros((0, 0)), idx=np.ascontiguousarray(rows, dtype=np.int64), C=self.C,
                    lam=self.lam, alpha=self.alpha)

    def _compute_constants(self):
        lip = np.linalg.norm(self.C, axis=1) + self.lam * np.sqrt(self.dim)
        return Constants({"L": float(np.sqrt(np.mean(lip ** 2))), "G": float(lip.max()), "Delta": self.f(self.x0)},
                         how={"L": "exact: sqrt(mean_i (||a_i|| + lam sqrt(d))^2) (mean-squared Lipschitz)",
                              "G": "exact: max_i ||a_i|| + lam sqrt(d)",
                              "Delta": "bound: f(x0) - inf f <= f(x0), as f >= 0"})


def penalized_svm(dataset="breast_cancer", lam=0.02, alpha=0.5):
    """The penalised SVM on a scikit-learn data set (``"breast_cancer"``: 569 x 30; ``"digits"``: 1797 x 64, even
    against odd): features standardised, then every row scaled to unit norm (the LIBSVM convention of the
    paper's data), labels +-1, ``x0 = 0``."""
    from sklearn import datasets

    loaders = {"breast_cancer": datasets.load_breast_cancer, "digits": datasets.load_digits}
    if dataset not in loaders:
        raise ValueError(f"dataset: unknown {dataset!r}; valid: {', '.join(loaders)}")
    X, y = loaders[dataset](return_X_y=True)
    X = (X - X.mean(axis=0)) / np.maximum(X.std(axis=0), 1e-12)
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    b = np.where(y % 2 == 0, 1.0, -1.0) if dataset == "digits" else np.where(y == 1, 1.0, -1.0)
    return PenalizedSVM(X, b, lam=lam, alpha=alpha, name=f"penalized_svm({dataset})")
