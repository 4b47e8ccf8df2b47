"""Numba kernels of the deterministic first-order loops on linear models.

The same updates as ``cpp/include/pyoptheory/first_order.hpp`` (read that file
for the comments on each step); dense data goes through BLAS (``np.dot``), CSR
data through explicit loops.  All functions are compiled with ``cache=True``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .layout import (AGD, AGD_SC, AGD_SIMPLE, BACKTRACK_FAILED, HEAVY_BALL, NONCONVEX_AG, NONFINITE, OK, PROX_GRAD,
                     S_MU, SHB,
                     PROX_GRAD_BACKTRACK, S_BACKTRACK, S_BEST_F, S_BETA, S_F_STAR, S_FAIL_ITER, S_FEVALS, S_FPREV,
                     S_FX, S_GRAD_EVALS, S_LAMBDA, S_LK, S_RESTART, S_RESTARTS, S_WSUM, SGD, SUBGRADIENT)

name = "numba"

SQUARED, LOGISTIC, HINGE, ABSOLUTE, HUBER, AFFINE = range(6)
REG_NONE, REG_L1, REG_BALL, REG_BOX, REG_SIMPLEX, REG_SCAD, REG_MCP = range(7)
PEN_NONE, PEN_SCAD, PEN_MCP = range(3)


@njit(cache=True)
def _sign0(r):
    return 1.0 if r > 0 else (-1.0 if r < 0 else 0.0)


@njit(cache=True)
def _loss_value(loss, z, b, p):
    if loss == SQUARED:
        r = z - b
        return 0.5 * r * r
    if loss == LOGISTIC:
        m = -b * z
        return max(m, 0.0) + np.log1p(np.exp(-abs(m)))
    if loss == HINGE:
        return max(0.0, 1.0 - b * z)
    if loss == ABSOLUTE:
        return abs(z - b)
    if loss == HUBER:
        r = z - b
        a = abs(r)
        return 0.5 * r * r if a <= p else p * a - 0.5 * p * p
    return z + b


@njit(cache=True)
def _loss_deriv(loss, z, b, p):
    if loss == SQUARED:
        return z - b
    if loss == LOGISTIC:
        return -b / (1.0 + np.exp(b * z))
    if loss == HINGE:
        return -b if 1.0 - b * z > 0.0 else 0.0
    if loss == ABSOLUTE:
        return _sign0(z - b)
    if loss == HUBER:
        r = z - b
        return r if abs(r) <= p else p * _sign0(r)
    return 1.0


@njit(cache=True)
def _dot4(a, x):
    """Dot product with four partial sums (a single running sum is bound by the add latency)."""
    d = a.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    j = 0
    while j + 4 <= d:
        s0 += a[j] * x[j]
        s1 += a[j + 1] * x[j + 1]
        s2 += a[j + 2] * x[j + 2]
        s3 += a[j + 3] * x[j + 3]
        j += 4
    s = 0.0
    while j < d:
        s += a[j] * x[j]
        j += 1
    return s + ((s0 + s1) + (s2 + s3))


@njit(cache=True)
def _penalty_value(pen, t, lam, par):
    a = abs(t)
    if pen == PEN_SCAD:
        if a <= lam:
            return lam * a
        if a <= par * lam:
            return (2.0 * par * lam * a - t * t - lam * lam) / (2.0 * (par - 1.0))
        return 0.5 * lam * lam * (par + 1.0)
    return lam * a - t * t / (2.0 * par) if a <= par * lam else 0.5 * par * lam * lam


@njit(cache=True)
def _concave_deriv(pen, t, lam, par):
    a = abs(t)
    s = _sign0(t)
    if pen == PEN_SCAD:
        if a <= lam:
            return 0.0
        if a <= par * lam:
            return -s * (a - lam) / (par - 1.0)
        return -lam * s
    return -t / par if a <= par * lam else -lam * s


@njit(cache=True)
def _penalty_prox(reg, z, c, lam, par):
    a = abs(z)
    s = _sign0(z)
    if reg == REG_SCAD:
        if a <= lam * (1.0 + c):
            return s * (a - c * lam) if a > c * lam else 0.0
        if a <= par * lam:
            return ((par - 1.0) * z - s * c * par * lam) / (par - 1.0 - c)
        return z
    if a <= par * lam:
        return s * (a - c * lam) / (1.0 - c / par) if a > c * lam else 0.0
    return z


@njit(cache=True)
def _matvec(m, x):
    sparse, dense, data, indices, indptr = m[0], m[1], m[2], m[3], m[4]
    n = m[6]
    if not sparse:
        return np.dot(dense, x)
    z = np.zeros(n)
    for i in range(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k] * x[indices[k]]
        z[i] = s
    return z


@njit(cache=True)
def _rmatvec(m, u):
    sparse, dense, data, indices, indptr = m[0], m[1], m[2], m[3], m[4]
    n, d = m[6], m[7]
    if not sparse:
        return np.dot(dense.T, u)
    g = np.zeros(d)
    for i in range(n):
        ui = u[i]
        if ui != 0.0:
            for k in range(indptr[i], indptr[i + 1]):
                g[indices[k]] += ui * data[k]
    return g


@njit(cache=True)
def value_grad(m, x, grad):
    """f(x) of the linear model; writes one (sub)gradient into ``grad``."""
    b, n, d = m[5], m[6], m[7]
    loss, p, reduce, w, l2, cst = m[8], m[9], m[10], m[11], m[12], m[13]
    z = _matvec(m, x)
    f = 0.0
    if reduce == 0:
        u = np.empty(n)
        for i in range(n):
            f += _loss_value(loss, z[i], b[i], p)
            u[i] = w * _loss_deriv(loss, z[i], b[i], p)
        g = _rmatvec(m, u)
        for j in range(d):
            grad[j] = g[j]
        f *= w
    else:
        arg = 0
        best = -np.inf
        for i in range(n):
            v = _loss_value(loss, z[i], b[i], p)
            if v > best or i == 0:
                best = v
                arg = i
        f = w * best
        u = np.zeros(n)
        u[arg] = w * _loss_deriv(loss, z[arg], b[arg], p)
        g = _rmatvec(m, u)
        for j in range(d):
            grad[j] = g[j]
    if l2 != 0.0:
        s = 0.0
        for j in range(d):
            s += x[j] * x[j]
            grad[j] += l2 * x[j]
        f += 0.5 * l2 * s
    pen, plam, ppar = m[19], m[20], m[21]
    if pen != PEN_NONE:
        for j in range(d):
            f += _penalty_value(pen, x[j], plam, ppar) - plam * abs(x[j])
            grad[j] += _concave_deriv(pen, x[j], plam, ppar)
    return f + cst


@njit(cache=True)
def sample_grad(m, ids, x, grad):
    """(1/b) sum_j n w phi'(a_{ids_j}.x) a_{ids_j} + l2 x: a minibatch gradient of the finite sum."""
    sparse, dense, data, indices, indptr, b = m[0], m[1], m[2], m[3], m[4], m[5]
    n, d = m[6], m[7]
    loss, p, w, l2 = m[8], m[9], m[11], m[12]
    batch = ids.shape[0]
    scale = n * w / batch
    for j in range(d):
        grad[j] = 0.0
    for jj in range(batch):
        i = ids[jj]
        if not sparse:
            z = 0.0
            for j in range(d):
                z += dense[i, j] * x[j]
            c = scale * _loss_deriv(loss, z, b[i], p)
            for j in range(d):
                grad[j] += c * dense[i, j]
        else:
            z = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                z += data[k] * x[indices[k]]
            c = scale * _loss_deriv(loss, z, b[i], p)
            for k in range(indptr[i], indptr[i + 1]):
                grad[indices[k]] += c * data[k]
    if l2 != 0.0:
        for j in range(d):
            grad[j] += l2 * x[j]


@njit(cache=True)
def reg_value(m, x):
    if m[14] == REG_SCAD or m[14] == REG_MCP:
        pen = PEN_SCAD if m[14] == REG_SCAD else PEN_MCP
        s = 0.0
        for j in range(x.shape[0]):
            s += _penalty_value(pen, x[j], m[15], m[18])
        return s
    if m[14] != REG_L1:
        return 0.0
    s = 0.0
    for j in range(x.shape[0]):
        s += abs(x[j])
    return m[15] * s


@njit(cache=True)
def prox(m, y, step, out):
    reg, scalar, lo, hi = m[14], m[15], m[16], m[17]
    d = y.shape[0]
    if reg == REG_L1:
        t = step * scalar
        for j in range(d):
            a = abs(y[j]) - t
            out[j] = _sign0(y[j]) * a if a > 0.0 else 0.0
    elif reg == REG_BALL:
        s = 0.0
        for j in range(d):
            r = y[j] - lo[j]
            s += r * r
        nrm = np.sqrt(s)
        scale = scalar / nrm if nrm > scalar else 1.0
        for j in range(d):
            out[j] = lo[j] + scale * (y[j] - lo[j])
    elif reg == REG_BOX:
        for j in range(d):
            out[j] = min(max(y[j], lo[j]), hi[j])
    elif reg == REG_SCAD or reg == REG_MCP:
        for j in range(d):
            out[j] = _penalty_prox(reg, y[j], step, scalar, m[18])
    elif reg == REG_SIMPLEX:
        u = np.sort(y)[::-1]
        cumsum = 0.0
        theta = 0.0
        for k in range(d):
            cumsum += u[k]
            t = (cumsum - scalar) / (k + 1)
            if u[k] - t > 0.0:
                theta = t
        for j in range(d):
            out[j] = max(y[j] - theta, 0.0)
    else:
        for j in range(d):
            out[j] = y[j]


@njit(cache=True)
def _backtrack(m, base, fbase, gbase, out, gout, scal, eta, count_grad):
    """Beck-Teboulle backtracking from ``base`` (see ``backtrack`` in first_order.hpp); returns
    (status, f(out))."""
    d = base.shape[0]
    tries = 0
    while True:
        Lk = scal[S_LK]
        for j in range(d):
            out[j] = base[j] - gbase[j] / Lk
        prox(m, out, 1.0 / Lk, out)
        fo = value_grad(m, out, gout)
        scal[S_FEVALS] += 1
        if count_grad:
            scal[S_GRAD_EVALS] += 1
        lin = 0.0
        sq = 0.0
        for j in range(d):
            dj = out[j] - base[j]
            lin += gbase[j] * dj
            sq += dj * dj
        if fo <= fbase + lin + 0.5 * Lk * sq + 1e-14 * abs(fbase):
            return OK, fo
        scal[S_LK] = Lk * eta
        if not np.isfinite(scal[S_LK]) or tries > 2000:
            return BACKTRACK_FAILED, fo
        tries += 1


@njit(cache=True)
def _stochastic_grad(m, row, point, out, idx, noise):
    if idx.shape[0] > 0:
        sample_grad(m, idx[row], point, out)
    else:
        value_grad(m, point, out)
    if noise.shape[0] > 0:
        for j in range(point.shape[0]):
            out[j] += noise[row, j]


@njit(cache=True)
def _stochastic_heavy_ball_step(m, k, k0, x, xp, grad, scal, steps, idx, noise):
    """Stochastic heavy ball (see first_order.hpp); x_{k-1} is kept in ``xp``."""
    d = x.shape[0]
    step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
    mom = scal[S_BETA]
    if scal[S_MU] > 0.0:
        q = 1.0 - np.sqrt(scal[S_MU] * step)
        mom = q * q
    sparse, dense, b, n, loss, p, w, l2 = m[0], m[1], m[5], m[6], m[8], m[9], m[11], m[12]
    if idx.shape[0] > 0 and noise.shape[0] == 0 and not sparse and idx.shape[1] == 1:
        i = idx[k - k0, 0]
        a = dense[i]
        z = _dot4(a, x)
        c = step * n * w * _loss_deriv(loss, z, b[i], p)
        if not np.isfinite(z) or not np.isfinite(c):
            scal[S_FAIL_ITER] = k
            return NONFINITE
        shrink = 1.0 - step * l2
        for j in range(d):
            xj = x[j]
            x[j] = shrink * xj - c * a[j] + mom * (xj - xp[j])
            xp[j] = xj
    else:
        _stochastic_grad(m, k - k0, x, grad, idx, noise)
        for j in range(d):
            xj = x[j]
            x[j] = xj - step * grad[j] + mom * (xj - xp[j])
            xp[j] = xj
            if not np.isfinite(x[j]):
                scal[S_FAIL_ITER] = k
                return NONFINITE
    scal[S_GRAD_EVALS] += 1
    return OK


@njit(cache=True)
def _momentum_step(m, method, k, x, xp, grad, scal, alpha, eta, y, gy, tmp):
    """One step of the momentum methods (see first_order.hpp); x_{k-1} is kept in ``xp``."""
    d = x.shape[0]
    mom = 0.0
    lam_next = scal[S_LAMBDA]
    if method == AGD and k > 0:
        lam = scal[S_LAMBDA]
        lam_next = 0.5 * (1.0 + np.sqrt(4.0 * lam * lam + 1.0))
        mom = (lam - 1.0) / lam_next
    elif method == AGD_SIMPLE and k > 0:
        mom = (k - 1) / (k + 2)
    elif method == AGD_SC or method == HEAVY_BALL:
        mom = scal[S_BETA]
    hb = method == HEAVY_BALL
    for j in range(d):
        y[j] = x[j] if hb else x[j] + mom * (x[j] - xp[j])
    fy = value_grad(m, y, grad)
    scal[S_GRAD_EVALS] += 1
    if not np.isfinite(fy):
        scal[S_FAIL_ITER] = k
        return NONFINITE
    if hb:
        for j in range(d):
            xn = x[j] - alpha * grad[j] + mom * (x[j] - xp[j])
            xp[j] = x[j]
            x[j] = xn
        return OK
    if scal[S_BACKTRACK] == 0.0:
        Lk = scal[S_LK]
        for j in range(d):
            gy[j] = y[j] - grad[j] / Lk
        prox(m, gy, 1.0 / Lk, gy)
    else:
        status, _ = _backtrack(m, y, fy, grad, gy, tmp, scal, eta, False)
        if status != OK:
            scal[S_FAIL_ITER] = k
            return BACKTRACK_FAILED
    restart = False
    if scal[S_RESTART] == 1.0:
        Fn = value_grad(m, gy, tmp) + reg_value(m, gy)
        scal[S_FEVALS] += 1
        restart = Fn > scal[S_FPREV]
        scal[S_FPREV] = Fn
    elif scal[S_RESTART] == 2.0:
        dot = 0.0
        for j in range(d):
            dot += (y[j] - gy[j]) * (gy[j] - x[j])
        restart = dot > 0.0
    for j in range(d):
        xp[j] = x[j]
        x[j] = gy[j]
    if method == AGD and k > 0:
        scal[S_LAMBDA] = lam_next
    if restart:
        scal[S_RESTARTS] += 1
        scal[S_LAMBDA] = 1.0
        for j in range(d):
            xp[j] = x[j]
    return OK


@njit(cache=True)
def _advance(m, method, x, xbest, xsum, grad, scal, steps, avg_w, use_avg, eta, k0, k1, idx, noise):
    if method < PROX_GRAD or method > NONCONVEX_AG:  # no branch here: the gradient-free codes run in C++ and NumPy
        raise ValueError("method: the Numba kernel has no branch for this method code")
    d = x.shape[0]
    y = np.empty(d)
    gy = np.empty(d)
    sparse, dense, b, n = m[0], m[1], m[5], m[6]
    loss, p, w, l2, reg = m[8], m[9], m[11], m[12], m[14]
    coef = np.empty(idx.shape[1])
    tmp = np.empty(d)
    for k in range(k0, k1):
        if method == NONCONVEX_AG:
            alpha = 2.0 / (k + 2)
            beta = steps[0] if steps.shape[0] == 1 else steps[k - k0]
            for j in range(d):
                y[j] = (1.0 - alpha) * x[j] + alpha * xbest[j]
            fm = value_grad(m, y, grad)
            scal[S_GRAD_EVALS] += 1
            if not np.isfinite(fm):
                scal[S_FAIL_ITER] = k
                return NONFINITE
            for j in range(d):
                gy[j] = xbest[j] - beta * grad[j]
            prox(m, gy, beta, xbest)
            for j in range(d):
                gy[j] = y[j] - beta * grad[j]
            prox(m, gy, beta, x)
            gm = 0.0
            for j in range(d):
                gj = (y[j] - x[j]) / beta
                gm += gj * gj
            if gm < scal[S_BEST_F]:
                scal[S_BEST_F] = gm
            status = OK
        elif method == SHB:
            status = _stochastic_heavy_ball_step(m, k, k0, x, xbest, grad, scal, steps, idx, noise)
            if status != OK:
                return status
        elif AGD <= method <= HEAVY_BALL:
            alpha = steps[0] if steps.shape[0] == 1 else steps[k - k0]
            status = _momentum_step(m, method, k, x, xbest, grad, scal, alpha, eta, y, gy, tmp)
            if status != OK:
                return status
        elif method == SGD and idx.shape[0] > 0 and noise.shape[0] == 0 and reg == REG_NONE:
            # fast path of the plain minibatch step, as in first_order.hpp
            ids = idx[k - k0]
            batch = ids.shape[0]
            step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
            scale = n * w / batch
            shrink = 1.0 - step * l2
            for jj in range(batch):
                i = ids[jj]
                if not sparse:
                    z = _dot4(dense[i], x)
                else:
                    z = 0.0
                    for kk in range(m[4][i], m[4][i + 1]):
                        z += m[2][kk] * x[m[3][kk]]
                coef[jj] = scale * _loss_deriv(loss, z, b[i], p)
                if not np.isfinite(z) or not np.isfinite(coef[jj]):
                    scal[S_FAIL_ITER] = k
                    return NONFINITE
            scal[S_GRAD_EVALS] += 1
            if not sparse and batch == 1:
                a = dense[ids[0]]
                c = step * coef[0]
                for j in range(d):
                    x[j] = shrink * x[j] - c * a[j]
            else:
                if shrink != 1.0:
                    for j in range(d):
                        x[j] *= shrink
                for jj in range(batch):
                    i = ids[jj]
                    c = step * coef[jj]
                    if not sparse:
                        for j in range(d):
                            x[j] -= c * dense[i, j]
                    else:
                        for kk in range(m[4][i], m[4][i + 1]):
                            x[m[3][kk]] -= c * m[2][kk]
        elif method == SGD:
            row = k - k0
            if idx.shape[0] > 0:
                sample_grad(m, idx[row], x, grad)
            else:
                value_grad(m, x, grad)
            scal[S_GRAD_EVALS] += 1
            if noise.shape[0] > 0:
                for j in range(d):
                    grad[j] += noise[row, j]
            step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
            for j in range(d):
                y[j] = x[j] - step * grad[j]
                if not np.isfinite(y[j]):
                    scal[S_FAIL_ITER] = k
                    return NONFINITE
            prox(m, y, step, x)
        elif method == PROX_GRAD_BACKTRACK:
            if np.isnan(scal[S_FX]):
                scal[S_FX] = value_grad(m, x, grad)
                scal[S_GRAD_EVALS] += 1
                scal[S_FEVALS] += 1
            fx = scal[S_FX]
            if not np.isfinite(fx):
                scal[S_FAIL_ITER] = k
                return NONFINITE
            status, fy = _backtrack(m, x, fx, grad, y, gy, scal, eta, True)
            if status != OK:
                scal[S_FAIL_ITER] = k
                return BACKTRACK_FAILED
            for j in range(d):
                x[j] = y[j]
                grad[j] = gy[j]
            scal[S_FX] = fy
        else:
            fx = value_grad(m, x, grad)
            scal[S_GRAD_EVALS] += 1
            if not np.isfinite(fx):
                scal[S_FAIL_ITER] = k
                return NONFINITE
            if method == PROX_GRAD:
                step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
            else:
                scal[S_FEVALS] += 1
                fval = fx + reg_value(m, x)
                if fval < scal[S_BEST_F]:
                    scal[S_BEST_F] = fval
                    for j in range(d):
                        xbest[j] = x[j]
                if method == SUBGRADIENT:
                    step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                else:
                    gg = 0.0
                    for j in range(d):
                        gg += grad[j] * grad[j]
                    step = (fval - scal[S_F_STAR]) / gg if gg > 0.0 else 0.0
            for j in range(d):
                y[j] = x[j] - step * grad[j]
            prox(m, y, step, x)
            scal[S_FX] = np.nan
        if use_avg:
            wk = avg_w[k + 1 - k0]  # (not ``w``: that name holds the loss weight of the model)
            if wk != 0.0:
                for j in range(d):
                    xsum[j] += wk * x[j]
                scal[S_WSUM] += wk
    return OK


def prepare(spec):
    return (bool(spec.sparse), spec.dense, spec.data, spec.indices, spec.indptr, spec.b, int(spec.n), int(spec.d),
            int(spec.loss), float(spec.loss_param), int(spec.reduce), float(spec.weight), float(spec.l2),
            float(spec.cst), int(spec.reg), float(spec.reg_scalar), spec.reg_lo, spec.reg_hi, float(spec.reg_param),
            int(spec.penalty), float(spec.pen_lam), float(spec.pen_param))


_EMPTY = np.zeros(1)


def advance(model, method, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
    use_avg = xsum is not None
    return int(_advance(model, int(method), x, xbest, xsum if use_avg else _EMPTY, grad, scal, steps,
                        avg_w if use_avg else _EMPTY, use_avg, float(eta), int(k0), int(k1), idx, noise))


def evaluate(model, x, grad, n_threads):
    return float(value_grad(model, x, grad)), float(reg_value(model, x))
