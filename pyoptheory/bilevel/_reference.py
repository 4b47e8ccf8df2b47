r"""NumPy references of the bilevel methods (cpp: ``cpp/include/pyoptheory/bilevel.hpp``).

The randomness of a chunk of iterations is drawn in Python beforehand (:func:`draw`) as a list of oracle
calls in a fixed order per iteration, each with its sampled rows (finite sums: rows of the validation data
for ``f``, of the training data for ``g``) or its standard normal vector (additive-noise models); the
compiled kernels consume the same arrays in the same order.

Oracle calls per iteration (``T`` inner steps):

* ``penalty`` (double loop): ``T`` x [g, f] for ``y`` (on ``sigma f + g``), ``T`` x [g] for ``z`` (on ``g``),
  then [f, g] for ``x`` (the ``g`` sample shared by ``(x, y)`` and ``(x, z)``): ``3T + 2`` calls;
* ``penalty_single_loop`` (STORM-type estimators): [g, f] for ``y``, [g] for ``z``, [f, g] for ``x``: 5 calls,
  each evaluated at the current and the previous point with the same sample.
"""
from __future__ import annotations

import numpy as np

F, G = 0, 1
PLAN = {"penalty": lambda T: [G, F] * T + [G] * T + [F, G], "penalty_single_loop": lambda T: [G, F, G, F, G]}


class Draws:
    """The sampled oracle calls of a chunk: ``rows[ptr[c]:ptr[c+1]]`` (finite sums) or ``eps[c]`` (noise)."""

    def __init__(self, rows, ptr, eps, batch):
        self.rows, self.ptr, self.eps, self.batch = rows, ptr, eps, batch

    def call(self, c):
        if self.rows is not None and self.rows.size:
            return self.rows[self.ptr[c]:self.ptr[c + 1]], None, self.ptr[c + 1] - self.ptr[c]
        if self.eps is not None and self.eps.size:
            return None, self.eps[c], self.batch[c]
        return None, None, 1


def draw(problem, levels, batches, rng):
    """The draws of one chunk: ``levels`` the level of each call, ``batches`` its batch size (0: exact)."""
    ncall = len(levels)
    if problem.n_samples is not None and np.any(batches > 0):
        sizes = np.where(batches > 0, batches, 0).astype(np.int64)
        ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        high = np.repeat(np.asarray(problem.n_samples, dtype=np.int64)[np.asarray(levels)], sizes)  # per row
        return Draws(rng.integers(0, high).astype(np.int64), ptr, None, batches)
    if getattr(problem, "noise", 0.0) > 0 and np.any(batches > 0):
        eps = rng.standard_normal((ncall, problem.dim + problem.dim_y))
        eps[batches == 0] = 0.0
        return Draws(None, np.zeros(ncall + 1, dtype=np.int64), eps, np.maximum(batches, 1).astype(float))
    return Draws(None, np.zeros(ncall + 1, dtype=np.int64), None, np.ones(ncall))


def _grad(problem, level, x, y, draws, c):
    rows, eps, batch = draws.call(c)
    return problem.sample_grad(level, x, y, rows=rows, eps=eps, batch=batch)


def inner_steps(problem, x, s, beta_y, beta_z, local, l_f):
    """``(step_y, step_z)``: given, or ``1/(l_g(x) + sigma l_f)`` and ``1/l_g(x)`` at the current x (local)."""
    if not local:
        return beta_y, beta_z
    lg = problem.l_g_at(x)
    return 1.0 / (lg + s * l_f), 1.0 / lg


def penalty_double_loop(problem, st, sig, alpha, beta_y, beta_z, T, k0, k1, draws, local=False, l_f=0.0):
    """Iterations ``k0 .. k1-1`` of the double-loop penalty method (``sig``, ``alpha``, ``beta_y``: per
    iteration; ``local``: inner steps from ``l_g`` at the current x); ``st`` holds ``x, y, z``."""
    x, y, z = st.x, st.y, st.z
    per = 3 * T + 2
    for k in range(k0, k1):
        c = (k - k0) * per
        s = sig[k - k0]
        by, bz = inner_steps(problem, x, s, beta_y[k - k0], beta_z, local, l_f)
        for _ in range(T):  # y <- argmin sigma f + g
            _, gy = _grad(problem, G, x, y, draws, c)
            _, fy = _grad(problem, F, x, y, draws, c + 1)
            y[:] = problem.project_y(y - by * (gy + s * fy))
            c += 2
        for _ in range(T):  # z <- argmin g
            _, gz = _grad(problem, G, x, z, draws, c)
            z[:] = problem.project_y(z - bz * gz)
            c += 1
        fx, _ = _grad(problem, F, x, y, draws, c)
        gxy, _ = _grad(problem, G, x, y, draws, c + 1)
        gxz, _ = _grad(problem, G, x, z, draws, c + 1)
        x[:] = problem.project_x(x - alpha[k - k0] * (fx + (gxy - gxz) / s))
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(np.isfinite(z))):
            return k
    return -1


def penalty_single_loop(problem, st, sig, alpha, beta_y, beta_z, momentum, k0, k1, draws, local=False, l_f=0.0):
    """Iterations ``k0 .. k1-1`` of the single-loop method with STORM-type estimators
    ``d_t = v(w_t; xi_t) + (1 - a)(d_{t-1} - v(w_{t-1}; xi_t))`` on the three directions
    (``v_y = grad_y(g + sigma f)``, ``v_z = grad_y g(., z)``, ``v_x = grad_x f + (grad_x g(., y) - grad_x g(., z))/sigma``)
    and simultaneous projected steps (``momentum``, ``beta_z``: per iteration); ``st`` also holds the
    estimators and the previous point."""

    def directions(x, y, z, s, c):
        _, gy = _grad(problem, G, x, y, draws, c)
        _, fy = _grad(problem, F, x, y, draws, c + 1)
        _, gz = _grad(problem, G, x, z, draws, c + 2)
        fx, _ = _grad(problem, F, x, y, draws, c + 3)
        gxy, _ = _grad(problem, G, x, y, draws, c + 4)
        gxz, _ = _grad(problem, G, x, z, draws, c + 4)
        return gy + s * fy, gz, fx + (gxy - gxz) / s

    for k in range(k0, k1):
        c = (k - k0) * 5
        s, a = sig[k - k0], momentum[k - k0]
        vy, vz, vx = directions(st.x, st.y, st.z, s, c)
        if st.started:
            py, pz, px = directions(st.xp, st.yp, st.zp, s, c)
            st.dy[:] = vy + (1 - a) * (st.dy - py)
            st.dz[:] = vz + (1 - a) * (st.dz - pz)
            st.dx[:] = vx + (1 - a) * (st.dx - px)
        else:
            st.dy[:], st.dz[:], st.dx[:] = vy, vz, vx
        st.started = True
        st.xp[:], st.yp[:], st.zp[:] = st.x, st.y, st.z
        by, bz = inner_steps(problem, st.x, s, beta_y[k - k0], beta_z[k - k0], local, l_f)
        st.y[:] = problem.project_y(st.y - by * st.dy)
        st.z[:] = problem.project_y(st.z - bz * st.dz)
        st.x[:] = problem.project_x(st.x - alpha[k - k0] * st.dx)
        if not (np.all(np.isfinite(st.x)) and np.all(np.isfinite(st.y)) and np.all(np.isfinite(st.z))):
            return k
    return -1


def implicit(problem, st, alpha, beta_z, T, cg_steps, k0, k1, local=False):
    """Iterations of the implicit-differentiation method: ``T`` gradient steps on ``g`` for ``y`` (warm),
    ``cg_steps`` conjugate-gradient steps on ``grad^2_yy g v = grad_y f`` (warm ``v``), then
    ``x <- P_X(x - alpha (grad_x f - grad^2_xy g v))`` (``Y`` unconstrained).  Returns ``(fail, hvps)``: the
    failed iteration (or -1) and the Hessian-vector products made (conjugate gradients may stop early)."""
    x, y, v = st.x, st.y, st.v
    hvps = 0
    for k in range(k0, k1):
        bz = 1.0 / problem.l_g_at(x) if local else beta_z
        for _ in range(T):
            _, gy = problem.grad_g(x, y)
            y[:] = y - bz * gy
        fx, fy = problem.grad_f(x, y)
        r = fy - problem.hvp_yy(x, y, v)
        hvps += 1
        p = r.copy()
        rr = r @ r
        for _ in range(cg_steps):
            if rr == 0.0:
                break
            Hp = problem.hvp_yy(x, y, p)
            hvps += 1
            pHp = p @ Hp
            if not pHp > 0.0:  # converged to underflow (or a non-convex lower level): stop
                break
            step = rr / pHp
            v += step * p
            r -= step * Hp
            rr_new = r @ r
            p = r + (rr_new / rr) * p
            rr = rr_new
        x[:] = problem.project_x(x - alpha[k - k0] * (fx - problem.jvp_xy(x, y, v)))
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            return k, hvps
    return -1, hvps


def blockwise(problem, st, alpha, momentum, k0, k1, blocks, rows_g, rows_f):
    """Iterations of the blockwise stochastic method for multi-block problems (Hu et al., ICML 2023, in the
    simplified form documented in :func:`pyoptheory.bilevel.methods.blockwise`): for each sampled block ``i``
    (``blocks[k]``, with its sampled training rows ``rows_g[k, q]`` and validation rows ``rows_f[k, q]``, global
    row indices of the stacked data) the moving averages ``u_i`` of its lower gradient and ``H_i`` of its lower
    Hessian, the hypergradient ``-(e^x * theta_i * H_i^-1 grad f_i)``, the step ``theta_i -= u_i / l_g,i(x)``;
    then the moving average ``z`` of the mean hypergradient and ``x <- P_X(x - alpha z)``."""
    R = problem
    d = R.d
    x = st.x
    for k in range(k0, k1):
        a = momentum[k - k0]
        e = np.exp(x)
        G = np.zeros(d)
        for q, i in enumerate(blocks[k - k0]):
            th = st.theta[i]
            Ar = R.A_all[rows_g[k - k0, q]]
            gy = Ar.T @ (Ar @ th - R.t_all[rows_g[k - k0, q]]) / Ar.shape[0] + e * th
            H = Ar.T @ Ar / Ar.shape[0] + np.diag(e)
            if st.seen[i]:
                st.u[i] = (1 - a) * st.u[i] + a * gy
                st.H[i] = (1 - a) * st.H[i] + a * H
            else:
                st.u[i], st.H[i], st.seen[i] = gy, H, True
            Avr = R.Av_all[rows_f[k - k0, q]]
            fy = Avr.T @ (Avr @ th - R.tv_all[rows_f[k - k0, q]]) / Avr.shape[0]
            v = np.linalg.solve(st.H[i], fy)
            G += -(e * th * v)
            st.theta[i] = th - st.u[i] * (1.0 / (R.lmax[i] + e.max()))
        G /= len(blocks[k - k0])
        st.zx[:] = (1 - a) * st.zx + a * G if st.started else G
        st.started = True
        x[:] = R.project_x(x - alpha[k - k0] * st.zx)
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(st.theta))):
            return k
    return -1
