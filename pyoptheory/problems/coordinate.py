r"""Quadratic problems for coordinate descent, with the constants of its rate theorems computed exactly
(catalogue structured.md 1.1, 1.5).

``F(x) = 1/2 x^T Q x - c^T x + const (+ g(x))``.  Constants (``Q`` positive definite):

* ``L_max = max_i Q_ii`` (the common coordinate constant; ``L`` in the GS theorem), ``L_mean``, ``L_min``;
* ``L = lambda_max(Q)`` (full gradient), ``mu = lambda_min(Q)``;
* ``mu_1``, the strong convexity constant in the l1 norm, and ``mu_L``, in ``||x||_L = sum sqrt(L_i) |x_i|``:
  strong convexity in a norm is the reciprocal smoothness of the conjugate in the dual norm, so
  ``mu_1 = 1 / max_{s in {-1,1}^d} s^T Q^{-1} s`` and ``mu_L = 1 / max_s (D s)^T Q^{-1} (D s)`` with
  ``D = diag(sqrt(L_i))`` (the dual norm of ``||.||_L`` is ``max_i |y_i|/sqrt(L_i)``, whose unit ball has the
  vertices ``D s``).  Computed by enumerating
  the ``2^(d-1)`` sign patterns (``d <= 22``); for larger ``d`` they are unavailable (the lower bounds
  ``mu/d`` and ``mu/(d L_mean)`` are reported as ``mu_1_lower``, ``mu_L_lower``).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_float_array, as_int
from .base import Constants, Problem

MAX_ENUMERATION_DIM = 22


def max_sign_form(M, scale=None):
    """``max_{s in {-1,1}^d} (D s)^T M (D s)``, ``D = diag(scale)``, by enumeration (s_0 = +1 by symmetry)."""
    d = M.shape[0]
    if d > MAX_ENUMERATION_DIM:
        raise ValueError(f"M: enumeration of 2^{d - 1} sign patterns is too large (d <= {MAX_ENUMERATION_DIM})")
    scale = np.ones(d) if scale is None else np.asarray(scale, float)
    Ms = (M * scale[:, None]) * scale[None, :]
    best = -np.inf
    chunk = 1 << min(d - 1, 14)
    bits = np.arange(d - 1, dtype=np.int64)
    for start in range(0, 1 << (d - 1), chunk):
        codes = np.arange(start, min(start + chunk, 1 << (d - 1)), dtype=np.int64)
        S = np.ones((codes.size, d))
        S[:, 1:] = 1.0 - 2.0 * ((codes[:, None] >> bits[None, :]) & 1)
        best = max(best, float(np.max(np.einsum("ki,ij,kj->k", S, Ms, S))))
    return best


class QuadraticForm(Problem):
    """``1/2 x^T Q x - c^T x + const + g(x)`` with ``Q`` symmetric positive semidefinite (dense or sparse).

    The optimum, unless given: ``lstsq`` (the minimum-norm minimizer; None if ``||Q x - c|| > 1e-8 ||c||``, i.e.
    unbounded below), or ``spsolve`` when ``Q`` is sparse and ``d > 4000`` (exact to rounding; relative residual
    ~1e-15 measured), with MINRES when ``Q`` is singular there (a residual below 1e-6 ``||c||`` accepted, uncertified;
    None above it: unbounded below).  For ``d <= 4000`` and ``Q`` positive definite ``p.f_star_accuracy`` holds
    ``||Q x - c||^2 / (2 lambda_min(Q))``; with a regularizer there is none (``f_star`` is None).
    """

    def __init__(self, Q, c, const=0.0, *, regularizer=None, x0=None, x_star=None, f_star=None, name="quadratic_form"):
        if sp.issparse(Q):
            Q = sp.csr_matrix(Q, dtype=float)
            if not np.all(np.isfinite(Q.data)):
                raise ValueError("Q: contains NaN or infinite values")
        else:
            Q = as_float_array(Q, "Q", ndim=2)
        d = Q.shape[0]
        if Q.shape != (d, d):
            raise ValueError(f"Q: expected a square matrix, got shape {Q.shape}")
        if abs(Q - Q.T).max() > 1e-12 * max(abs(Q).max(), 1e-300):
            raise ValueError("Q: must be symmetric")
        self.Q = Q
        self.c = as_float_array(c, "c", shape=(d,))
        self.const = float(const)
        kind = "smooth" if regularizer is None else ("constrained" if regularizer.is_indicator else "composite")
        super().__init__(d, kind=kind, name=name, regularizer=regularizer, x0=x0, x_star=x_star, f_star=f_star)

    def quadratic_form(self):
        return self.Q, self.c, self.const

    def f(self, x):
        return 0.5 * float(x @ (self.Q @ x)) - float(self.c @ x) + self.const

    def grad(self, x):
        return np.asarray(self.Q @ x).ravel() - self.c

    def _dense(self):
        return self.Q.toarray() if sp.issparse(self.Q) else self.Q

    def _solve(self):
        if self.regularizer is not None:
            return None, None
        Q = self._dense() if (not sp.issparse(self.Q) or self.dim <= 4000) else self.Q
        if sp.issparse(Q):
            import warnings

            with warnings.catch_warnings():  # a singular Q (a component without labels): least squares instead
                warnings.simplefilter("error", sp.linalg.MatrixRankWarning)
                try:
                    x = sp.linalg.spsolve(sp.csc_matrix(Q), self.c)
                except (sp.linalg.MatrixRankWarning, RuntimeError):
                    x = np.full(self.dim, np.nan)
            tol = 1e-8
            if not np.all(np.isfinite(x)):  # MINRES (Q symmetric): a minimizer when c is in the range of Q
                x, tol = sp.linalg.minres(Q, self.c, rtol=1e-14, maxiter=50 * self.dim)[0], 1e-6
        else:  # least squares: the minimum-norm minimizer when Q is singular (None when c is not in range(Q))
            x, tol = np.linalg.lstsq(Q, self.c, rcond=None)[0], 1e-8
        if not np.all(np.isfinite(x)) or np.linalg.norm(Q @ x - self.c) > tol * max(np.linalg.norm(self.c), 1e-300):
            return None, None  # unbounded below (c outside the range of Q)
        return x, self.f(x)

    def _compute_constants(self):
        Qd = self._dense() if self.dim <= 4000 else None
        diag = self.Q.diagonal() if sp.issparse(self.Q) else np.diag(self.Q).copy()
        values = dict(L_max=diag.max(), L_mean=diag.mean(), L_min=diag.min())
        how = dict(L_max="exact: max_i Q_ii", L_mean="exact: mean_i Q_ii")
        unavailable = {}
        if Qd is not None:
            ev = np.linalg.eigvalsh(Qd)
            values.update(L=ev[-1], mu=max(ev[0], 0.0))
            how.update(L="exact: lambda_max(Q)", mu="exact: lambda_min(Q)")
            if ev[0] > 0 and self.dim <= MAX_ENUMERATION_DIM:
                Qinv = np.linalg.inv(Qd)
                values["mu_1"] = 1.0 / max_sign_form(Qinv)
                values["mu_L"] = 1.0 / max_sign_form(Qinv, np.sqrt(diag))
                how.update(mu_1="exact: 1/max_s s^T Q^-1 s (enumeration)",
                           mu_L="exact: 1/max_s (D s)^T Q^-1 (D s), D = diag(sqrt(L_i)) (enumeration)")
            else:
                reason = "needs Q positive definite and d <= %d (sign enumeration)" % MAX_ENUMERATION_DIM
                unavailable.update(mu_1=reason, mu_L=reason)
            if ev[0] > 0:
                values.update(mu_1_lower=ev[0] / self.dim, mu_L_lower=ev[0] / (self.dim * diag.mean()))
        return Constants(values, how=how, unavailable=unavailable)


def coordinate_quadratic(d=12, *, seed=0, scale_range=(0.3, 3.0), ridge=0.5, name=None):
    """A dense quadratic with uneven coordinate constants (catalogue 1.5, item 1): ``Q = S (M^T M + ridge I) S``
    with ``M`` Gaussian (2d x d) / sqrt(2d) and column scalings ``S`` log-uniform in ``scale_range``; ``x* ~ N(0, I)``,
    ``c = Q x*`` and ``const = x*^T Q x* / 2``, so that ``F* = 0`` and ``F(x) = (x - x*)^T Q (x - x*)/2``."""
    d = as_int(d, "d", minimum=1)
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((2 * d, d)) / np.sqrt(2 * d)
    s = np.exp(rng.uniform(np.log(scale_range[0]), np.log(scale_range[1]), d))
    Q = s[:, None] * (M.T @ M + ridge * np.eye(d)) * s[None, :]
    Q = 0.5 * (Q + Q.T)
    x_star = rng.standard_normal(d)
    return QuadraticForm(Q, Q @ x_star, 0.5 * x_star @ Q @ x_star, x_star=x_star, f_star=0.0,
                         name=name or f"coordinate_quadratic(d={d})")


def diagonal_quadratic(eigenvalues, *, x0=None, name="diagonal_quadratic"):
    """``sum_i lambda_i x_i^2 / 2``: ``mu_1 = 1/sum(1/lambda_i)`` in closed form; GS is much faster than random
    selection when the ``lambda_i`` are uneven.  ``x* = 0``, ``f* = 0`` exactly."""
    lam = as_float_array(eigenvalues, "eigenvalues", ndim=1)
    if np.any(lam <= 0):
        raise ValueError("eigenvalues: must be positive")
    d = lam.size
    x0 = np.ones(d) if x0 is None else x0
    return QuadraticForm(np.diag(lam), np.zeros(d), x0=x0, x_star=np.zeros(d), f_star=0.0, name=name)


def lattice_graph(side, *, weights=(0.5, 2.0), seed=0):
    """The ``side x side`` 4-neighbour lattice as a symmetric sparse weight matrix, weights uniform in ``weights``."""
    side = as_int(side, "side", minimum=2)
    rng = np.random.default_rng(seed)
    n = side * side
    idx = np.arange(n).reshape(side, side)
    rows = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    cols = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = rng.uniform(weights[0], weights[1], rows.size)
    return sp.coo_matrix((np.concatenate([w, w]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
                         shape=(n, n)).tocsr()


def label_propagation(W, labels, labeled, *, name="label_propagation"):
    r"""Quadratic label propagation on a graph (Zhu, Ghahramani & Lafferty 2003; the JMLR paper's datasets
    D and E): the graph energy ``1/2 y^T (D - W) y = 1/4 sum_ij W_ij (y_i - y_j)^2`` minimised over the
    unlabelled nodes ``u`` with the labelled ones fixed, i.e. ``Q = L_uu``, ``c = -L_ul y_l``,
    ``const = y_l^T L_ll y_l / 2`` with ``L = D - W``.  ``W``: symmetric nonnegative (scipy.sparse), every
    unlabelled node with an edge (else ``Q_ii = 0``).

    ``f*`` as in :class:`QuadraticForm`, exact to rounding (relative residual ~1e-15 measured): ``lstsq`` for up to
    4000 unlabelled nodes, certified by ``p.f_star_accuracy`` when every connected component holds a labelled node
    (``Q`` positive definite); ``spsolve`` beyond, uncertified (MINRES when some component has no label)."""
    W = sp.csr_matrix(W, dtype=float)
    n = W.shape[0]
    if W.shape != (n, n) or abs(W - W.T).max() > 0 or (W.data < 0).any():
        raise ValueError("W: must be a symmetric nonnegative square matrix")
    labeled = np.asarray(labeled, dtype=bool)
    y = as_float_array(labels, "labels", shape=(n,))
    if labeled.shape != (n,):
        raise ValueError(f"labeled: expected shape ({n},)")
    u, l_ = np.flatnonzero(~labeled), np.flatnonzero(labeled)
    deg = np.asarray(W.sum(axis=1)).ravel()
    L = (sp.diags(deg) - W).tocsr()
    Q = L[u][:, u].tocsr()
    c = -np.asarray(L[u][:, l_] @ y[l_]).ravel()
    const = 0.5 * float(y[l_] @ (L[l_][:, l_] @ y[l_]))
    if np.any(Q.diagonal() <= 0):
        raise ValueError("W: every unlabelled node needs an edge")
    return QuadraticForm(Q, c, const, name=name)


def block_diagonal_quadratic(n_blocks=5, block_size=4, *, seed=12, name=None):
    """``Q = blockdiag(Q_1, ..., Q_nb)`` with random positive definite blocks of scales over two decades,
    ``F* = 0`` (``c = Q x*``, ``const = x*^T Q x*/2``).  With the contiguous partition into blocks of
    ``block_size`` the block constants of coordinate descent are exact (:func:`block_constants`)."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(n_blocks):
        M = rng.standard_normal((2 * block_size, block_size))
        blocks.append((M.T @ M / (2 * block_size) + 0.2 * np.eye(block_size)) * 10.0 ** rng.uniform(-1, 1))
    Q = sp.block_diag(blocks).toarray()
    x_star = rng.standard_normal(n_blocks * block_size)
    p = QuadraticForm(Q, Q @ x_star, 0.5 * x_star @ Q @ x_star, x_star=x_star, f_star=0.0,
                      name=name or f"block_diagonal_quadratic({n_blocks}x{block_size})")
    p.block_size = block_size
    return p


def block_constants(Q, block_size):
    r"""The strong-convexity constants ``mu_M`` of the block rules for a block-diagonal ``Q`` whose blocks
    are the contiguous partition: with the norm ``sum_b ||x_b||_{M_b}``, ``1/mu_M = max`` of ``y^T Q^-1 y``
    over the dual unit ball ``max_b ||y_b||_{M_b^-1} <= 1``, which separates over the blocks:
    ``1/mu_M = sum_b lambda_max(M_b^{1/2} Q_bb^-1 M_b^{1/2})``.  Returns ``{"gs": mu_B / L_B,
    "gsl": mu_L, "gsd": mu_D, "gsq": mu_H}`` (``M_b = I`` with step ``1/L_B``, ``L_b I``, the Gershgorin
    diagonal ``D_b``, ``Q_bb``; the last is ``1/#blocks``)."""
    d = Q.shape[0]
    rates = {"gs": 0.0, "gsl": 0.0, "gsd": 0.0, "gsq": 0.0}
    lmax_all = 0.0
    for s in range(0, d, block_size):
        B = Q[s:s + block_size, s:s + block_size]
        ev = np.linalg.eigvalsh(B)
        lmax_all = max(lmax_all, ev[-1])
        Binv = np.linalg.inv(B)
        dd = np.sqrt(np.abs(B).sum(axis=1))
        rates["gs"] += 1.0 / ev[0]
        rates["gsl"] += ev[-1] / ev[0]
        rates["gsd"] += np.linalg.eigvalsh(dd[:, None] * Binv * dd[None, :])[-1]
        rates["gsq"] += 1.0
    out = {k: 1.0 / v for k, v in rates.items()}
    out["gs"] /= lmax_all
    return out
