"""NumPy reference of the coordinate-descent kernel (``cpp/include/pyoptheory/bcd.hpp``): the same
scores, tie-breaks (smallest index), prox steps and gradient updates, one coordinate per Python step."""
from __future__ import annotations

import numpy as np

RULES = {"cyclic": 0, "given": 1, "gs": 2, "gsl": 3, "gs_r": 4, "gs_q": 5}
REGS = {"none": 0, "l1": 1, "box": 2}


class Model:
    """The quadratic ``1/2 x^T Q x - c^T x + const + sum g_i(x_i)`` and the rule, as the kernel sees them."""

    def __init__(self, Q, c, const, reg, lam, lo, hi, rule, L_common, heap):
        import scipy.sparse as sp

        self.Q = sp.csr_matrix(Q)
        self.Q.sort_indices()
        self.c, self.const = np.asarray(c, float), float(const)
        self.diag = self.Q.diagonal().copy()
        self.reg, self.lam, self.lo, self.hi = reg, float(lam), lo, hi
        self.rule, self.L_common, self.heap = rule, float(L_common), bool(heap)
        self.d = self.Q.shape[0]

    def step_const(self, i):
        return self.L_common if self.L_common > 0 else self.diag[i]

    def target(self, i, xi, gi):
        L = self.step_const(i)
        return _prox(self, i, xi - gi / L, L)

    def reg_change(self, xi, dlt):
        """g(x + dlt) - g(x), exact while the sign of x does not change (no rounding of |x + dlt| - |x|)."""
        if self.reg != REGS["l1"]:
            return 0.0
        xn = xi + dlt
        if xi > 0 and xn >= 0:
            return self.lam * dlt
        if xi < 0 and xn <= 0:
            return -self.lam * dlt
        return self.lam * (abs(xn) - abs(xi))

    def score(self, i, xi, gi):
        if self.rule in (RULES["gs"], RULES["gsl"]):
            s = _violation(self, i, xi, gi)
            return s / np.sqrt(self.diag[i]) if self.rule == RULES["gsl"] else s
        dlt = self.target(i, xi, gi) - xi
        if self.rule == RULES["gs_r"]:
            return abs(dlt)
        L = self.step_const(i)
        return -(gi * dlt + 0.5 * L * dlt * dlt + self.reg_change(xi, dlt))

    def value(self, x, grad=None):
        """(smooth part, regularizer) at x; with ``grad``, the smooth part's gradient ``Q x - c`` written there
        (one product with ``Q`` for both)."""
        qx = self.Q @ x
        if grad is not None:
            grad[:] = qx - self.c
        f = 0.5 * float(x @ qx) - float(self.c @ x) + self.const
        return f, (self.lam * float(np.abs(x).sum()) if self.reg == REGS["l1"] else 0.0)


def advance(m, x, grad, k0, k1, given, selected, support_change):
    """Steps ``k0 .. k1-1``; returns ``(status, fail_at, support_change)`` (status 1: non-finite)."""
    Q = m.Q
    grad[:] = Q @ x - m.c
    for k in range(k0, k1):
        if m.rule == RULES["cyclic"]:
            i = k % m.d
        elif m.rule == RULES["given"]:
            i = int(given[k - k0])
        else:
            scores = np.array([m.score(j, x[j], grad[j]) for j in range(m.d)])
            i = int(np.argmax(scores))  # first maximum: the smallest index on ties
        selected[k - k0] = i
        xi = x[i]
        xn = m.target(i, xi, grad[i])
        if not np.isfinite(xn):
            return 1, k, support_change
        delta = xn - xi
        if delta != 0.0:
            x[i] = xn
            if (xi == 0.0) != (xn == 0.0):
                support_change = float(k + 1)
            lo, hi = Q.indptr[i], Q.indptr[i + 1]
            grad[Q.indices[lo:hi]] += Q.data[lo:hi] * delta
    return 0, -1, support_change


# --- fixed blocks (cpp/include/pyoptheory/bcd.hpp, "fixed blocks") ----------------------------------------
BLOCK_RULES = {"cyclic": 0, "given": 1, "gs": 2, "gsl": 3, "gsd": 4, "gsq": 5, "gs_r": 6, "gs_q": 7}
UPDATES = {"gradient": 0, "diagonal": 1, "matrix": 2, "two_metric": 3, "projected_newton": 4}


class Blocks:
    """A partition with the per-block constants the kernel uses: ``L_b = lambda_max(Q_bb)``, Gershgorin
    ``d_i = sum_{j in b} |Q_ij|`` (so ``Q_bb <= diag(d_b)``) and the Cholesky factor of each ``Q_bb``."""

    def __init__(self, Q, blocks, rule, update):
        Qd = Q.toarray() if hasattr(Q, "toarray") else np.asarray(Q)
        self.blocks = [np.asarray(b, dtype=np.int64) for b in blocks]
        self.rule, self.update = rule, update
        self.Lb = np.empty(len(self.blocks))
        self.dvec = np.empty(Qd.shape[0])
        self.chol = []
        for k, b in enumerate(self.blocks):
            Qbb = Qd[np.ix_(b, b)]
            self.Lb[k] = np.linalg.eigvalsh(Qbb)[-1]
            self.dvec[b] = np.abs(Qbb).sum(axis=1)
            try:
                self.chol.append(np.linalg.cholesky(Qbb))
            except np.linalg.LinAlgError:
                raise ValueError(f"partition: block {k} has a singular Q_bb (the matrix update and GSQ need it "
                                 "positive definite)") from None

    def packed(self):
        """``(bptr, bidx, Lb, dvec, chol, choff)`` as the C++ kernel takes them."""
        sizes = np.array([b.size for b in self.blocks])
        bptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        choff = np.concatenate([[0], np.cumsum(sizes ** 2)[:-1]]).astype(np.int64)
        chol = np.concatenate([c.ravel() for c in self.chol])
        return bptr, np.concatenate(self.blocks), self.Lb, self.dvec, chol, choff

    def score(self, m, k, x, grad):
        b = self.blocks[k]
        if self.rule == BLOCK_RULES["gsq"]:
            g = grad[b]
            L = self.chol[k]
            z = np.linalg.solve(L.T, np.linalg.solve(L, g))
            return float(np.sqrt(max(g @ z, 0.0)))
        if self.rule in (BLOCK_RULES["gs_r"], BLOCK_RULES["gs_q"]):
            s = 0.0
            for i in b:
                L = self.dvec[i] if self.update == UPDATES["diagonal"] else self.Lb[k]
                dlt = _prox(m, i, x[i] - grad[i] / L, L) - x[i]
                s += dlt * dlt if self.rule == BLOCK_RULES["gs_r"] else \
                    -(grad[i] * dlt + 0.5 * L * dlt * dlt + m.reg_change(x[i], dlt))
            return float(np.sqrt(s) if self.rule == BLOCK_RULES["gs_r"] else s)
        v = np.array([_violation(m, i, x[i], grad[i]) for i in b])
        s = np.sqrt(np.sum(v * v / self.dvec[b])) if self.rule == BLOCK_RULES["gsd"] else np.sqrt(np.sum(v * v))
        return float(s / np.sqrt(self.Lb[k]) if self.rule == BLOCK_RULES["gsl"] else s)


def _violation(m, i, xi, gi):
    if m.reg == REGS["l1"]:
        return abs(gi + (m.lam if xi > 0 else -m.lam)) if xi != 0 else max(abs(gi) - m.lam, 0.0)
    if m.reg == REGS["box"]:
        return 0.0 if (xi <= m.lo[i] and gi > 0) or (xi >= m.hi[i] and gi < 0) else abs(gi)
    return abs(gi)


def _prox(m, i, y, L):
    if m.reg == REGS["l1"]:
        t = m.lam / L
        return y - t if y > t else (y + t if y < -t else 0.0)
    if m.reg == REGS["box"]:
        return min(max(y, m.lo[i]), m.hi[i])
    return y


def _apply(m, idx, delta, k, x, grad, support_change):
    """x_i += delta_i for one step's coordinates (cpp ``bcd_apply``); returns (ok, support_change)."""
    Q = m.Q
    for i, dl in zip(idx, delta):
        xi, xn = x[i], x[i] + dl
        if not np.isfinite(xn):
            return False, support_change
        if dl == 0.0:
            continue
        x[i] = xn
        if (xi == 0.0) != (xn == 0.0):
            support_change = float(k + 1)
        lo, hi = Q.indptr[i], Q.indptr[i + 1]
        grad[Q.indices[lo:hi]] += Q.data[lo:hi] * dl
    return True, support_change


def two_metric_step(m, b, Lb, x, g, QW, D):
    """One two-metric projection step on a box block (cpp ``two_metric_step``); updates g and D in place."""
    xi = x[b] + D
    with np.errstate(invalid="ignore"):  # infinite bounds give NaN tolerances: never "at the bound", as in C++
        at_lo = (xi <= m.lo[b] + 1e-12 * (1.0 + np.abs(m.lo[b]))) & (g > 0)
        at_hi = (xi >= m.hi[b] - 1e-12 * (1.0 + np.abs(m.hi[b]))) & (g < 0)
    free = np.flatnonzero(~(at_lo | at_hi))
    direction = -g / Lb
    if free.size:
        try:
            Lc = np.linalg.cholesky(QW[np.ix_(free, free)])
            direction[free] = -np.linalg.solve(Lc.T, np.linalg.solve(Lc, g[free]))
        except np.linalg.LinAlgError:
            pass
    for _ in range(2):
        alpha = 1.0
        for _ in range(60):
            trial = np.minimum(np.maximum(xi + alpha * direction, m.lo[b]), m.hi[b]) - xi
            lin = float(g @ trial)
            if not lin < 0:
                break
            Qs = QW @ trial
            if lin + 0.5 * float(trial @ Qs) <= 1e-4 * lin:
                D += trial
                g += Qs
                return
            alpha *= 0.5
        direction = -g / Lb


def block_advance(m, B, x, grad, k0, k1, given, selected, support_change):
    """Block steps ``k0 .. k1-1`` (same contract as :func:`advance`, ``selected`` gets block indices)."""
    Q = m.Q
    grad[:] = Q @ x - m.c
    nb = len(B.blocks)
    for k in range(k0, k1):
        if B.rule == BLOCK_RULES["cyclic"]:
            kb = k % nb
        elif B.rule == BLOCK_RULES["given"]:
            kb = int(given[k - k0])
        else:
            kb = int(np.argmax([B.score(m, c, x, grad) for c in range(nb)]))
        selected[k - k0] = kb
        b = B.blocks[kb]
        if B.update == UPDATES["matrix"]:
            L = B.chol[kb]
            delta = -np.linalg.solve(L.T, np.linalg.solve(L, grad[b]))
        elif B.update in (UPDATES["two_metric"], UPDATES["projected_newton"]):
            QW = Q[b][:, b].toarray()
            gb, delta = grad[b].copy(), np.zeros(b.size)
            scale = max(np.abs(grad[b]).max(), 1e-300)
            for _ in range(1 if B.update == UPDATES["two_metric"] else 50):
                two_metric_step(m, b, B.Lb[kb], x, gb, QW, delta)
                viol = max(_violation(m, i, x[i] + dl, gi) for i, dl, gi in zip(b, delta, gb))
                if viol <= 1e-13 * scale:
                    break
        else:
            steps = B.dvec[b] if B.update == UPDATES["diagonal"] else np.full(b.size, B.Lb[kb])
            delta = np.array([_prox(m, i, x[i] - grad[i] / Li, Li) - x[i] for i, Li in zip(b, steps)])
        ok, support_change = _apply(m, b, delta, k, x, grad, support_change)
        if not ok:
            return 1, k, support_change
    return 0, -1, support_change


# --- variable blocks ----------------------------------------------------------------------------------
def _top(score, tau):
    """The ``tau`` largest scores, ties to the smaller index."""
    return np.lexsort((np.arange(score.size), -score))[:tau]


def iht_block(Q, grad, tau, r, steps, model_values=None):
    """The support of ``min_{||d||_0 <= tau} g^T d + d^T Q d / 2`` by iterative hard thresholding from 0 in the
    metric of ``diag(r)``, ``r`` the absolute row sums of Q (cpp ``bcd_variable_advance`` with ``iht_steps``):
    the variable-block GSQ rule, approximately.  ``model_values``: a list receiving ``g^T d + d^T Q d / 2``
    after each step."""
    dv = np.zeros(grad.size)
    for _ in range(steps):
        y = dv - (grad + Q @ dv) / r
        keep = _top(r * y * y, tau)
        dv = np.zeros(grad.size)
        dv[keep] = y[keep]
        if model_values is not None:
            model_values.append(float(grad @ dv + 0.5 * dv @ (Q @ dv)))
    return keep


def variable_advance(m, tau, gsl, matrix, x, grad, k0, k1, selected, support_change, iht_steps=0):
    """Top-``tau`` steps (cpp ``bcd_variable_advance``); status 2 when ``Q_WW`` is not positive definite."""
    Q = m.Q
    grad[:] = Q @ x - m.c
    d = m.d
    rowsum = np.asarray(abs(Q).sum(axis=1)).ravel() if iht_steps else None
    for k in range(k0, k1):
        if iht_steps:
            W = np.sort(iht_block(Q, grad, tau, rowsum, iht_steps))
        else:
            v = np.array([_violation(m, i, x[i], grad[i]) for i in range(d)])
            score = v / np.sqrt(m.diag) if gsl else v
            W = np.sort(_top(score, tau))
        selected[k - k0] = W[0]
        QW = Q[W][:, W].toarray()
        if matrix:
            try:
                Lc = np.linalg.cholesky(QW)
            except np.linalg.LinAlgError:
                return 2, k, support_change
            delta = -np.linalg.solve(Lc.T, np.linalg.solve(Lc, grad[W]))
        else:
            G = np.abs(QW).sum(axis=1).max()
            delta = np.array([_prox(m, i, x[i] - grad[i] / G, G) - x[i] for i in W])
        ok, support_change = _apply(m, W, delta, k, x, grad, support_change)
        if not ok:
            return 1, k, support_change
    return 0, -1, support_change


# --- forest blocks ------------------------------------------------------------------------------------
class Forest:
    """Blocks each inducing a forest in the graph of ``Q``, stored for leaves-to-roots elimination
    (cpp ``BcdForest``): per block, its nodes children-before-parents, each node's parent position
    (-1 for roots) and the edge weight ``Q_{node, parent}``."""

    def __init__(self, Q, blocks, rule):
        Q = Q.tocsr()
        self.rule = rule
        self.blocks, self.parent, self.weight = [], [], []
        for k, b in enumerate(blocks):
            b = np.asarray(b, dtype=np.int64)
            local = {int(v): t for t, v in enumerate(b)}
            adj = [[int(j) for j in Q.indices[Q.indptr[v]:Q.indptr[v + 1]] if int(j) in local and j != v] for v in b]
            edges = sum(len(a) for a in adj) // 2
            seen = np.zeros(b.size, dtype=bool)
            order, parent_of, comps = [], {}, 0
            for r in range(b.size):  # BFS from each root: parents before children
                if seen[r]:
                    continue
                comps += 1
                seen[r] = True
                queue, parent_of[r] = [r], -1
                while queue:
                    u = queue.pop(0)
                    order.append(u)
                    for v in adj[u]:
                        v = local[v]
                        if not seen[v]:
                            seen[v] = True
                            parent_of[v] = u
                            queue.append(v)
            if edges != b.size - comps:
                raise ValueError(f"partition: block {k} does not induce a forest in the graph of Q "
                                 f"({edges} edges, {b.size} nodes, {comps} components)")
            order = order[::-1]  # children before parents
            position = {u: t for t, u in enumerate(order)}
            self.blocks.append(b[order])
            self.parent.append(np.array([position[parent_of[u]] if parent_of[u] >= 0 else -1 for u in order],
                                        dtype=np.int64))
            self.weight.append(np.array([Q[b[u], b[parent_of[u]]] if parent_of[u] >= 0 else 0.0 for u in order]))

    def packed(self):
        sizes = np.array([b.size for b in self.blocks])
        bptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return bptr, np.concatenate(self.blocks), np.concatenate(self.parent), np.concatenate(self.weight)

    def solve(self, m, k, grad):
        """``(delta, q)``: ``delta = -Q_bb^-1 g_b`` by elimination on the tree, ``q = g_b^T Q_bb^-1 g_b``."""
        nodes, par, w = self.blocks[k], self.parent[k], self.weight[k]
        dv = m.diag[nodes].copy()
        rv = -grad[nodes]
        for t in range(nodes.size):
            if par[t] >= 0:
                dv[par[t]] -= w[t] * w[t] / dv[t]
                rv[par[t]] -= w[t] * rv[t] / dv[t]
        delta = np.empty(nodes.size)
        q = 0.0
        for t in range(nodes.size - 1, -1, -1):
            delta[t] = (rv[t] - (w[t] * delta[par[t]] if par[t] >= 0 else 0.0)) / dv[t]
            q -= grad[nodes[t]] * delta[t]
        return delta, q


def forest_advance(m, F, x, grad, k0, k1, given, selected, support_change):
    """Forest-block steps (cpp ``bcd_forest_advance``)."""
    grad[:] = m.Q @ x - m.c
    nb = len(F.blocks)
    for k in range(k0, k1):
        if F.rule == BLOCK_RULES["cyclic"]:
            kb = k % nb
        elif F.rule == BLOCK_RULES["given"]:
            kb = int(given[k - k0])
        elif F.rule == BLOCK_RULES["gsq"]:
            kb = int(np.argmax([F.solve(m, c, grad)[1] for c in range(nb)]))
        else:
            kb = int(np.argmax([float(grad[b] @ grad[b]) for b in F.blocks]))
        selected[k - k0] = kb
        delta, _ = F.solve(m, kb, grad)
        ok, support_change = _apply(m, F.blocks[kb], delta, k, x, grad, support_change)
        if not ok:
            return 1, k, support_change
    return 0, -1, support_change


# --- generalized linear models (logistic) -------------------------------------------------------------------
def _logistic_deriv(z, y):
    t = y * z
    with np.errstate(over="ignore"):
        return np.where(t >= 0, -y * np.exp(-np.abs(t)) / (1 + np.exp(-np.abs(t))), -y / (1 + np.exp(t)))


GLM_LOGISTIC, GLM_SQUARED, GLM_SOFTMAX = 0, 1, 2


def _row_lse(zi):
    m = zi.max()
    s = 0.0
    for v in zi:
        s += np.exp(v - m)
    return m + np.log(s)


def glm_advance(m, A, y, w, l2, x, z, k0, k1, given, selected, support_change, loss=GLM_LOGISTIC, K=1):
    """Coordinate descent on a GLM with the margins z = A x kept (cpp ``bcd_glm_advance``); A is CSC.

    Losses: logistic, squared, softmax (``K`` classes, ``x`` the d x K coefficients row-major, ``z`` the
    n x K margins row-major, each touched row's log-sum-exp recomputed after an update)."""
    d = A.shape[1]
    softmax = loss == GLM_SOFTMAX
    K = K if softmax else 1
    dim = d * K
    Z = z.reshape(-1, K)
    lse = np.array([_row_lse(Z[i]) for i in range(Z.shape[0])]) if softmax else None
    labels = y.astype(np.int64) if softmax else None

    def coord_grad(c):
        j, k = divmod(c, K)
        lo, hi = A.indptr[j], A.indptr[j + 1]
        rows = A.indices[lo:hi]
        if softmax:
            r = np.exp(Z[rows, k] - lse[rows]) - (labels[rows] == k)
        elif loss == GLM_SQUARED:
            r = Z[rows, 0] - y[rows]
        else:
            r = _logistic_deriv(Z[rows, 0], y[rows])
        s = 0.0
        for a, ri in zip(A.data[lo:hi], r):
            s += a * ri
        return w * s + l2 * x[c]

    for k in range(k0, k1):
        if m.rule in (RULES["cyclic"], RULES["given"]):
            c = k % dim if m.rule == RULES["cyclic"] else int(given[k - k0])
            gc = coord_grad(c)
        else:
            g = np.array([coord_grad(cc) for cc in range(dim)])
            v = np.array([_violation(m, cc, x[cc], g[cc]) for cc in range(dim)])
            if m.rule == RULES["gsl"]:
                v = v / np.sqrt(m.diag)
            c = int(np.argmax(v))
            gc = g[c]
        selected[k - k0] = c
        xc = x[c]
        xn = m.target(c, xc, gc)
        if not np.isfinite(xn):
            return 1, k, support_change
        delta = xn - xc
        if delta == 0.0:
            continue
        x[c] = xn
        if (xc == 0.0) != (xn == 0.0):
            support_change = float(k + 1)
        j, kc = divmod(c, K)
        lo, hi = A.indptr[j], A.indptr[j + 1]
        for p in range(lo, hi):
            i = A.indices[p]
            Z[i, kc] += A.data[p] * delta
            if softmax:
                lse[i] = _row_lse(Z[i])
    return 0, -1, support_change
