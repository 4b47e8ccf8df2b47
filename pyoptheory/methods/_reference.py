"""The NumPy reference kernel of the first-order loops, and backend selection.

The reference implements every update exactly as written in the papers, through
the problem's Python oracles, with the same interface and scalar-state layout as
the compiled kernels (``cpp/include/pyoptheory/first_order.hpp``,
``pyoptheory/kernels/numba_first_order.py``); the tests hold those to it.
"""
from __future__ import annotations

import numpy as np

from .._validation import choose
from ..kernels import get as get_kernel
from ..kernels import layout as K

BACKENDS = ("numpy", "numba", "cpp")


def fg_alpha(theta, tau, gamma):
    """FG_s's ``alpha_k > 0`` solving ``alpha^2/theta = (1 - alpha) gamma_k + alpha tau``, and that value,
    ``gamma_{k+1}`` (Nesterov & Spokoiny 2017, method (60))."""
    bq = theta * (gamma - tau)
    alpha = 0.5 * (-bq + np.sqrt(bq * bq + 4.0 * theta * gamma))
    return alpha, (1.0 - alpha) * gamma + alpha * tau


class Reference:
    """The NumPy reference kernel: the updates exactly as written in the papers.

    Same interface as the compiled kernels (``prepare``/``advance``/``evaluate``),
    same scalar-state layout (pyoptheory/kernels/layout.py), so the driver and
    the tests treat all backends alike.
    """

    name = "numpy"

    @staticmethod
    def prepare(problem):
        return problem

    @staticmethod
    def evaluate(problem, x, grad, n_threads):
        if problem.kind == "black_box":  # values only: the trace's gradient norm is not available
            grad[:] = np.nan
            return problem.f(x), 0.0
        grad[:] = problem.grad(x)
        return problem.f(x), problem.g(x)

    @staticmethod
    def _values(problem, X):
        """``f`` at the rows of ``X``: one call for a black box (batched objectives get the whole array), else
        one ``problem.f`` per row (the arithmetic the compiled kernels reproduce)."""
        if problem.kind == "black_box":
            return problem.f_batch(X)
        return np.array([problem.f(row) for row in X])

    @staticmethod
    def advance(problem, method, x, xbest, xsum, grad, scal, steps, avg_w, eta, k0, k1, n_threads, idx, noise):
        if not K.PROX_GRAD <= method <= K.ZO_ACCEL:
            raise ValueError(f"method: unknown method code {method}")
        for k in range(k0, k1):
            if method == K.NONCONVEX_AG:
                # Ghadimi & Lan (2016): alpha_k = 2/(k+1) (1-based); x_md = (1 - alpha) x_ag + alpha x;
                # x <- prox_{beta h}(x - beta grad f(x_md)); x_ag <- prox_{beta h}(x_md - beta grad f(x_md))
                alpha = 2.0 / (k + 2)
                beta = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                x_md = (1 - alpha) * x + alpha * xbest
                g = problem.grad(x_md)
                scal[K.S_GRAD_EVALS] += 1
                if not np.isfinite(problem.f(x_md)):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                xbest[:] = problem.prox(xbest - beta * g, beta)
                x[:] = problem.prox(x_md - beta * g, beta)
                gm = float(np.sum(((x_md - x) / beta) ** 2))  # squared gradient mapping at x_md
                scal[K.S_BEST_F] = min(scal[K.S_BEST_F], gm)
                continue
            if method == K.SHB:
                status = Reference._stochastic_heavy_ball_step(problem, k, k0, x, xbest, scal, steps, idx, noise)
                if status != K.OK:
                    return status
                continue
            if method == K.ZO_GAUSS:
                # RG/RS (q = 1) and RGE (q > 1): g = (1/q) sum_j (f(x + s u_j) - f(x))/s u_j, u_j the noise rows
                # (k - k0) q .. (k - k0) q + q - 1, s = eta
                q = noise.shape[0] // max(k1 - k0, 1)
                U = noise[(k - k0) * q:(k - k0 + 1) * q]
                vals = Reference._values(problem, np.vstack([x, x + eta * U]))
                f0, fu = vals[0], vals[1:]
                scal[K.S_FEVALS] += q + 1
                if not (np.isfinite(f0) and np.all(np.isfinite(fu))):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                x[:] = problem.prox(x - step * ((((fu - f0) / eta) / q) @ U), step)
                scal[K.S_FX] = np.nan
                Reference._accumulate(x, xsum, avg_w, scal, k + 1 - k0)
                continue
            if method == K.ZO_ACCEL:
                # FG_s: theta = S_BETA, tau = S_MU, gamma_k = S_LAMBDA, v_k kept in xbest (see first_order.hpp)
                theta, tau, gamma, v = scal[K.S_BETA], scal[K.S_MU], scal[K.S_LAMBDA], xbest
                alpha, gamma_next = fg_alpha(theta, tau, gamma)
                lam, beta = alpha * tau / gamma_next, alpha * gamma / (gamma + alpha * tau)
                u = noise[k - k0]
                y = (1.0 - beta) * x + beta * v
                f0, f1 = Reference._values(problem, np.vstack([y, y + eta * u]))
                scal[K.S_FEVALS] += 2
                if not (np.isfinite(f0) and np.isfinite(f1)):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                c = (f1 - f0) / eta
                h = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                v[:] = (1.0 - lam) * v + lam * y - (theta / alpha) * c * u
                x[:] = y - h * c * u
                scal[K.S_LAMBDA] = gamma_next
                scal[K.S_FX] = np.nan
                continue
            if method == K.ZO_CGE:
                # CGE: g_i = (f(x + s e_i) - f(x))/s; the true gradient is computed for the measurement only (a
                # black box has none)
                if problem.kind != "black_box":
                    gt = problem.grad(x)
                    scal[K.S_BEST_F] = min(scal[K.S_BEST_F], float(gt @ gt))
                pts = np.repeat(x[None, :], x.size + 1, axis=0)
                pts[np.arange(1, x.size + 1), np.arange(x.size)] += eta
                vals = Reference._values(problem, pts)
                f0, g = vals[0], (vals[1:] - vals[0]) / eta
                scal[K.S_FEVALS] += x.size + 1
                if not (np.isfinite(f0) and np.all(np.isfinite(g))):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                x[:] = problem.prox(x - step * g, step)
                scal[K.S_FX] = np.nan
                Reference._accumulate(x, xsum, avg_w, scal, k + 1 - k0)
                continue
            if K.AGD <= method <= K.HEAVY_BALL:
                alpha = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                status = Reference._momentum_step(problem, method, k, x, xbest, grad, scal, alpha, eta)
                if status != K.OK:
                    return status
                continue
            if method == K.SGD:
                # x_{k+1} = prox_{eta_k g}(x_k - eta_k g_k), g_k = minibatch gradient (or full
                # (sub)gradient) + additive noise, the randomness drawn by the driver for this chunk.
                row = k - k0
                g = problem.sample_grad(idx[row], x) if idx.shape[0] else problem.grad(x)
                if noise.shape[0]:
                    g = g + noise[row]
                scal[K.S_GRAD_EVALS] += 1
                step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                y = x - step * g
                if not np.all(np.isfinite(y)):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                x[:] = problem.prox(y, step)
            elif method == K.PROX_GRAD_BACKTRACK:
                status = Reference._backtracking_step(problem, x, grad, scal, eta)
                if status != K.OK:
                    scal[K.S_FAIL_ITER] = k
                    return status
            else:
                g = problem.grad(x)
                fx = problem.f(x)
                scal[K.S_GRAD_EVALS] += 1
                if not np.isfinite(fx) or not np.all(np.isfinite(g)):
                    scal[K.S_FAIL_ITER] = k
                    return K.NONFINITE
                if method == K.PROX_GRAD:
                    step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                else:
                    scal[K.S_FEVALS] += 1
                    F = fx + problem.g(x)
                    if F < scal[K.S_BEST_F]:  # best iterate so far
                        scal[K.S_BEST_F] = F
                        xbest[:] = x
                    if method == K.SUBGRADIENT:
                        step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
                    else:  # Polyak's step (F(x_k) - F*) / ||g_k||^2
                        gg = float(g @ g)
                        step = (F - scal[K.S_F_STAR]) / gg if gg > 0 else 0.0
                # x_{k+1} = prox_{step g}(x_k - step * g_k)   (projection when g is an indicator)
                x[:] = problem.prox(x - step * g, step)
                scal[K.S_FX] = np.nan
            Reference._accumulate(x, xsum, avg_w, scal, k + 1 - k0)
        return K.OK

    @staticmethod
    def _accumulate(x, xsum, avg_w, scal, j):
        """Add the iterate now in ``x`` to the weighted sum of an averaged output; ``avg_w`` is the chunk's
        window of weights (entry ``j`` is the weight of iterate ``k0 + j``)."""
        if xsum is not None and avg_w[j] != 0.0:
            xsum += avg_w[j] * x
            scal[K.S_WSUM] += avg_w[j]

    @staticmethod
    def _stochastic_gradient(problem, row, point, idx, noise):
        g = problem.sample_grad(idx[row], point) if idx.shape[0] else problem.grad(point)
        return g + noise[row] if noise.shape[0] else g

    @staticmethod
    def _stochastic_heavy_ball_step(problem, k, k0, x, x_prev, scal, steps, idx, noise):
        """Stochastic heavy ball (Pan et al. 2024): ``x_{k+1} = x_k - eta_k g(x_k) + beta_k (x_k - x_{k-1})``,
        ``beta_k = (1 - sqrt(mu eta_k))^2`` when ``mu`` is given, else a constant ``beta``."""
        step = steps[0] if steps.shape[0] == 1 else steps[k - k0]
        mom = (1.0 - np.sqrt(scal[K.S_MU] * step)) ** 2 if scal[K.S_MU] > 0.0 else scal[K.S_BETA]
        g = Reference._stochastic_gradient(problem, k - k0, x, idx, noise)
        x_new = x - step * g + mom * (x - x_prev)
        scal[K.S_GRAD_EVALS] += 1
        if not np.all(np.isfinite(x_new)):
            scal[K.S_FAIL_ITER] = k
            return K.NONFINITE
        x_prev[:] = x
        x[:] = x_new
        return K.OK

    @staticmethod
    def _momentum_step(problem, method, k, x, x_prev, grad, scal, alpha, eta):
        """Nesterov / FISTA (lambda sequence, (k-1)/(k+2), or constant momentum) and heavy ball.

        AGD family: ``y = x_k + m_k (x_k - x_{k-1})``, ``x_{k+1} = prox_{g/L_k}(y - grad f(y)/L_k)``,
        ``lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1))/2``, ``m_k = (lambda_k - 1)/lambda_{k+1}``;
        heavy ball: ``x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1})``.
        """
        lam_next = scal[K.S_LAMBDA]
        if method == K.AGD and k > 0:
            lam = scal[K.S_LAMBDA]
            lam_next = 0.5 * (1.0 + np.sqrt(4.0 * lam * lam + 1.0))
            mom = (lam - 1.0) / lam_next
        elif method == K.AGD_SIMPLE and k > 0:
            mom = (k - 1) / (k + 2)
        elif method in (K.AGD_SC, K.HEAVY_BALL):
            mom = scal[K.S_BETA]
        else:
            mom = 0.0
        if method == K.HEAVY_BALL:
            g = problem.grad(x)
            fx = problem.f(x)
            scal[K.S_GRAD_EVALS] += 1
            if not np.isfinite(fx):
                scal[K.S_FAIL_ITER] = k
                return K.NONFINITE
            x_new = x - alpha * g + mom * (x - x_prev)
            x_prev[:] = x
            x[:] = x_new
            return K.OK
        y = x + mom * (x - x_prev)
        g = problem.grad(y)
        fy = problem.f(y)
        grad[:] = g
        scal[K.S_GRAD_EVALS] += 1
        if not np.isfinite(fy):
            scal[K.S_FAIL_ITER] = k
            return K.NONFINITE
        if scal[K.S_BACKTRACK] == 0.0:
            x_new = problem.prox(y - g / scal[K.S_LK], 1.0 / scal[K.S_LK])
        else:
            status, x_new, _, _ = Reference._backtrack(problem, y, fy, g, scal, eta, count_grad=False)
            if status != K.OK:
                scal[K.S_FAIL_ITER] = k
                return status
        restart = False
        if scal[K.S_RESTART] == 1.0:  # function-value restart: F went up
            Fn = problem.objective(x_new)
            scal[K.S_FEVALS] += 1
            restart = Fn > scal[K.S_FPREV]
            scal[K.S_FPREV] = Fn
        elif scal[K.S_RESTART] == 2.0:  # gradient restart: the momentum points uphill
            restart = (y - x_new) @ (x_new - x) > 0.0
        x_prev[:] = x
        x[:] = x_new
        if method == K.AGD and k > 0:
            scal[K.S_LAMBDA] = lam_next
        if restart:
            scal[K.S_RESTARTS] += 1
            scal[K.S_LAMBDA] = 1.0
            x_prev[:] = x
        return K.OK

    @staticmethod
    def _backtracking_step(problem, x, grad, scal, eta):
        """Beck & Teboulle (2009), backtracking: increase L_k until
        F-model ``f(y) <= f(x) + <grad f(x), y - x> + L_k/2 ||y - x||^2`` holds for
        ``y = prox_{g/L_k}(x - grad f(x)/L_k)``; ``L_k`` never decreases."""
        if np.isnan(scal[K.S_FX]):
            scal[K.S_FX] = problem.f(x)
            grad[:] = problem.grad(x)
            scal[K.S_GRAD_EVALS] += 1
            scal[K.S_FEVALS] += 1
        fx = scal[K.S_FX]
        if not np.isfinite(fx):
            return K.NONFINITE
        status, y, fy, gy = Reference._backtrack(problem, x, fx, grad, scal, eta, count_grad=True)
        if status == K.OK:
            x[:] = y
            grad[:] = gy
            scal[K.S_FX] = fy
        return status

    @staticmethod
    def _backtrack(problem, base, fbase, gbase, scal, eta, count_grad):
        """Beck & Teboulle (2009): multiply L_k by ``eta`` until
        ``f(y) <= f(base) + <g, y - base> + (L_k/2)||y - base||^2`` for ``y = prox_{g/L_k}(base - g/L_k)``.
        Returns (status, y, f(y), grad f(y)); a trial always counts as an f-evaluation."""
        for _ in range(2002):
            Lk = scal[K.S_LK]
            y = problem.prox(base - gbase / Lk, 1.0 / Lk)
            fy, gy = problem.f(y), problem.grad(y)
            scal[K.S_FEVALS] += 1
            if count_grad:
                scal[K.S_GRAD_EVALS] += 1
            diff = y - base
            if fy <= fbase + gbase @ diff + 0.5 * Lk * (diff @ diff) + 1e-14 * abs(fbase):
                return K.OK, y, fy, gy
            scal[K.S_LK] = Lk * eta
            if not np.isfinite(scal[K.S_LK]):
                break
        return K.BACKTRACK_FAILED, base, fbase, gbase


def select_kernel(problem, backend, available=BACKENDS):
    """The kernel for ``backend`` (default: ``cpp`` for built-in problems, ``numpy`` otherwise) among the backends
    ``available`` to the calling method (its registered ones)."""
    if backend is None:
        backend = "cpp" if problem.spec is not None else "numpy"
    choose(backend, "backend", available)
    if backend != "numpy" and problem.spec is None:
        raise ValueError(f"backend: {backend!r} runs built-in problems only; {problem.name!r} is a Python problem, "
                         "use backend='numpy'")
    return (Reference if backend == "numpy" else get_kernel(backend)), backend
