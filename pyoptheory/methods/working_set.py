r"""Greedy coordinate descent with working sets for the lasso, stopped by the duality gap.

Problem: ``P(x) = (w/2) ||A x - b||^2 + lam ||x||_1`` (a least-squares model with an L1 regularizer, ``w = 1/n``
by default).  One outer iteration (one "step" of :func:`pyoptheory.solve`):

1. the full gradient ``g = w A^T r`` at the residual ``r = A x - b`` (one pass over the columns of A) and the
   duality gap ``P(x) - D(u)`` at ``u = w r min(1, lam / ||g||_inf)``, a feasible point of the dual
   ``D(u) = -||u||^2/(2w) - u^T b`` s.t. ``||A^T u||_inf <= lam`` (Fenchel duality; ``u = w r`` at the optimum).
   The run stops with ``success`` once the gap is ``<= gap_tol`` (it bounds ``P(x) - P*``);
2. the working set ``W``: the support of ``x`` plus the coordinates of largest GS-s violation
   ``|g_j + lam sign(x_j)|`` (``max(|g_j| - lam, 0)`` at ``x_j = 0``), ``|W| = max(ws_min, 2 |supp x|)``
   (Johnson & Guestrin 2015; Massias, Gramfort & Salmon 2018 use the same doubling);
3. the subproblem on ``W`` (``x`` is 0 outside ``W``): the quadratic ``1/2 x_W^T G x_W - c^T x_W`` with the Gram
   matrix ``G = w A_W^T A_W`` and ``c = w A_W^T b`` (one pass over the columns of ``W``), solved by greedy
   coordinate descent (GS-q, :func:`pyoptheory.methods.coordinate.bcd`'s kernel) until its largest violation
   is below ``inner_tol`` times the outer one;
4. the residual ``r = A_W x_W - b`` (one pass over the columns of ``W``).

The trace adds ``dual_gap`` and ``passes`` (column reads of the method divided by ``d``: the full gradients
and the working-set columns; recording is not counted).  Nutini et al. (ICML 2015, section 7) discuss
when greedy selection pays; working sets make the greedy scan cost ``O(|W|)``.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_int, as_scalar
from ..kernels import layout as K
from ..registry import register
from . import _bcd_reference as R
from ._driver import Plan, common_options, run


def _lasso_data(problem):
    from ..problems.linear import LinearModel
    from ..problems.sets import L1

    ok = (isinstance(problem, LinearModel) and problem.loss_name == "squared" and problem.reduce == 0
          and isinstance(problem.regularizer, L1) and problem.l2 == 0.0 and getattr(problem, "penalty", None) is None)
    if not ok:
        raise ValueError(f"problem: bcd_ws solves the lasso (a least-squares model with an L1 regularizer, no l2 "
                         f"term); {problem.name!r} is not one")
    A = problem.A
    A = sp.csc_matrix(A) if sp.issparse(A) else A  # dense: BLAS reads A and A^T in place, no copy
    return A, np.asarray(problem.b, float), problem.weight, problem.regularizer.lam, problem.const


class _State:
    def __init__(self, A, b, w, lam, const):
        self.A, self.b, self.w, self.lam, self.const = A, b, w, lam, const
        self.n, self.d = A.shape
        self.r = None
        self.reads = 0  # column reads
        self.gap = np.nan
        self.last_ws = 0

    def columns_times(self, idx, v):
        """``A[:, idx] @ v``."""
        return self.A[:, idx] @ v

    def primal(self, x):
        return 0.5 * self.w * float(self.r @ self.r) + self.lam * float(np.abs(x).sum()) + self.const

    def fresh_gap(self, x):
        """The duality gap at x now (for the trace; these column reads are not counted)."""
        r = self.A @ x - self.b
        saved, self.r = self.r, r
        gap = self.duality_gap(x, self.w * (self.A.T @ r))
        self.r = saved if saved is not None else r
        return gap

    def duality_gap(self, x, g):
        scale = min(1.0, self.lam / max(np.abs(g).max(), 1e-300))
        u = self.w * self.r * scale
        dual = -float(u @ u) / (2 * self.w) - float(u @ self.b) + self.const
        return self.primal(x) - dual


def lasso_duality_gap(problem, x):
    """The duality gap ``P(x) - D(u)`` of :func:`bcd_ws`'s certificate at ``x`` (an upper bound on ``P(x) - P*``)."""
    return _State(*_lasso_data(problem)).fresh_gap(np.asarray(x, dtype=float))


class _Kernel:
    def __init__(self, backend, data, ws_min, inner_tol, gap_tol, step):
        self.backend, self.data, self.ws_min, self.inner_tol, self.gap_tol = backend, data, ws_min, inner_tol, gap_tol
        self.step = step

    def prepare(self, _spec):
        return _State(*self.data)

    @staticmethod
    def evaluate(st, x, grad, n_threads):
        r = st.A @ x - st.b
        grad[:] = st.w * (st.A.T @ r)
        return 0.5 * st.w * float(r @ r) + st.const, st.lam * float(np.abs(x).sum())

    def _inner(self, G, c, xw, tol, max_steps):
        """GS-q coordinate descent on ``1/2 x^T G x - c^T x + lam ||x||_1`` until the largest violation <= tol."""
        Q = sp.csr_matrix(G)
        lam = self.data[3]
        zeros = np.zeros(G.shape[0])
        L_common = 0.0 if self.step == "coordinate" else (float(np.diag(G).max()) if self.step == "common"
                                                           else 1.0 / self.step)
        m = R.Model(Q, c, 0.0, R.REGS["l1"], lam, zeros, zeros, R.RULES["gs_q"], L_common, False)
        core = None
        if self.backend == "cpp":
            from .. import _core

            core = _core.BcdModel(Q.indptr.astype(np.int64), Q.indices.astype(np.int64), Q.data, m.c, m.diag,
                                  m.reg, lam, zeros, zeros, m.rule, L_common, False)
        grad = np.empty_like(xw)
        chunk = max(10 * xw.size, 100)
        done = 0
        empty = np.zeros(0, dtype=np.int64)
        while done < max_steps:
            sel = np.zeros(chunk, dtype=np.int64)
            if core is not None:
                status, _, _ = core.advance(xw, grad, done, done + chunk, empty, sel, -1.0)
            else:
                status, _, _ = R.advance(m, xw, grad, done, done + chunk, empty, sel, -1.0)
            done += chunk
            if status != 0:
                return False
            viol = np.where(xw != 0, np.abs(grad + lam * np.sign(xw)), np.maximum(np.abs(grad) - lam, 0.0))
            if viol.max() <= tol:
                break
        return True

    def advance(self, st, code, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
        A, b, w, lam = st.A, st.b, st.w, st.lam
        if st.r is None:
            support = np.flatnonzero(x)
            st.r = st.columns_times(support, x[support]) - b if support.size else -b.copy()
            st.reads += support.size
        for k in range(k0, k1):
            g = w * (A.T @ st.r)
            st.reads += st.d
            scal[K.S_GRAD_EVALS] += 1
            st.gap = st.duality_gap(x, g)
            if not np.isfinite(st.gap):
                scal[K.S_FAIL_ITER] = k
                return K.NONFINITE
            if self.gap_tol > 0 and st.gap <= self.gap_tol:
                scal[K.S_FAIL_ITER] = k
                return K.CONVERGED
            viol = np.where(x != 0, np.abs(g + lam * np.sign(x)), np.maximum(np.abs(g) - lam, 0.0))
            support = np.flatnonzero(x)
            size = min(st.d, max(self.ws_min, 2 * support.size))
            rank = np.lexsort((np.arange(st.d), -(viol + np.where(x != 0, np.inf, 0.0))))  # support first
            W = np.sort(rank[:size])
            st.last_ws = W.size
            AW = A[:, W]
            if sp.issparse(AW):
                G = (AW.T @ AW).toarray() * w
                c = w * np.asarray(AW.T @ b).ravel()
            else:
                G = w * (AW.T @ AW)
                c = w * (AW.T @ b)
            st.reads += W.size
            xw = x[W].copy()
            if not self._inner(G, c, xw, self.inner_tol * max(viol.max(), 1e-300), 1000 * W.size):
                scal[K.S_FAIL_ITER] = k
                return K.NONFINITE
            x[:] = 0.0
            x[W] = xw
            st.r = np.asarray(AW @ xw).ravel() - b
            st.reads += W.size
        return K.OK


@register("bcd_ws", accepts=("composite",), backends=("numpy", "cpp"), theorem=None)
def bcd_ws(problem, *, gap_tol=None, ws_min=100, inner_tol=0.01, step="coordinate", backend=None, **options):
    r"""Greedy coordinate descent with working sets for the lasso (see the module docstring).

    Problem
        ``(w/2) ||A x - b||^2 + lam ||x||_1``.
    Algorithm
        per step: full gradient and duality gap; working set = support + largest GS-s violations (size
        ``max(ws_min, 2 |supp|)``); GS-q coordinate descent on the working set's Gram matrix until its
        largest violation is ``inner_tol`` times the outer one.
    Guarantee
        stops when the duality gap (an upper bound on ``P(x) - P*``) is ``<= gap_tol``; no rate theorem is
        claimed for the working-set loop.
    References
        Johnson & Guestrin, "Blitz" (ICML 2015); Massias, Gramfort & Salmon, "Celer" (ICML 2018); the
        inner solver: Nutini et al. (ICML 2015), GS-q.

    Parameters
    ----------
    gap_tol : float
        Duality-gap tolerance (here checked at every step, not only at checkpoints).
    ws_min : int
        Smallest working set (100, the first working-set size of Celer).
    inner_tol : float in (0, 1)
    step : {"coordinate", "common"} or float
        The inner coordinate steps: ``1/G_jj``, ``1/max_j G_jj`` on the working set, or the given step
        (``<= 1/max_j G_jj`` for a descent guarantee).
    """
    data = _lasso_data(problem)
    gap_tol = 0.0 if gap_tol is None else as_scalar(gap_tol, "gap_tol", nonnegative=True)
    ws_min = as_int(ws_min, "ws_min", minimum=1)
    inner_tol = as_scalar(inner_tol, "inner_tol", positive=True, upper=1.0)
    backend = "cpp" if backend is None else backend
    from .._validation import choose

    backend = choose(backend, "backend", ("numpy", "cpp"))
    step = choose(step, "step", ("coordinate", "common")) if isinstance(step, str) else as_scalar(step, "step",
                                                                                                    positive=True)
    common = common_options(problem, **options)
    kernel = _Kernel(backend, data, ws_min, inner_tol, gap_tol, step)
    A, w = data[0], data[2]
    # the trace's gradient mapping uses the step 1/(w ||A||_F^2) (>= the 1/L of the gradient, no eigen-solve)
    lipschitz_bound = w * float(A.multiply(A).sum() if sp.issparse(A) else np.einsum("ij,ij->", A, A))
    plan = Plan(problem=problem, method="bcd_ws", code=-1, step_seq=np.zeros(1),
                grad_step=1.0 / lipschitz_bound,
                extra=dict(chunk_cap=1, needs_optimum=False,
                           converged_message="converged at iteration {k}: duality gap <= gap_tol",
                           columns={"dual_gap": lambda st, x: st.fresh_gap(x),
                                    "passes": lambda st, x: st.reads / st.d},
                           finish=lambda st, k: dict(dual_gap=float(st.gap), passes=st.reads / st.d,
                                                     working_set=int(st.last_ws))),
                **common)
    return run(plan, kernel, backend)
