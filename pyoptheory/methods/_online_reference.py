r"""NumPy reference of the online round loop: learners against a built-in SEA environment, round by round.

The compiled kernel (``cpp/include/pyoptheory/online.hpp``) runs the same rounds in the same order on the
same state arrays; tests hold it to this reference.
"""
from __future__ import annotations

import numpy as np

from ..online.environments import project_ball

LEARNERS = {"ogd": 0, "oomd": 1, "oftrl": 2, "oons": 3, "ons": 4}
#: Bisection steps of the projection in the norm of A (the same in the kernel).
A_PROJECTION_STEPS = 100
STEP_RULES = {"fixed": 0, "horizon": 1, "adaptive": 2, "sea": 3, "strongly_convex": 4}
# scalar state: V = sum ||g_s - M_s||^2, cumulative f_t(x_t), cumulative F_t(x_t), sum ||y||^2, sum ||c||^2,
# last step, largest ||g_t|| so far
S_V, S_LOSS, S_FLOSS, S_YY, S_CC, S_ETA, S_GMAX, S_SIZE = range(8)


class OnlineState:
    """Arrays shared with the kernel: plays, hints, sums and accumulators of the regret."""

    def __init__(self, d, x0, seed=0):
        self.seed = seed          # the run's realization of the environment
        self.x = x0.copy()        # OGD's iterate; the last play of every learner
        self.xhat = x0.copy()     # OOMD's secondary iterate
        self.M = np.zeros(d)      # hint: the last gradient
        self.Gsum = np.zeros(d)   # OFTRL's sum of gradients
        self.A = np.zeros((d, d))  # the online Newton step's matrix eps I + sum (g - M)(g - M)^T
        self.Y = np.zeros(d)      # sum of y_t (realized targets)
        self.C = np.zeros(d)      # sum of c_t (means)
        self.scal = np.zeros(S_SIZE)


def step_size(rule, value, t, V, G, D, delta, T):
    if rule == STEP_RULES["fixed"]:  # also the online Newton step's 1/gamma
        return value
    if rule == STEP_RULES["horizon"]:  # D / (G sqrt(T)): Zinkevich's step tuned to the horizon
        return D / (G * np.sqrt(T))
    if rule == STEP_RULES["adaptive"]:  # D / (G sqrt(t))
        return D / (G * np.sqrt(t))
    if rule == STEP_RULES["strongly_convex"]:  # 1 / (mu t), mu = value
        return 1.0 / (value * t)
    return D / np.sqrt(delta + 4.0 * G * G + V)  # the SEA step of Chen et al.: V = sum_{s<t} ||g_s - M_s||^2


def project_A(y, A, R):
    """``argmin_{||x|| <= R} (x - y)^T A (x - y)``: ``y`` inside the ball, else ``x(lam) = (A + lam I)^{-1} A y``
    with ``||x(lam)|| = R`` (decreasing in ``lam``), by bisection after doubling an upper bracket."""
    if np.sqrt(y @ y) <= R:
        return y.copy()
    Ay, I = A @ y, np.eye(len(y))

    def x_of(lam):
        return np.linalg.solve(A + lam * I, Ay)

    hi = 1.0
    while np.sqrt(x_of(hi) @ x_of(hi)) > R:
        hi *= 2.0
    lo = 0.0
    for _ in range(A_PROJECTION_STEPS):
        mid = 0.5 * (lo + hi)
        xm = x_of(mid)
        if np.sqrt(xm @ xm) > R:
            lo = mid
        else:
            hi = mid
    x = x_of(hi)
    return x * min(1.0, R / np.sqrt(x @ x))


def entropic_step(p, z):
    """The negative-entropy mirror step on the simplex: ``p_i exp(-z_i) / sum_j p_j exp(-z_j)`` (the exact
    Bregman projection of the multiplicative update), computed with ``z - min z`` so nothing overflows."""
    w = p * np.exp(-(z - z.min()))
    return w / w.sum()


def project(x, R, box):
    """The Euclidean projection onto the ball of radius ``R`` or the box ``[-R, R]^d``."""
    return np.clip(x, -R, R) if box else project_ball(x, R)


def play(learner, st, eta, R, simplex=False, box=False):
    """The learner's play ``x_t`` (stored in ``st.x``): OGD's iterate, the step from ``xhat`` along the hint
    ``M`` (OOMD) or the regularized leader of ``Gsum + M`` (OFTRL); Euclidean on the ball, entropic on the simplex."""
    if learner == LEARNERS["oomd"]:
        st.x[:] = entropic_step(st.xhat, eta * st.M) if simplex else project(st.xhat - eta * st.M, R, box)
    elif learner in (LEARNERS["oons"], LEARNERS["ons"]):  # eta = 1/gamma
        st.x[:] = project_A(st.xhat - eta * np.linalg.solve(st.A, st.M), st.A, R)
    elif learner == LEARNERS["oftrl"]:
        z = eta * (st.Gsum + st.M)
        st.x[:] = entropic_step(np.ones_like(z), z) if simplex else project(-z, R, box)
    return st.x


def dual_norm2(v, simplex):
    """``||v||_*^2``: Euclidean on the ball, ``||v||_inf^2`` on the simplex."""
    return float(np.abs(v).max() ** 2) if simplex else float(v @ v)


def learn(learner, st, g, eta, R, simplex=False, box=False):
    """The update after seeing ``g_t``, and the hint bookkeeping ``V += ||g - M||_*^2``, ``M = g``."""
    s = st.scal
    s[S_ETA] = eta
    s[S_GMAX] = max(s[S_GMAX], np.sqrt(dual_norm2(g, simplex)))
    if learner == LEARNERS["ogd"]:
        st.x[:] = entropic_step(st.x, eta * g) if simplex else project(st.x - eta * g, R, box)
    elif learner == LEARNERS["oomd"]:
        st.xhat[:] = entropic_step(st.xhat, eta * g) if simplex else project(st.xhat - eta * g, R, box)
    elif learner in (LEARNERS["oons"], LEARNERS["ons"]):
        r = g - st.M
        st.A += np.outer(r, r)
        st.xhat[:] = project_A(st.xhat - eta * np.linalg.solve(st.A, g), st.A, R)
    else:
        st.Gsum += g
    s[S_V] += dual_norm2(g - st.M, simplex)
    if learner != LEARNERS["ons"]:  # plain ONS keeps no hint
        st.M[:] = g


def rounds(env, learner, rule, value, delta, T, st, t0, t1, seed):
    """Rounds ``t0 + 1 .. t1`` of a built-in SEA environment in place on ``st``; returns the first round with a
    non-finite value, or -1."""
    c_G, c_D = env.constants["G"], env.constants["D"]
    R, simplex, box = env.radius, env.domain == "simplex", env.domain == "box"
    for t in range(t0 + 1, t1 + 1):
        s = st.scal
        eta = step_size(rule, value, t, s[S_V], c_G, c_D, delta, T)
        x = play(learner, st, eta, R, simplex, box)
        c = env.mean_at(t)
        y = c + env.noise_at(t, seed)
        if env.loss == "linear":
            g = y
            s[S_LOSS] += y @ x
            s[S_FLOSS] += c @ x
        else:
            g = x - y
            s[S_LOSS] += 0.5 * (g @ g)
            s[S_FLOSS] += 0.5 * ((x - c) @ (x - c))
            s[S_YY] += y @ y
            s[S_CC] += c @ c
        st.Y += y
        st.C += c
        if not (np.isfinite(s[S_LOSS]) and np.all(np.isfinite(g))):
            return t
        learn(learner, st, g, eta, R, simplex, box)
    return -1


def generic_rounds(env, learner, rule, value, delta, T, st, t0, t1, seed):
    """Rounds of any environment through its ``loss_at`` and ``grad_at`` (the Python path)."""
    c_G, c_D = env.constants["G"], env.constants["D"]
    R = env.radius
    for t in range(t0 + 1, t1 + 1):
        eta = step_size(rule, value, t, st.scal[S_V], c_G, c_D, delta, T)
        x = play(learner, st, eta, R)
        loss = env.loss_at(t, x, seed)
        g = np.asarray(env.grad_at(t, x, seed), dtype=float)
        st.scal[S_LOSS] += loss
        if not (np.isfinite(loss) and g.shape == x.shape and np.all(np.isfinite(g))):
            return t
        learn(learner, st, g, eta, R)
    return -1


def regrets(env, st, t, u=None):
    """``(regret, pseudo_regret)`` after ``t`` rounds: against the best fixed point in hindsight of the realized
    losses, and of the expected ones (``min_u sum F_s(u)`` in closed form on the ball); against the fixed
    comparator ``u`` when given."""
    s, R = st.scal, env.radius
    if t == 0:
        return 0.0, 0.0
    if not hasattr(env, "mean_at"):  # a general environment: its own comparators (no expected losses known)
        best = env.total_loss(t, u, st.seed) if u is not None else env.best_in_hindsight(t, st.seed)
        return s[S_LOSS] - best, np.nan
    if env.domain == "simplex":  # linear losses: the best fixed point is the best vertex (expert)
        if u is not None:
            return s[S_LOSS] - st.Y @ u, s[S_FLOSS] - st.C @ u
        return s[S_LOSS] - st.Y.min(), s[S_FLOSS] - st.C.min()
    if u is not None:  # sum_s f_s(u) from the same accumulators
        if env.loss == "linear":
            return s[S_LOSS] - st.Y @ u, s[S_FLOSS] - st.C @ u
        return (s[S_LOSS] - (0.5 * t * (u @ u) - u @ st.Y + 0.5 * s[S_YY]),
                s[S_FLOSS] - (0.5 * t * (u @ u) - u @ st.C + 0.5 * s[S_CC]))
    box = env.domain == "box"
    if env.loss == "linear":  # min <S, u>: -R ||S||_2 on the ball, -R ||S||_1 on the box
        norm = (lambda v: np.abs(v).sum()) if box else (lambda v: np.sqrt(v @ v))
        return s[S_LOSS] + R * norm(st.Y), s[S_FLOSS] + R * norm(st.C)

    def best(S, SS):  # min_u sum (1/2)||u - y_s||^2 = (t/2)||u||^2 - <u, S> + SS/2 at u = P(S / t)
        u = project(S / t, R, box)
        return 0.5 * t * (u @ u) - u @ S + 0.5 * SS

    return s[S_LOSS] - best(st.Y, s[S_YY]), s[S_FLOSS] - best(st.C, s[S_CC])
