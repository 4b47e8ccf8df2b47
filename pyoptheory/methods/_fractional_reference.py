r"""NumPy reference of coordinate descent for fractional programs (cpp: ``fractional.hpp``).

Every step solves the one-dimensional problem ``min_t F(x + t e_i) + (theta/2) t^2`` globally.  Along
``e_i`` the numerator and denominator are quadratics in ``t`` (plus ``lam |x_i + t|``), so on each piece
where ``x_i + t`` keeps its sign

    h(t) = (n2 t^2 + n1 t + n0) / (d2 t^2 + d1 t + d0) + (theta/2) t^2,

and ``h'(t) D(t)^2 = P0(t) + theta t D(t)^2`` with the quadratic
``P0 = (n2 d1 - n1 d2) t^2 + 2 (n2 d0 - n0 d2) t + (n1 d0 - n0 d1)`` (the cubic terms cancel): a polynomial
of degree at most 5 whose real roots are isolated by the roots of its derivatives and refined by
bisection.  The candidates (the current point first, the bounds, the kink ``x_i + t = 0`` and the
stationary points) are compared by value; the step moves only to a strictly smaller value.  With
``theta = 0`` an unbounded piece can have its infimum at infinity: the step then fails with status 2.
The state kept between steps: ``u = A x``, ``v = B x`` and the scalars ``[N_smooth, lam ||x||_1, D]``.
"""
from __future__ import annotations

import math

S_NSMOOTH, S_L1, S_DEN = 0, 1, 2
BISECTIONS = 200


def horner(c, t):
    v = c[0]
    for ck in c[1:]:
        v = v * t + ck
    return v


def poly_roots(c, p, q):
    """Real roots of the polynomial ``c`` (highest degree first) in ``[p, q]`` (finite), ascending."""
    k = 0
    while k < len(c) and c[k] == 0.0:
        k += 1
    c = c[k:]
    deg = len(c) - 1
    out = []
    if deg <= 0:
        return out
    if deg == 1:
        r = -c[1] / c[0]
        return [r] if p <= r <= q else out
    if deg == 2:
        a, b, cc = c
        disc = b * b - 4.0 * a * cc
        if disc < 0.0:
            return out
        qq = -0.5 * (b + math.copysign(math.sqrt(disc), b))
        rs = [qq / a] + ([cc / qq] if qq != 0.0 else [])
        return sorted(r for r in rs if p <= r <= q)
    dc = [c[j] * (deg - j) for j in range(deg)]
    pts = [p] + [r for r in poly_roots(dc, p, q) if p < r < q] + [q]
    for j in range(len(pts) - 1):
        u, w = pts[j], pts[j + 1]
        fu, fw = horner(c, u), horner(c, w)
        if fu == 0.0:
            out.append(u)
            continue
        if (fu < 0.0) == (fw < 0.0) or fw == 0.0:
            continue
        for _ in range(BISECTIONS):
            m = 0.5 * (u + w)
            if m <= u or m >= w:
                break
            fm = horner(c, m)
            if fm == 0.0:
                u = w = m
                break
            if (fm < 0.0) == (fu < 0.0):
                u, fu = m, fm
            else:
                w = m
        out.append(0.5 * (u + w))
    if horner(c, q) == 0.0:
        out.append(q)
    return out


def cauchy_bound(c):
    k = 0
    while c[k] == 0.0:
        k += 1
    return 1.0 + max(abs(ck / c[k]) for ck in c[k + 1:]) if len(c) > k + 1 else 1.0


def line_value(z, xi, gN, Aii, N0, lam, gD, Bii, D0, theta):
    """``F(x + t e_i) + theta/2 t^2`` at ``x_i + t = z`` from the kept scalars."""
    t = z - xi
    num = N0 + t * gN + 0.5 * Aii * t * t + lam * (abs(z) - abs(xi))
    den = D0 + t * gD + 0.5 * Bii * t * t
    return num / den + 0.5 * theta * t * t


def _limit(n2, n1, n0, d2, d1, d0, direction):
    """``lim N/D`` as ``t -> direction * inf`` on a piece (theta = 0)."""
    if d2 > 0.0:
        return n2 / d2
    if d2 < 0.0:
        return math.inf  # a concave denominator lives on a bounded box
    if n2 > 0.0:
        return math.inf
    if d1 != 0.0:
        return n1 / d1 if n2 == 0.0 else math.inf
    if n1 * direction < 0.0:
        return -math.inf
    if n1 * direction > 0.0:
        return math.inf
    return n0 / d0


def line_min(xi, lo, hi, gN, Aii, N0, lam, gD, Bii, D0, theta):
    """The global minimiser ``z = x_i + t`` of the one-dimensional problem and its value;
    ``(z, value, status)`` with status 2 when an unbounded piece's infimum (at infinity) beats every
    finite candidate."""
    best_z, best = xi, line_value(xi, xi, gN, Aii, N0, lam, gD, Bii, D0, theta)
    split = lam > 0.0 and lo < 0.0 < hi  # the kink x_i + t = 0 inside the box
    cands = [z for z in ((lo, 0.0, hi) if split else (lo, hi)) if math.isfinite(z)]
    edges = (lo, 0.0, hi) if split else (lo, hi)  # pieces in z = x_i + t, sign of z fixed on each
    limits = []
    for j in range(len(edges) - 1):
        p, q = edges[j] - xi, edges[j + 1] - xi
        s = 0.0 if lam == 0.0 else (-1.0 if edges[j + 1] <= 0.0 else 1.0)
        n2, n1, n0 = 0.5 * Aii, gN + lam * s, N0 - lam * abs(xi) + lam * s * xi
        d2, d1, d0 = 0.5 * Bii, gD, D0
        c2, c1, c0 = n2 * d1 - n1 * d2, 2.0 * (n2 * d0 - n0 * d2), n1 * d0 - n0 * d1
        poly = [theta * d2 * d2, 2.0 * theta * d2 * d1, theta * (d1 * d1 + 2.0 * d2 * d0),
                2.0 * theta * d1 * d0 + c2, theta * d0 * d0 + c1, c0]
        if all(ck == 0.0 for ck in poly):
            continue
        R = cauchy_bound(poly)
        pp, qq = (p if math.isfinite(p) else -R), (q if math.isfinite(q) else R)
        if pp < qq:
            for t in poly_roots(poly, pp, qq):
                cands.append(min(max(xi + t, lo), hi))
        if theta == 0.0:
            if not math.isfinite(p):
                limits.append(_limit(n2, n1, n0, d2, d1, d0, -1.0))
            if not math.isfinite(q):
                limits.append(_limit(n2, n1, n0, d2, d1, d0, 1.0))
    for z in cands:
        val = line_value(z, xi, gN, Aii, N0, lam, gD, Bii, D0, theta)
        if val < best:
            best_z, best = z, val
    for lim in limits:
        if lim < best - 1e-12 * max(1.0, abs(best)):
            return best_z, lim, 2
    return best_z, best, 0


def advance(A, a, B, b, lo, hi, lam, theta, x, u, v, scal, order, selected):
    """Steps over the coordinates ``order``; returns ``(status, k_fail)`` (status 0, 1 non-finite, 2
    unbounded subproblem; ``k_fail`` the offset of the failed step or -1)."""
    for k, i in enumerate(order):
        i = int(i)
        selected[k] = i
        xi = x[i]
        gN, gD = u[i] + a[i], v[i] + b[i]
        N0 = scal[S_NSMOOTH] + scal[S_L1]
        z, _, status = line_min(xi, lo[i], hi[i], gN, A[i, i], N0, lam, gD, B[i, i], scal[S_DEN], theta)
        if status:
            return status, k
        if not math.isfinite(z):
            return 1, k
        if z == xi:
            continue
        t = z - xi
        scal[S_NSMOOTH] += t * gN + 0.5 * A[i, i] * t * t
        scal[S_DEN] += t * gD + 0.5 * B[i, i] * t * t
        scal[S_L1] += lam * (abs(z) - abs(xi))
        u += t * A[i]
        v += t * B[i]
        x[i] = z
    return 0, -1


def coordinate_decrease(A, a, B, b, lo, hi, lam, theta, x, u, v, scal):
    """``max_i [F(x) - min_t (F(x + t e_i) + theta/2 t^2)]``: zero exactly at coordinate-wise
    stationary points (``inf`` when a subproblem is unbounded)."""
    N0, D0 = scal[S_NSMOOTH] + scal[S_L1], scal[S_DEN]
    F = N0 / D0
    worst = 0.0
    for i in range(x.shape[0]):
        _, val, status = line_min(x[i], lo[i], hi[i], u[i] + a[i], A[i, i], N0, lam, v[i] + b[i], B[i, i], D0, theta)
        worst = max(worst, F - val)
    return worst
