r"""Entropic optimal transport instances with their exact constants (catalogue structured.md 2.2).

``EntropicOT(a, b, C, reg)`` carries the data and, computed from it exactly:

* ``eta = 1/reg``;
* ``D_C = max_{i,j,k,l} (C_ik + C_jl - C_il - C_jk) = max_{i,j} osc(C_i - C_j)`` (rows i, j of C),
  so that ``eta D_C`` is the projective diameter ``log max K_ik K_jl/(K_jk K_il)`` of ``K = exp(-eta C)``;
* ``kappa = tanh(eta D_C / 4)``, Birkhoff's contraction ratio of ``K`` in Hilbert's projective metric;
* ``log_s_over_l = log(sum K / min K) = log sum_ij exp(eta (max C - C_ij))`` (Altschuler-Weed-Rigollet's
  ``log(s/l)``).

The optimal potentials are computed once (stabilized Sinkhorn to an l1 marginal error of 1e-15, or
the error floor of double precision) and cached.
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ..problems.base import Constants


def cost_diameter(C):
    """``max_{i,j} (max_k (C_ik - C_jk) - min_k (C_ik - C_jk))`` in O(n^2 m) time and O(n m) memory."""
    best = 0.0
    for i in range(C.shape[0]):
        d = C[i][None, :] - C
        best = max(best, float(np.max(d.max(axis=1) - d.min(axis=1))))
    return best


class EntropicOT:
    """An entropic OT instance: marginals ``a, b`` (mass 1), cost ``C``, regularization ``reg``."""

    kind = "entropic_ot"
    x0 = None
    x_star = None

    def __init__(self, a, b, C, reg, name="entropic_ot"):
        from .sinkhorn import _check_inputs

        self.a, self.b, self.C, self.reg = _check_inputs(a, b, C, reg, normalize=True)
        self.name = name
        self._constants = None
        self._optimum = None

    @property
    def shape(self):
        return self.C.shape

    @property
    def constants(self):
        if self._constants is None:
            eta = 1.0 / self.reg
            D_C = cost_diameter(self.C)
            log_sl = float(logsumexp(eta * (self.C.max() - self.C)))
            self._constants = Constants(
                dict(eta=eta, reg=self.reg, D_C=D_C, kappa=np.tanh(eta * D_C / 4), log_s_over_l=log_sl),
                how=dict(D_C="exact: max over row pairs of osc(C_i - C_j)", kappa="exact: tanh(eta D_C / 4)",
                         log_s_over_l="exact: log sum exp(eta (max C - C))"))
        return self._constants

    def optimum(self):
        """``(f*, g*)``: potentials whose plan has l1 marginal error <= 1e-15 (or the double-precision floor)."""
        if self._optimum is None:
            from .sinkhorn import sinkhorn

            res = sinkhorn(self.a, self.b, self.C, self.reg, marginal_tol=1e-15, steps=10**7, record=2)
            self._optimum = (res.f, res.g)
        return self._optimum

    def fingerprint(self):
        import hashlib

        h = hashlib.sha256()
        for arr in (self.a, self.b, self.C):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.reg, self.name)).encode())
        return h.hexdigest()

    def __repr__(self):
        n, m = self.C.shape
        return f"EntropicOT({self.name}: n={n}, m={m}, reg={self.reg:.4g})"


def uniform_cost(n, eta, seed=0, name=None):
    """``C ~ U[0,1]^{n x n}``, uniform marginals, ``reg = 1/eta`` (the random-assignment family)."""
    rng = np.random.default_rng(seed)
    a = np.full(n, 1.0 / n)
    return EntropicOT(a, a.copy(), rng.random((n, n)), 1.0 / eta, name=name or f"uniform_cost_n{n}_eta{eta:g}")


def point_clouds(n, m, reg, seed=0, name=None):
    """Uniform point clouds in [0,1]^2, squared Euclidean cost / max, uniform marginals."""
    from .costs import cost

    rng = np.random.default_rng(seed)
    C = cost(rng.random((n, 2)), rng.random((m, 2)), normalize=True)
    return EntropicOT(np.full(n, 1.0 / n), np.full(m, 1.0 / m), C, reg,
                      name=name or f"point_clouds_{n}x{m}_reg{reg:g}")
