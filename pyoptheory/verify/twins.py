r"""Plain NumPy optimizers written to the user-method contract (:mod:`pyoptheory.verify.user`).

Each function returns an optimizer ``fn(oracle, params)``; at its default knobs the optimizer is a correct
implementation of a theorem's method (the user guide's examples, and the correct twins of the tests), and
each knob introduces one of the mistakes of the mutation suite (:mod:`pyoptheory.verify.mutants`): a
flipped sign, a dropped momentum, a shifted index, another output, a skipped prox.  They are deliberately
independent of the library's kernels: a second implementation written from the papers' equations.
"""
from __future__ import annotations

import numpy as np


def _steps(params, T):
    """``eta_k`` for update ``k = 0 .. T-1``: the prescribed schedule, or the constant ``step``."""
    if getattr(params, "schedule", None) is not None:
        return np.asarray(params.schedule, dtype=float)
    return np.full(T, float(params.step))


def gradient_method(step_scale=1.0, sign=1.0, lag=0, prox=True, output=None):
    """(Proximal, projected, sub-) gradient method ``x_{k+1} = prox_{eta g}(x_k - eta_k g_k)``.

    ``output``: None (the prescription's ``output``, else the last iterate), ``"last"``, ``"best"`` (smallest
    ``F`` among ``x_0 .. x_k``), ``"step_weighted"`` (``sum gamma_j x_j / sum gamma_j`` over ``x_0 .. x_{k-1}``),
    ``"uniform"`` (average of ``x_0 .. x_{k-1}``).  Knobs: ``step_scale``, ``sign`` (-1: ascent), ``lag`` (1:
    yield ``x_{k-1}`` as the ``k``-th point), ``prox`` (False: skip the prox/projection).
    """
    def method(oracle, params):
        out = output or getattr(params, "output", "last")
        T = params.horizon
        eta = step_scale * _steps(params, T)
        x = oracle.x0
        best, fbest = x.copy(), oracle.value(x) if out == "best" else np.inf
        wsum, xsum = 0.0, np.zeros_like(x)
        prev = x.copy()
        for k in range(T):
            g = oracle.grad(x)
            if out in ("step_weighted", "uniform"):
                w = eta[k] if out == "step_weighted" else 1.0
                xsum, wsum = xsum + w * x, wsum + w
            y = x - sign * eta[k] * g
            prev, x = x, (oracle.prox(y, eta[k]) if prox else y)
            if out == "best":
                fx = oracle.value(x)
                if fx < fbest:
                    best, fbest = x.copy(), fx
                yield best
            elif out in ("step_weighted", "uniform"):
                yield xsum / wsum
            else:
                yield prev if lag else x
    return method


def accelerated_method(momentum=None, lambda_shift=0, momentum_scale=1.0, step_scale=1.0, prox=True):
    """Nesterov's accelerated gradient / FISTA: ``x_{k+1} = prox(y_k - step grad f(y_k))``,
    ``y_{k+1} = x_{k+1} + m_k (x_{k+1} - x_k)``, with ``m_k = (lambda_k - 1)/lambda_{k+1}`` (``lambda_1 = 1``,
    ``lambda_{k+1} = (1 + sqrt(4 lambda_k^2 + 1))/2``) or ``(k-1)/(k+2)`` (``momentum="simple"``; ``k`` from 1).
    Knobs: ``lambda_shift`` (start the sequence at ``lambda_{1 + shift}``), ``momentum_scale``, ``step_scale``,
    ``prox`` (False: skip the prox)."""
    def method(oracle, params):
        form = momentum or getattr(params, "momentum", "lambda")
        step = step_scale * params.step
        x = oracle.x0
        y, lam = x.copy(), 1.0
        for _ in range(lambda_shift):
            lam = 0.5 * (1 + np.sqrt(4 * lam * lam + 1))
        k = 0
        while True:
            k += 1
            z = y - step * oracle.grad(y)
            x_new = oracle.prox(z, step) if prox else z
            lam_next = 0.5 * (1 + np.sqrt(4 * lam * lam + 1))
            m = (lam - 1) / lam_next if form == "lambda" else (k - 1) / (k + 2)
            y = x_new + momentum_scale * m * (x_new - x)
            x, lam = x_new, lam_next
            yield x
    return method


def strongly_convex_agd(momentum_scale=1.0):
    """Nesterov's constant-momentum scheme: ``y_k = x_k + beta (x_k - x_{k-1})``,
    ``x_{k+1} = prox(y_k - step grad f(y_k))``, ``beta = params.beta`` (scaled by the knob)."""
    def method(oracle, params):
        x = oracle.x0
        x_prev = x.copy()
        while True:
            y = x + momentum_scale * params.beta * (x - x_prev)
            x_prev, x = x, oracle.prox(y - params.step * oracle.grad(y), params.step)
            yield x
    return method


def heavy_ball_method(momentum_sign=1.0, momentum_scale=1.0):
    """Polyak's heavy ball ``x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1})``, ``x_{-1} = x_0``."""
    def method(oracle, params):
        x = oracle.x0
        x_prev = x.copy()
        beta = momentum_sign * momentum_scale * params.beta
        while True:
            x_prev, x = x, x - params.alpha * oracle.grad(x) + beta * (x - x_prev)
            yield x
    return method


def stochastic_gradient_method(step_scale=1.0, output=None, average_from=None, prox=True):
    """SGD / projected / proximal SGD ``x_{k+1} = prox(x_k - eta_k g_k)``, ``g_k = oracle.stochastic_grad(x_k)``.

    ``output``: the prescription's (``last``, ``uniform``, ``step_weighted``, ``t_weighted``, ``suffix``) unless
    given; the uniform average is of ``x_s .. x_{s+k-1}`` with ``s = average_from`` (the prescription's, else 0);
    the suffix average (of the last ``ceil(k/2)`` of ``x_1 .. x_k``) is for a run of a single horizon.
    """
    def method(oracle, params):
        out = output or getattr(params, "output", "last")
        start = average_from if average_from is not None else int(getattr(params, "average_from", 0))
        T = params.horizon
        eta = step_scale * _steps(params, T)
        x = oracle.x0
        total, weight = np.zeros_like(x), 0.0
        if out == "t_weighted" or (out == "uniform" and start == 0):
            total, weight = x.copy(), 1.0  # x_0 enters first (weight j + 1 = 1 for t_weighted)
        first_suffix = T + 1 - max(1, int(np.ceil(0.5 * T)))
        for k in range(T):
            g = oracle.stochastic_grad(x)
            if out == "step_weighted":
                total, weight = total + eta[k] * x, weight + eta[k]
            y = x - eta[k] * g
            x = oracle.prox(y, eta[k]) if prox else y
            j = k + 1  # x is x_j
            if out == "uniform" and start == 0:  # the average of x_0 .. x_{j-1}, then x_j joins
                yield total / weight
                total, weight = total + x, weight + 1
                continue
            if out == "t_weighted":
                total, weight = total + (j + 1) * x, weight + (j + 1)
            elif out == "uniform" or (out == "suffix" and j >= first_suffix):
                total, weight = total + x, weight + 1
            yield x if out == "last" or weight == 0 else total / weight
    return method


def random_gradient_free(step_scale=1.0, output=None):
    """Nesterov-Spokoiny's RG_s / RS_s: ``x_{k+1} = P(x_k - h (f(x_k + s u_k) - f(x_k))/s u_k)`` with the
    Gaussian directions of the run's stream; ``output`` the last iterate or the average of ``x_0 .. x_{k-1}``."""
    def method(oracle, params):
        out = output or getattr(params, "output", "last")
        h, s = step_scale * params.step, params.smoothing
        x = oracle.x0
        total, k = np.zeros_like(x), 0
        while True:
            u = oracle.directions(1)[0]
            fx = oracle.value(x)
            g = (oracle.value(x + s * u) - fx) / s * u
            total, k = total + x, k + 1
            x = oracle.project(x - h * g)
            yield x if out == "last" else total / k
    return method


def coordinate_descent(rule="gs"):
    """Coordinate descent with step ``1/L`` (``L = max_i L_i``, ``params.constants['L_max']``): the coordinate of
    largest ``|grad_i|`` (``gs``), the next in cyclic order (``cyclic``) or a uniform draw (``random``)."""
    def method(oracle, params):
        L = params.constants["L_max"]
        x = oracle.x0
        k = 0
        while True:
            g = oracle.grad(x)
            i = (int(np.argmax(np.abs(g))) if rule == "gs" else k % x.size if rule == "cyclic"
                 else int(oracle.rng.integers(x.size)))
            x = x.copy()
            x[i] -= g[i] / L
            k += 1
            yield x
    return method


def optimistic_omd(hint=True, lookahead=False, diameter_scale=1.0, delta=1.0):
    """Optimistic OMD on a ball with the last gradient as hint and the SEA step
    ``eta_t = D / sqrt(delta + 4 G^2 + sum_{s<t} ||g_s - M_s||^2)`` (Chen et al. 2023).  Knobs: ``hint`` (False:
    plain OGD with the same step), ``lookahead`` (the step uses ``V_t``, which includes the round being played),
    ``diameter_scale`` (0.5: ``D`` taken as the radius)."""
    def method(oracle, params):
        G, D = params.constants["G"], diameter_scale * params.constants["D"]
        xhat = oracle.x0
        M = np.zeros_like(xhat)
        V = 0.0
        while True:
            eta = D / np.sqrt(delta + 4 * G * G + V)
            x = oracle.project(xhat - eta * M) if hint else xhat
            g = oracle.play(x)
            if lookahead:
                eta = D / np.sqrt(delta + 4 * G * G + V + float((g - M) @ (g - M)))
            xhat = oracle.project(xhat - eta * g)
            V += float((g - M) @ (g - M)) if hint else float(g @ g)
            M = g if hint else M
    return method


def online_gradient_descent(step_scale=1.0):
    """Projected OGD ``x_{t+1} = P(x_t - eta g_t)`` with Zinkevich's ``eta = D/(G sqrt(T))``."""
    def method(oracle, params):
        G, D, T = params.constants["G"], params.constants["D"], params.horizon
        eta = step_scale * D / (G * np.sqrt(T))
        x = oracle.x0
        while True:
            x = oracle.project(x - eta * oracle.play(x))
    return method
