r"""Multi-class softmax (multinomial logistic) regression.

.. math::

    f(X) = \frac1n \sum_{i=1}^n \Big[\log \sum_{k=1}^K e^{a_i^T X_{:,k}} - a_i^T X_{:,y_i}\Big]
           + \frac{\ell_2}{2}\|X\|_F^2 \;(+\; \lambda \|X\|_1),

with ``X`` of shape ``(d, K)`` flattened row-major into ``x`` (coordinate ``j K + k`` is feature ``j``,
class ``k``).  The Hessian is ``(1/n) sum_i a_i a_i^T (x) (diag p_i - p_i p_i^T) + l2 I`` and
``0 <= diag p - p p^T <= I/2``: ``v^T (diag p - p p^T) v = Var_p(v) <= (max v - min v)^2 / 4 <= ||v||^2 / 2``
(Popoviciu's inequality), so
``L <= lambda_max(A^T A) / (2n) + l2`` (a bound, not attained in general) and ``mu = l2``; the coordinate
constants are ``||A_j||^2 / (4n) + l2`` (``p_k (1 - p_k) <= 1/4``).  The JMLR block coordinate descent
paper's dataset C is a 50-class problem of this form (Nutini, Laradji & Schmidt 2022).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_float_array, as_int, as_scalar
from .base import Constants, Problem


class SoftmaxRegression(Problem):
    """``(1/n) sum_i [logsumexp(a_i^T X) - a_i^T X_{:, y_i}] + (l2/2)||X||^2 (+ lam ||X||_1)``.

    The optimum is computed on first use by Newton's method on the dense ``(dK, dK)`` Hessian, until
    ``||grad f|| < 1e-11`` or no further decrease (about 1e-10 in practice); ``p.f_star_accuracy`` holds the
    certified bound ``||grad f||^2 / (2 l2)``.  There is none (``f_star`` is None) when ``lam > 0`` or ``dK > 4000``.

    Parameters
    ----------
    A : (n, d) array or scipy.sparse matrix
    labels : (n,) integers in ``0 .. n_classes - 1``
    l2 : float, > 0 (strong convexity; the minimiser then exists)
    lam : float, >= 0, an L1 weight (then the problem is composite)
    n_classes : int, default ``max(labels) + 1``
    """

    def __init__(self, A, labels, l2, *, lam=0.0, n_classes=None, x0=None, name="softmax_regression"):
        if sp.issparse(A):
            A = sp.csr_matrix(A, dtype=float)
            if A.shape[0] == 0 or A.shape[1] == 0 or not np.all(np.isfinite(A.data)):
                raise ValueError("A: must be nonempty with finite entries")
        else:
            A = as_float_array(A, "A", ndim=2)
            if A.size == 0:
                raise ValueError("A: must be nonempty")
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != A.shape[0]:
            raise ValueError(f"labels: expected shape ({A.shape[0]},), got {labels.shape}")
        if labels.dtype.kind not in "iu":
            if labels.dtype.kind != "f" or not np.all(labels == np.round(labels)):
                raise TypeError("labels: expected integer class labels")
        labels = labels.astype(np.int64)
        K = int(labels.max()) + 1 if n_classes is None else as_int(n_classes, "n_classes", minimum=2)
        if K < 2 or labels.min() < 0 or labels.max() >= K:
            raise ValueError(f"labels: must lie in 0 .. n_classes - 1 with n_classes >= 2 (n_classes = {K})")
        self.A, self.labels, self.K = A, labels, K
        self.n = A.shape[0]
        self.n_features = A.shape[1]
        self.weight = 1.0 / self.n
        self.l2 = as_scalar(l2, "l2", positive=True)
        self.lam = as_scalar(lam, "lam", nonnegative=True)
        from .sets import L1

        reg = L1(self.lam) if self.lam > 0 else None
        super().__init__(self.n_features * K, kind="composite" if reg else "smooth", name=name, regularizer=reg,
                         x0=x0)

    def _margins(self, x):
        return np.asarray(self.A @ np.asarray(x, dtype=float).reshape(self.n_features, self.K))

    def f(self, x):
        Z = self._margins(x)
        m = Z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
        x = np.asarray(x, dtype=float)
        return float(self.weight * np.sum(lse - Z[np.arange(self.n), self.labels]) + 0.5 * self.l2 * x @ x)

    def probabilities(self, x):
        Z = self._margins(x)
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        return P / P.sum(axis=1, keepdims=True)

    def grad(self, x):
        P = self.probabilities(x)
        P[np.arange(self.n), self.labels] -= 1.0
        G = np.asarray(self.A.T @ P) * self.weight
        return G.ravel() + self.l2 * np.asarray(x, dtype=float)

    def hessian(self, x):
        """The dense ``(dK, dK)`` Hessian (for Newton's method on small problems)."""
        P = self.probabilities(x)
        A = self.A.toarray() if sp.issparse(self.A) else self.A
        d, K = self.n_features, self.K
        H = np.zeros((d, K, d, K))
        for k in range(K):
            for c in range(K):
                w = P[:, k] * ((k == c) - P[:, c])
                H[:, k, :, c] = (A.T * w) @ A
        return H.reshape(d * K, d * K) * self.weight + self.l2 * np.eye(d * K)

    def column_norms_sq(self):
        A = self.A
        return np.asarray(A.multiply(A).sum(axis=0)).ravel() if sp.issparse(A) else np.einsum("ij,ij->j", A, A)

    def _compute_constants(self):
        A = self.A
        if sp.issparse(A):
            from scipy.sparse.linalg import svds

            smax = svds(A, k=1, return_singular_vectors=False)[0] if min(A.shape) > 1 else sp.linalg.norm(A)
        else:
            smax = np.linalg.norm(A, 2)
        L = smax ** 2 * self.weight / 2 + self.l2
        Lmax = self.column_norms_sq().max() * self.weight / 4 + self.l2
        return Constants({"L": L, "mu": self.l2, "L_max": Lmax},
                         how={"L": "bound: lambda_max(A^T A)/(2n) + l2 (diag p - p p^T <= I/2)",
                              "mu": "exact: l2", "L_max": "bound: max_j ||A_j||^2/(4n) + l2"})

    def _solve(self):
        """Newton's method with backtracking until ``||grad|| < 1e-11`` or no further decrease (smooth,
        ``dK <= 4000``); with ``lam > 0`` the optimum is not computed (no proximal Newton here)."""
        if self.lam > 0 or self.dim > 4000:
            return None, None
        x = np.zeros(self.dim)
        for _ in range(200):
            g = self.grad(x)
            if np.linalg.norm(g) < 1e-11:
                break
            step = np.linalg.solve(self.hessian(x), g)
            t, fx = 1.0, self.f(x)
            while self.f(x - t * step) > fx - 0.25 * t * g @ step and t > 1e-12:
                t *= 0.5
            if self.f(x - t * step) >= fx:
                break
            x = x - t * step
        return x, self.f(x)


def softmax_regression(A, labels, l2, *, lam=0.0, n_classes=None, x0=None, name="softmax_regression"):
    """Multi-class softmax regression (see :class:`SoftmaxRegression`).

    ``f*`` by Newton's method, certified by ``p.f_star_accuracy``; None when ``lam > 0`` or ``dK > 4000``."""
    return SoftmaxRegression(A, labels, l2, lam=lam, n_classes=n_classes, x0=x0, name=name)


def jmlr_softmax(n=1000, d=1000, n_classes=50, *, l2=1e-4, seed=1):
    """The JMLR paper's dataset C recipe (``X = (randn + 1) diag(10 randn)``, labels from the argmax of
    ``X W`` with ``W`` random), at a chosen size, with a small ``l2`` so that the minimiser exists.

    The design matrix has columns with very different norms, so coordinate constants vary widely
    (what makes greedy and Lipschitz rules differ from uniform ones).

    ``f*`` as in :class:`SoftmaxRegression` (Newton, certified by ``p.f_star_accuracy``) only when ``dK <= 4000``,
    ``K`` the number of classes that occur: the default size (``dK = 31000``) has none."""
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, d)) + 1.0) * (10.0 * rng.standard_normal(d))
    W = rng.standard_normal((d, n_classes))
    labels = np.argmax(X @ W, axis=1)
    labels = np.unique(labels, return_inverse=True)[1]
    return SoftmaxRegression(X, labels, l2, n_classes=max(2, int(labels.max()) + 1),
                             name=f"jmlr_softmax(n={n}, d={d}, K={n_classes})")
