r"""The counter-based random stream of the particle methods, in NumPy.

Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
SC 2011) maps a 128-bit counter and a 64-bit key to 128 random bits.  The compiled kernels
(``cpp/include/pyoptheory/philox.hpp``) draw from the same function, so the NumPy reference of a
particle method replays their stream (the same words and uniforms bit for bit, the normals up to about
1e-15: libm's log, sin and cos against the kernel's polynomials), whatever the thread count or order of draws.

Counter words: ``(block, particle, step, tag)``, the key is the run's seed.  Block ``j`` of a
particle gives the normals ``2j`` and ``2j + 1`` by Box-Muller on two 53-bit uniforms,
``u1 = (w0 w1) >> 11``, ``u2 = (w2 w3) >> 11`` (times ``2^-53``):
``z = sqrt(-2 log(1 - u1)) (cos 2 pi u2, sin 2 pi u2)``.
"""
from __future__ import annotations

import numpy as np

#: Purpose tags of the fourth counter word.
STREAM_NOISE, STREAM_BATCH = 0, 1

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


def philox4x32(counters, seed):
    """Philox4x32-10 of each row of ``counters`` (shape (n, 4), 32-bit words) under the 64-bit ``seed``."""
    c = np.asarray(counters, dtype=np.uint64).reshape(-1, 4)
    c0, c1, c2, c3 = (c[:, i].copy() for i in range(4))
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    k0, k1 = seed & 0xFFFFFFFF, seed >> 32
    for _ in range(10):
        p0, p1 = _M0 * c0, _M1 * c2
        c0, c1, c2, c3 = ((p1 >> _32) ^ c1 ^ np.uint64(k0), p1 & _LOW, (p0 >> _32) ^ c3 ^ np.uint64(k1), p0 & _LOW)
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


def _counters(blocks, particles, step, tag):
    particles = np.asarray(particles, dtype=np.uint64)
    j = np.arange(blocks, dtype=np.uint64)
    ctr = np.empty((particles.size, blocks, 4), dtype=np.uint64)
    ctr[..., 0] = j[None, :]
    ctr[..., 1] = particles[:, None]
    ctr[..., 2] = np.uint64(step)
    ctr[..., 3] = np.uint64(tag)
    return ctr.reshape(-1, 4)


def _uniform53(hi, lo):
    bits = ((hi.astype(np.uint64) << _32) | lo.astype(np.uint64)) >> np.uint64(11)
    return bits.astype(np.float64) * 2.0**-53


def particle_normals(seed, particles, step, tag, d):
    """Standard normals of shape ``(len(particles), d)``: particle ``p``'s ``d`` normals at ``step``."""
    particles = np.atleast_1d(np.asarray(particles, dtype=np.int64))
    blocks = (d + 1) // 2
    w = philox4x32(_counters(blocks, particles, step, tag), seed)
    u1, u2 = _uniform53(w[:, 0], w[:, 1]), _uniform53(w[:, 2], w[:, 3])
    r = np.sqrt(-2.0 * np.log1p(-u1))
    z = np.empty((w.shape[0], 2))
    z[:, 0] = r * np.cos(2.0 * np.pi * u2)
    z[:, 1] = r * np.sin(2.0 * np.pi * u2)
    return z.reshape(particles.size, 2 * blocks)[:, :d]


def particle_uniforms(seed, particles, step, tag):
    """One uniform in [0, 1) per particle (block 0 of its counter)."""
    particles = np.atleast_1d(np.asarray(particles, dtype=np.int64))
    w = philox4x32(_counters(1, particles, step, tag), seed)
    return _uniform53(w[:, 0], w[:, 1])
