r"""Coordinate descent with greedy and random selection rules (catalogue structured.md section 1).

Problem: ``F(x) = 1/2 x^T Q x - c^T x + const + sum_i g_i(x_i)`` with ``g`` zero, ``lam ||x||_1`` or
the indicator of a box; or an (L1-)regularised logistic model ``w sum log(1 + exp(-y_i a_i^T x)) +
(l2/2)||x||^2 (+ lam ||x||_1)`` on single coordinates, with the margins ``A x`` kept (an update costs
``O(nnz(A_j))``; greedy rules read every column per step) and ``L_j = w ||A_j||^2/4 + l2``.  Built-in least-squares models (squared loss, any l2 term) are turned into
``Q = w A^T A + l2 I``, ``c = w A^T b``; problems may also define ``quadratic_form() -> (Q, c, const)``
(``Q`` dense or scipy.sparse, e.g. :func:`pyoptheory.problems.label_propagation`).

Each step selects a coordinate ``i`` and takes the prox-coordinate step
``x_i <- prox_{g_i/L_i}(x_i - grad_i F / L_i)`` with ``L_i = Q_ii`` (``step="coordinate"``: exact
minimisation along ``e_i``) or the common ``L = max_i Q_ii`` (``step="common"``).  The gradient
``Q x - c`` is kept exactly (an update of ``x_i`` costs ``O(nnz(Q_{:,i}))``).

Selection rules and their cost per step (``d`` coordinates):

=============== ================================================================ ==================
rule            selects                                                          cost
=============== ================================================================ ==================
``cyclic``      ``i = k mod d``                                                  O(1)
``permutation`` a fresh uniformly random permutation each epoch                  O(1)
``uniform``     ``i`` uniform                                                    O(1)
``lipschitz``   ``P(i) = L_i / sum_j L_j``                                       O(1) (drawn in bulk)
``gs``          ``argmax |grad_i + s_i|`` (Gauss-Southwell; ``s_i`` the          O(d) scan, or
                subgradient of ``g_i`` closest to ``-grad_i``: GS-s, Nutini et   O(deg i log d) with
                al. 2015)                                                        the tree
``gsl``         ``argmax |grad_i + s_i| / sqrt(L_i)`` (GS-Lipschitz)              as ``gs``
``gs_r``        ``argmax |x_i^+ - x_i|`` (the step length, GS-r)                 as ``gs``
``gs_q``        ``argmax`` of the decrease of the coordinate model (GS-q)        as ``gs``
=============== ================================================================ ==================

``selection="tree"`` (alias ``"heap"``) keeps the greedy scores in a tournament tree over blocks of 16
consecutive coordinates (cpp ``ScoreTree``), updated only for the coordinates whose gradient changed (those
``j`` with ``Q_ij != 0``): worth it when ``Q`` is sparse (graphs);
``"auto"`` uses it when the average row of ``Q`` has fewer than ``d/16`` nonzeros.  Ties go to the
smallest index.  Random rules draw their index stream from ``default_rng(seed)`` in Python, so every
backend replays it.

References: Nesterov (2012); Nutini, Schmidt, Laradji, Friedlander & Koepke, "Coordinate descent converges
faster with the Gauss-Southwell rule than random selection", ICML 2015; Nutini, Laradji & Schmidt,
"Let's make block coordinate descent converge faster", JMLR 23 (2022).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import warnings

from .._validation import as_int, as_scalar, choose
from ..kernels import layout as K
from ..registry import register
from ..result import StepSizeWarning
from . import _bcd_reference as R
from ._driver import Plan, common_options, run

RULES = ("cyclic", "permutation", "uniform", "lipschitz", "gs", "gsl", "gs_s", "gs_r", "gs_q")
BLOCK_ONLY_RULES = ("gsd", "gsq", "iht")
GREEDY = ("gs", "gsl", "gs_s", "gs_r", "gs_q", "gsd", "gsq", "iht")
_CODE = {"cyclic": "cyclic", "permutation": "given", "uniform": "given", "lipschitz": "given", "gs": "gs",
         "gs_s": "gs", "gsl": "gsl", "gs_r": "gs_r", "gs_q": "gs_q", "iht": "gs"}
BACKENDS = ("numpy", "cpp")


def quadratic_form(problem):
    """``(Q, c, const)`` of the smooth part ``1/2 x^T Q x - c^T x + const`` of ``problem``."""
    if hasattr(problem, "quadratic_form"):
        return problem.quadratic_form()
    from ..problems.linear import LinearModel

    if (isinstance(problem, LinearModel) and problem.loss_name == "squared" and problem.reduce == 0
            and getattr(problem, "penalty", None) is None):
        A, b, w = problem.A, problem.b, problem.weight
        Q = (A.T @ A) * w
        Q = (Q + problem.l2 * sp.identity(problem.dim, format="csr")) if sp.issparse(Q) else Q + problem.l2 * np.eye(
            problem.dim)
        c = w * np.asarray(A.T @ b).ravel()
        return Q, c, 0.5 * w * float(b @ b) + problem.const
    raise ValueError(f"problem: coordinate descent here needs a quadratic smooth part (least squares, a "
                     f"problem with quadratic_form(), label propagation) or a logistic model; {problem.name!r} is "
                     "neither")


def _regularizer(problem):
    from ..problems.sets import L1, Box

    reg = problem.regularizer
    d = problem.dim
    if reg is None:
        return "none", 0.0, np.zeros(d), np.zeros(d)
    if isinstance(reg, L1):
        return "l1", reg.lam, np.zeros(d), np.zeros(d)
    if isinstance(reg, Box):
        return "box", 0.0, np.broadcast_to(reg.lo, (d,)).copy(), np.broadcast_to(reg.hi, (d,)).copy()
    raise ValueError(f"problem: coordinate descent needs a separable regularizer (none, L1 or a box), "
                     f"got {reg!r}")


def graph_partition(Q, kind, L):
    """Blocks that each induce a forest in the graph of ``Q`` (for ``update="tree"``).

    ``red_black``: a 2-colouring when the graph is bipartite (a lattice: the JMLR paper's red-black
    partition), else a greedy colouring (nodes in order, smallest free colour); each colour class is an
    independent set.  ``forest``: nodes in
    order of decreasing ``L_i``, each added to the first block in which its neighbours lie in distinct trees
    (union-find), so every block stays a forest (the paper's tree partitions)."""
    Q = sp.csr_matrix(Q)
    d = Q.shape[0]
    if kind == "red_black":
        color = np.full(d, -1, dtype=np.int64)
        bipartite = True
        for root in range(d):  # BFS 2-colouring; a bipartite graph (a lattice) gets exactly two classes
            if color[root] >= 0:
                continue
            color[root], queue = 0, [root]
            while queue and bipartite:
                u = queue.pop()
                for j in Q.indices[Q.indptr[u]:Q.indptr[u + 1]]:
                    if j == u:
                        continue
                    if color[j] < 0:
                        color[j] = 1 - color[u]
                        queue.append(j)
                    elif color[j] == color[u]:
                        bipartite = False
                        break
            if not bipartite:
                break
        if bipartite:
            return [np.flatnonzero(color == c) for c in range(color.max() + 1)]
        color[:] = -1  # not bipartite: greedy colouring
        for v in range(d):
            used = {int(color[j]) for j in Q.indices[Q.indptr[v]:Q.indptr[v + 1]] if j != v and color[j] >= 0}
            c = 0
            while c in used:
                c += 1
            color[v] = c
        return [np.flatnonzero(color == c) for c in range(color.max() + 1)]
    block_of = np.full(d, -1, dtype=np.int64)
    roots = []  # per block: the union-find parent array over all nodes (lazy dict)

    def find(uf, a):
        while uf.get(a, a) != a:
            uf[a] = uf.get(uf[a], uf[a])
            a = uf[a]
        return a

    for v in np.argsort(-L, kind="stable"):
        nbrs = [int(j) for j in Q.indices[Q.indptr[v]:Q.indptr[v + 1]] if j != v]
        for b, uf in enumerate(roots):
            comps = [find(uf, j) for j in nbrs if block_of[j] == b]
            if len(comps) == len(set(comps)):
                break
        else:
            b, uf = len(roots), {}
            roots.append(uf)
        uf = roots[b]
        for j in nbrs:
            if block_of[j] == b:
                uf[find(uf, j)] = int(v)
        block_of[v] = b
    return [np.flatnonzero(block_of == b) for b in range(len(roots))]


def make_partition(partition, block_size, L):
    """The blocks (a list of index arrays) of a named or given partition of ``d = len(L)`` coordinates.

    ``contiguous``: 0..d-1 in order; ``sorted``: by decreasing ``L_i`` (the JMLR paper's "Sort", blocks of
    similar constants); ``alternating``: large and small ``L_i`` alternately (the paper's "Avg"); each cut
    into blocks of ``block_size`` (the last may be smaller).  Or a list of index arrays, or an array of
    ``d`` block labels; either must cover every coordinate exactly once."""
    d = L.size
    if isinstance(partition, str):
        choose(partition, "partition", ("contiguous", "sorted", "alternating"))
        order = np.arange(d)
        if partition != "contiguous":
            order = np.argsort(-L, kind="stable")
        if partition == "alternating":  # largest, smallest, second largest, second smallest, ...
            front, back = order[: (d + 1) // 2], order[(d + 1) // 2:][::-1]
            order = np.empty(d, dtype=np.int64)
            order[0::2], order[1::2] = front, back
        return [order[i:i + block_size] for i in range(0, d, block_size)]
    arr = partition if isinstance(partition, (list, tuple)) else None
    if arr is None:
        labels = np.asarray(partition)
        if labels.shape != (d,) or labels.dtype.kind not in "iu":
            raise ValueError(f"partition: expected a name, a list of index arrays or {d} integer labels")
        blocks = [np.flatnonzero(labels == v) for v in np.unique(labels)]
    else:
        blocks = [np.asarray(b) for b in arr]
        if any(b.ndim != 1 or b.size == 0 or b.dtype.kind not in "iu" for b in blocks):
            raise ValueError("partition: every block must be a nonempty 1-d array of integer indices")
    flat = np.concatenate(blocks)
    if flat.size != d or np.any(np.sort(flat) != np.arange(d)):
        raise ValueError(f"partition: the blocks must cover the {d} coordinates exactly once")
    return [b.astype(np.int64) for b in blocks]


def _glm_data(problem, form="auto", single=True):
    """``(A as CSC, y, w, l2, loss, K)`` for models whose coordinate descent keeps the margins ``A x``:
    logistic and softmax always, least squares with ``form="columns"`` (or ``"auto"`` when ``d > 2000``
    and the run takes single coordinates); else None (least squares then goes through ``Q = w A^T A``)."""
    from ..problems.linear import LOGISTIC, SQUARED, LinearModel
    from ..problems.multiclass import SoftmaxRegression

    if isinstance(problem, SoftmaxRegression):
        if form == "gram":
            raise ValueError("form: softmax models keep the margins (form='columns' or 'auto')")
        A = sp.csc_matrix(problem.A, dtype=float)
        A.sort_indices()
        return A, problem.labels.astype(float), problem.weight, problem.l2, R.GLM_SOFTMAX, problem.K
    if not (isinstance(problem, LinearModel) and problem.reduce == 0 and getattr(problem, "penalty", None) is None):
        if form == "columns":
            raise ValueError("form: 'columns' needs a least-squares, logistic or softmax model")
        return None
    if problem.loss == LOGISTIC:
        if form == "gram":
            raise ValueError("form: logistic models keep the margins (form='columns' or 'auto')")
        loss = R.GLM_LOGISTIC
    elif problem.loss == SQUARED and (form == "columns" or (form == "auto" and single and problem.dim > 2000)):
        if not single:
            raise ValueError("form: 'columns' takes single coordinates (block_size=1, update='gradient')")
        loss = R.GLM_SQUARED
    else:
        if form == "columns":
            raise ValueError("form: 'columns' needs a least-squares, logistic or softmax model")
        return None
    A = sp.csc_matrix(problem.A, dtype=float)
    A.sort_indices()
    return A, np.asarray(problem.b, float), problem.weight, problem.l2, loss, 1


class _GlmKernel:
    """The driver's kernel for models with kept margins: z = A x recomputed at each call, then kept."""

    def __init__(self, backend, model_args, glm, problem):
        self.backend, self.model_args, self.glm, self.problem = backend, model_args, glm, problem

    def prepare(self, _spec):
        m = R.Model(*self.model_args)
        m.selected_last, m.support_change = -1, -1.0
        if self.backend == "cpp":
            from .. import _core

            A, y, w, l2, loss, K = self.glm
            m.core = _core.BcdModel(m.Q.indptr.astype(np.int64), m.Q.indices.astype(np.int64), m.Q.data, m.c,
                                    m.diag, m.reg, m.lam, np.ascontiguousarray(m.lo, dtype=float),
                                    np.ascontiguousarray(m.hi, dtype=float), m.rule, m.L_common, False)
            m.core_glm = _core.BcdGlm(A.indptr.astype(np.int64), A.indices.astype(np.int64), A.data, y, w, l2, loss, K)
        return m

    def evaluate(self, m, x, grad, n_threads):
        """The model's own oracles (the loss is written once, in LinearModel)."""
        grad[:] = self.problem.grad(x)
        return self.problem.f(x), self.problem.g(x)

    def advance(self, m, code, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
        A, y, w, l2, loss, K = self.glm
        given = np.ascontiguousarray(idx[:, 0], dtype=np.int64) if idx.size else np.zeros(0, dtype=np.int64)
        selected = np.zeros(k1 - k0, dtype=np.int64)
        z = np.ascontiguousarray(np.asarray(A @ x.reshape(A.shape[1], K), dtype=float).ravel())
        if self.backend == "cpp":
            status, fail_at, m.support_change = m.core_glm.advance(m.core, x, z, k0, k1, given, selected,
                                                                   m.support_change)
        else:
            status, fail_at, m.support_change = R.glm_advance(m, A, y, w, l2, x, z, k0, k1, given, selected,
                                                              m.support_change, loss, K)
        return _close_chunk(m, scal, k0, k1, selected, status, fail_at)


def _bcd_glm(problem, glm, rule, step, block_size, blocks, partition, update, backend, options):
    """Coordinate descent keeping the margins (logistic, softmax, least squares in columns form): single
    coordinates; rules cyclic, permutation, uniform, lipschitz, gs, gsl; steps 1/L_j (logistic and softmax
    ``w ||A_j||^2 / 4 + l2``, least squares ``w ||A_j||^2 + l2``: exact minimisation) or the common max."""
    if block_size != 1 or blocks != "fixed" or update != "gradient" or not isinstance(partition, str) \
            or partition != "contiguous":
        raise ValueError("problem: logistic, softmax and columns-form least-squares models take single "
                         "coordinates (block_size=1, update='gradient')")
    if rule not in ("cyclic", "permutation", "uniform", "lipschitz", "gs", "gs_s", "gsl"):
        raise ValueError(f"rule: models with kept margins take cyclic, permutation, uniform, lipschitz, gs or gsl, "
                         f"got {rule!r}")
    A, y, w, l2, loss, K = glm
    norms = np.asarray(A.multiply(A).sum(axis=0)).ravel()
    Lc = w * norms * (1.0 if loss == R.GLM_SQUARED else 0.25) + l2
    Lc = np.repeat(Lc, K)
    if not np.all(Lc > 0):
        raise ValueError("problem: a zero column of A with l2 = 0 has no coordinate constant")
    reg, lam, lo, hi = _regularizer(problem)
    if isinstance(step, float):
        L_common = 1.0 / step
    else:
        L_common = float(Lc.max()) if step == "common" else 0.0
    common = common_options(problem, **options)
    code = R.RULES[_CODE[rule]]
    stream = _Stream(rule, Lc.size, Lc / Lc.sum()) if rule in ("permutation", "uniform", "lipschitz") else None
    d = problem.dim
    kernel = _GlmKernel(backend, (sp.diags(Lc).tocsr(), np.zeros(d), 0.0, R.REGS[reg], lam, lo, hi, code, L_common,
                                  False), glm, problem)
    per_step = (A.nnz * K if code >= 2 else A.nnz * K / d) + A.shape[0] * K / 100
    return _run_bcd(problem, kernel, backend, stream, L_common or Lc.max(), reg, per_step, common)


def _run_bcd(problem, kernel, backend, stream, L_step, reg, per_step, common):
    """The driver run shared by every coordinate-descent path (trace columns ``block``, ``support``)."""
    plan = Plan(problem=problem, method="bcd", code=-1, step_seq=np.zeros(1),
                grad_step=1.0 / L_step if reg != "none" else np.nan, stochastic=stream,
                extra=dict(chunk_cap=int(max(1, min(2e7 // per_step, 1e5))),
                           columns={"block": lambda m, x: m.selected_last,
                                    "support": lambda m, x: int(np.count_nonzero(x))},
                           finish=lambda m, k: dict(selected_last=m.selected_last,
                                                    support_identified=int(m.support_change))),
                **common)
    return run(plan, kernel, backend)


class _Stream:
    """The coordinate stream of a random rule, drawn per chunk from the run's generator."""

    def __init__(self, rule, d, probs):
        self.rule, self.d, self.probs = rule, d, probs
        self._perm = np.zeros(0, dtype=np.int64)

    def draw(self, rng, m):
        if self.rule == "uniform":
            return rng.integers(0, self.d, size=m).reshape(m, 1), None
        if self.rule == "lipschitz":
            return rng.choice(self.d, size=m, p=self.probs).reshape(m, 1), None
        out = [self._perm]  # permutation: continue the current epoch, then fresh epochs
        total = self._perm.size
        while total < m:
            nxt = rng.permutation(self.d)
            out.append(nxt)
            total += self.d
        stream = np.concatenate(out)
        self._perm = stream[m:]
        return stream[:m].reshape(m, 1), None


class _Kernel:
    """The driver's kernel interface over the coordinate-descent model (C++ or the NumPy reference)."""

    def __init__(self, backend, model_args, blocks=None, variable=None, forest=None):
        self.backend, self.model_args, self.blocks, self.variable = backend, model_args, blocks, variable
        self.forest = forest

    def prepare(self, _spec):
        m = R.Model(*self.model_args)
        m.selected_last = -1
        m.support_change = -1.0
        m.blocks = self.blocks
        if self.backend == "cpp":
            from .. import _core

            m.core = _core.BcdModel(m.Q.indptr.astype(np.int64), m.Q.indices.astype(np.int64), m.Q.data, m.c,
                                    m.diag, m.reg, m.lam, np.ascontiguousarray(m.lo, dtype=float),
                                    np.ascontiguousarray(m.hi, dtype=float), max(m.rule, 0), m.L_common, m.heap)
            if self.blocks is not None:
                m.core_blocks = _core.BcdBlocks(*self.blocks.packed(), self.blocks.rule, self.blocks.update)
            if self.forest is not None:
                m.core_forest = _core.BcdForest(*self.forest.packed(), self.forest.rule)
        return m

    @staticmethod
    def evaluate(m, x, grad, n_threads):
        return m.value(x, grad)

    def advance(self, m, code, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
        given = np.ascontiguousarray(idx[:, 0], dtype=np.int64) if idx.size else np.zeros(0, dtype=np.int64)
        selected = np.zeros(k1 - k0, dtype=np.int64)
        if self.forest is not None:
            if self.backend == "cpp":
                status, fail_at, m.support_change = m.core_forest.advance(m.core, x, grad, k0, k1, given, selected,
                                                                          m.support_change)
            else:
                status, fail_at, m.support_change = R.forest_advance(m, self.forest, x, grad, k0, k1, given,
                                                                     selected, m.support_change)
        elif self.variable is not None:
            tau, gsl, matrix, iht = self.variable
            if self.backend == "cpp":
                status, fail_at, m.support_change = m.core.advance_variable(tau, gsl, matrix, x, grad, k0, k1,
                                                                           selected, m.support_change, iht)
            else:
                status, fail_at, m.support_change = R.variable_advance(m, tau, gsl, matrix, x, grad, k0, k1,
                                                                       selected, m.support_change, iht)
            if status == 2:
                raise ValueError(f"update: Q_WW is not positive definite for the block selected at step {fail_at} "
                                 "(Q is singular); use update='gradient'")
        elif m.blocks is not None and self.backend == "cpp":
            status, fail_at, m.support_change = m.core_blocks.advance(m.core, x, grad, k0, k1, given, selected,
                                                                      m.support_change)
        elif m.blocks is not None:
            status, fail_at, m.support_change = R.block_advance(m, m.blocks, x, grad, k0, k1, given, selected,
                                                                m.support_change)
        elif self.backend == "cpp":
            status, fail_at, m.support_change = m.core.advance(x, grad, k0, k1, given, selected, m.support_change)
        else:
            status, fail_at, m.support_change = R.advance(m, x, grad, k0, k1, given, selected, m.support_change)
        return _close_chunk(m, scal, k0, k1, selected, status, fail_at)


def _close_chunk(m, scal, k0, k1, selected, status, fail_at):
    """Bookkeeping after a chunk of coordinate steps: the counter (one coordinate of the gradient a step),
    the last selected block, and the kernel's status."""
    scal[K.S_GRAD_EVALS] += k1 - k0
    if k1 > k0:
        m.selected_last = int(selected[-1])
    if status != 0:
        scal[K.S_FAIL_ITER] = fail_at
        return K.NONFINITE
    return K.OK


def _block_plan(Q, diag, partition, block_size, rule, update, reg, step):
    """The blocks and their constants; checks the rule/update combinations the block theorems cover.
    ``step="common"`` gives every block ``L_B = max_b L_b`` (steps, GSL scores and sampling alike)."""
    update = "matrix" if update == "newton" else update
    if rule in ("gs_r", "gs_q") and update not in ("gradient", "diagonal"):
        raise ValueError(f"rule: the proximal block rule {rule!r} scores the gradient or diagonal update's step; "
                         f"got update={update!r}")
    if (update == "matrix" or rule == "gsq") and reg != "none":
        raise ValueError(f"update/rule: the matrix update and GSQ need a smooth problem (no {reg} term)")
    if update in ("two_metric", "projected_newton") and reg == "l1":
        raise ValueError("update: two_metric and projected_newton are for box constraints (write an L1 term with "
                         "x >= 0 as a linear term on the nonnegative orthant)")
    code = {"cyclic": "cyclic", "permutation": "given", "uniform": "given", "lipschitz": "given", "gs": "gs",
            "gs_s": "gs", "gsl": "gsl", "gsd": "gsd", "gsq": "gsq", "gs_r": "gs_r", "gs_q": "gs_q"}[rule]
    if not isinstance(step, str):
        raise ValueError("step: with blocks use 'coordinate' (L_b per block) or 'common' (max_b L_b)")
    blocks = R.Blocks(Q, make_partition(partition, block_size, diag), R.BLOCK_RULES[code], R.UPDATES[update])
    if step == "common":
        blocks.Lb[:] = blocks.Lb.max()
    return blocks


@register("bcd", accepts=("smooth", "composite", "constrained"), backends=BACKENDS, theorem="bcd.gs")
def bcd(problem, *, rule="gs", step="coordinate", selection="auto", block_size=1, blocks="fixed",
        partition="contiguous", update="gradient", form="auto", iht_steps=10, backend=None, **options):
    r"""Coordinate descent with a greedy or random selection rule (see the module docstring).

    Problem
        ``min 1/2 x^T Q x - c^T x + sum_i g_i(x_i)``, ``g`` zero, L1 or a box; ``Q`` positive
        semidefinite with a positive diagonal.
    Algorithm
        select ``i`` by ``rule``; ``x_i <- prox_{g_i/L_i}(x_i - grad_i/L_i)``, ``L_i = Q_ii``
        (``step="coordinate"``), ``max_j Q_jj`` (``step="common"``) or ``1/step``.
    Guarantee
        GS with the common step: ``F(x_{k+1}) - F* <= (1 - mu_1/L)(F(x_k) - F*)``; GSL with the
        coordinate steps: ``(1 - mu_L)``; uniform: ``(1 - mu/(d L))`` and Lipschitz sampling
        ``(1 - mu/(d Lbar))`` in expectation (smooth problems; theorems ``bcd.gs``, ``bcd.gsl``,
        ``bcd.uniform``, ``bcd.lipschitz``).
    References
        Nutini et al. (ICML 2015), Theorems 1-2 and section 4; Nesterov (2012).

    Parameters
    ----------
    rule : str
        One of ``cyclic``, ``permutation``, ``uniform``, ``lipschitz``, ``gs`` (= ``gs_s``), ``gsl``,
        ``gs_r``, ``gs_q``; with blocks also ``gsd`` and ``gsq`` (block scores below); with variable blocks
        ``iht``.
    block_size, partition, update
        Fixed blocks: ``partition`` ``"contiguous"``, ``"sorted"`` (by decreasing ``L_i``),
        ``"alternating"`` (large and small ``L_i`` mixed), a list of index arrays or ``d`` labels, cut
        into blocks of ``block_size``.  Block scores, with ``v`` the GS-s violations: GS ``||v_b||``,
        GSL ``||v_b||/sqrt(L_b)`` (``L_b = lambda_max(Q_bb)``), GSD ``sqrt(sum v_i^2/d_i)`` (Gershgorin
        ``d_i = sum_{j in b} |Q_ij|``, so ``Q_bb <= diag(d_b)``), GSQ ``sqrt(g_b^T Q_bb^-1 g_b)`` (smooth);
        the proximal rules for L1 and bounds, with ``delta_b`` the block's gradient (or diagonal) prox step:
        GS-r ``||delta_b||`` and GS-q the decrease of the block model
        ``-(g_b^T delta_b + L_b ||delta_b||^2/2 + g(x_b + delta_b) - g(x_b))``;
        random rules draw blocks (``lipschitz``: ``P(b) ~ L_b``).  Updates: ``"gradient"``
        ``x_b <- prox(x_b - g_b/L_b)``, ``"diagonal"`` ``x_b <- prox(x_b - g_b/d_b)``, ``"matrix"``
        (= ``"newton"``) ``x_b <- x_b - Q_bb^-1 g_b`` (exact block minimisation, smooth problems; Cholesky
        factors precomputed).  Greedy block rules scan all blocks (O(d) per step; GSQ O(d |b|)).
        Box constraints: ``"two_metric"`` (Bertsekas 1982: Newton on the coordinates not held at a bound,
        scaled gradient on the others, projected Armijo backtracking), ``"projected_newton"`` (two-metric
        steps repeated until the block QP's violation is below 1e-13 of its gradient: the exact block
        minimisation, the JMLR paper's "PN"); ``"gradient"`` is then projected gradient ("PG").
    update="tree", partition="red_black" | "forest" | given blocks
        Blocks that each induce a forest in the graph of ``Q`` (:func:`graph_partition`), minimised exactly
        by Gaussian elimination leaves-to-roots (belief propagation, exact on trees) in ``O(|b|)``: huge
        blocks at the cost of a coordinate sweep (JMLR 2022, section 5).  Rules cyclic, permutation,
        uniform, gs (``||g_b||``) and gsq (``g_b^T Q_bb^-1 g_b``); smooth problems.
    blocks : {"fixed", "variable"}
        ``"variable"``: each step updates the ``block_size`` coordinates of largest GS (or GSL) score
        together, with the gradient update at the safe Gershgorin step ``1/max_{i in W} sum_{j in W} |Q_ij|``
        or the matrix update (Cholesky of ``Q_WW``); the trace's ``block`` is the smallest selected index.
        ``rule="iht"`` (smooth problems) approximates the variable-block GSQ rule
        ``argmax_{|W| = block_size} g_W^T Q_WW^-1 g_W`` by ``iht_steps`` steps of iterative hard thresholding
        on ``min_{||d||_0 <= block_size} g^T d + d^T Q d / 2`` from ``d = 0`` (JMLR 2022, section 4), each
        ``O(nnz(Q))``.
    iht_steps : int
        Iterative-hard-thresholding steps of ``rule="iht"``.
    step : {"coordinate", "common"} or float
        ``1/L_i`` per coordinate, ``1/max_i L_i`` on all, or the given step on all.
    selection : {"auto", "tree", "heap", "scan"}
        How greedy rules find the best score (module docstring).
    backend : {"cpp", "numpy"}

    The trace adds ``block`` (the coordinate of the last step before each checkpoint) and
    ``support`` (nonzeros of x); the Result has ``selected_last`` and ``support_identified``
    (the step after which the zero pattern of x never changed again, -1 if it never changed).
    """
    rule = choose(rule, "rule", RULES + BLOCK_ONLY_RULES)
    update = choose(update, "update", ("gradient", "diagonal", "matrix", "newton", "tree", "two_metric",
                                       "projected_newton"))
    if isinstance(step, str):
        step = choose(step, "step", ("coordinate", "common"))
    else:
        step = as_scalar(step, "step", positive=True)
    selection = choose(selection, "selection", ("auto", "tree", "heap", "scan"))
    selection = "heap" if selection == "tree" else selection
    if backend is None:
        backend = "cpp"
    backend = choose(backend, "backend", BACKENDS)
    form = choose(form, "form", ("auto", "gram", "columns"))
    single = block_size == 1 and blocks == "fixed" and update == "gradient" and isinstance(partition, str) \
        and partition == "contiguous" and selection != "heap"
    glm = _glm_data(problem, form, single)
    if glm is not None:
        return _bcd_glm(problem, glm, rule, step, block_size, blocks, partition, update, backend, options)
    Q, c, const = quadratic_form(problem)
    Q = sp.csr_matrix(Q)
    d = problem.dim
    if Q.shape != (d, d):
        raise ValueError(f"problem: quadratic_form() gave Q of shape {Q.shape}, expected ({d}, {d})")
    diag = Q.diagonal()
    if not np.all(diag > 0):
        raise ValueError("problem: coordinate descent needs Q_ii > 0 for every coordinate (a zero column of A?)")
    reg, lam, lo, hi = _regularizer(problem)
    block_size = as_int(block_size, "block_size", minimum=1)
    if block_size > d:
        raise ValueError(f"block_size: must be at most d = {d}, got {block_size}")
    kind = choose(blocks, "blocks", ("fixed", "variable"))
    blocks, variable, forest = None, None, None
    if update == "tree" or partition in ("red_black", "forest"):
        if update != "tree" or kind != "fixed" or reg != "none":
            raise ValueError("update: forest blocks (partition 'red_black', 'forest' or given) take update='tree' "
                             "on smooth problems, and update='tree' needs them")
        if rule not in ("cyclic", "permutation", "uniform", "gs", "gs_s", "gsq"):
            raise ValueError(f"rule: forest blocks take cyclic, permutation, uniform, gs or gsq, got {rule!r}")
        parts = (graph_partition(Q, partition, diag) if partition in ("red_black", "forest")
                 else make_partition(partition, block_size, diag))
        code = {"cyclic": "cyclic", "permutation": "given", "uniform": "given", "gs": "gs", "gs_s": "gs",
                "gsq": "gsq"}[rule]
        forest = R.Forest(Q, parts, R.BLOCK_RULES[code])
    elif kind == "variable":
        if rule not in ("gs", "gs_s", "gsl", "iht"):
            raise ValueError(f"rule: variable blocks take the top block_size coordinates by the gs or gsl "
                             f"score, or the iht approximation of GSQ, got {rule!r}")
        update = "matrix" if update == "newton" else update
        if update == "diagonal" or (update == "matrix" and reg != "none"):
            raise ValueError("update: variable blocks take 'gradient', or 'matrix' on smooth problems")
        if rule == "iht" and reg != "none":
            raise ValueError(f"rule: 'iht' approximates GSQ on smooth problems (no {reg} term)")
        iht_steps = as_int(iht_steps, "iht_steps", minimum=1)
        variable = (block_size, rule == "gsl", update == "matrix", iht_steps if rule == "iht" else 0)
    elif forest is None and (block_size > 1 or not isinstance(partition, str)):
        blocks = _block_plan(Q, diag, partition, block_size, rule, update, reg, step)
    if kind == "fixed" and blocks is None and forest is None and (rule in BLOCK_ONLY_RULES or update != "gradient"):
        raise ValueError(f"rule/update: {rule!r} with update={update!r} needs blocks (block_size > 1 or a partition)")
    common = common_options(problem, **options)
    if isinstance(step, float):
        if step > 1.0 / diag.max() * (1 + 1e-12):
            warnings.warn(f"step={step:.4g} exceeds 1/max_i L_i = {1 / diag.max():.4g}: no coordinate-descent "
                          "theorem covers this run", StepSizeWarning, stacklevel=3)
        L_common = 1.0 / step
    else:
        L_common = float(diag.max()) if step == "common" else 0.0
    heap = selection == "heap" or (selection == "auto" and Q.nnz / d < d / 16)
    code = R.RULES[_CODE[rule]] if blocks is None and forest is None else -1
    stream = None
    if rule in ("permutation", "uniform", "lipschitz"):
        weights = diag if blocks is None else blocks.Lb
        if forest is not None:
            weights = np.ones(len(forest.blocks))
        stream = _Stream(rule, weights.size, weights / weights.sum())
    kernel = _Kernel(backend, (Q, c, const, R.REGS[reg], lam, lo, hi, code, L_common, heap), blocks, variable,
                     forest)
    per_step = max(Q.nnz / d, 1.0) + (0 if code < 2 else (np.log2(d) * Q.nnz / d if heap else d))
    if forest is not None:
        per_step = Q.nnz / len(forest.blocks) * (len(forest.blocks) if rule in ("gs", "gs_s", "gsq") else 1) + d
    elif blocks is not None or variable is not None:
        per_step = block_size * max(Q.nnz / d, 1.0) + (d * block_size if rule in GREEDY else 0) + block_size ** 3
        per_step += Q.nnz * variable[3] if variable is not None else 0
    if backend == "numpy" and code >= 2:
        per_step *= 50  # the reference scores in Python
    return _run_bcd(problem, kernel, backend, stream, L_common or diag.max(), reg, per_step, common)
