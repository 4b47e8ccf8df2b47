// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
// a counter-based generator: the output block is a pure function of (counter, key), so every
// particle, step and run draws its own numbers in any order and on any thread, and the NumPy
// reference (pyoptheory/random_stream.py) replays the same stream: the same 32-bit words and uniforms, bit
// for bit, and the same normals up to rounding (about 1e-15: polynomial log/sin/cos here, libm there).
//
// Stream layout used by the particle methods (one meaning for each counter word):
//   key     = the run's 64-bit seed (low word, high word)
//   ctr[0]  = block index within a particle's draw (block j gives normals 2j and 2j + 1)
//   ctr[1]  = global particle index (run * n_particles + particle)
//   ctr[2]  = step index k
//   ctr[3]  = purpose tag (STREAM_NOISE: the particle noise, STREAM_BATCH: the batch permutation)
// A block's four 32-bit words make two 53-bit uniforms u1 = (w0:w1) >> 11, u2 = (w2:w3) >> 11
// (times 2^-53), and Box-Muller gives z = sqrt(-2 log(1 - u1)) (cos 2 pi u2, sin 2 pi u2).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "pyoptheory/simd.hpp"

namespace pyoptheory {

enum StreamTag : uint32_t { STREAM_NOISE = 0, STREAM_BATCH = 1 };

struct PhiloxKey {
  uint32_t k0, k1;
  explicit PhiloxKey(uint64_t seed) : k0(static_cast<uint32_t>(seed)), k1(static_cast<uint32_t>(seed >> 32)) {}
};

// The ten rounds of Philox4x32 on one counter; written on plain integers so loops over blocks vectorize.
PYOPTHEORY_ALWAYS_INLINE void philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                                            uint32_t k1, uint32_t out[4]) {
  constexpr uint64_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#pragma GCC unroll 10
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = M0 * c0, p1 = M1 * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += W0;
    k1 += W1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// A 32-bit integer as a double through the exponent bits (2^52 + x, minus 2^52): exact, and unlike
// an integer conversion it vectorizes without AVX-512.
PYOPTHEORY_ALWAYS_INLINE double u32_to_double(uint32_t x) {
  const uint64_t bits = 0x4330000000000000ULL | x;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v - 4503599627370496.0;
}

// ((hi : lo) >> 11) * 2^-53 = (hi 2^21 + (lo >> 11)) 2^-53, a uniform in [0, 1) with 53 random bits
// (the sum is exact).
PYOPTHEORY_ALWAYS_INLINE double uniform53(uint32_t hi, uint32_t lo) {
  return (u32_to_double(hi) * 2097152.0 + u32_to_double(lo >> 11)) * (1.0 / 9007199254740992.0);
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(PYOPTHEORY_NO_CLONES)
#define PYOPTHEORY_PHILOX_AVX2 1
// Philox4x32-10 on 4 V blocks at once, one block per 64-bit lane (values kept below 2^32, so the
// 32 x 32 -> 64-bit lane multiply is exact), V independent vectors interleaved to hide the multiply
// latency; the same arithmetic as the scalar function.
template <int V>
__attribute__((target("avx2"))) inline void philox_uniform_pairs_avx2(uint32_t k0, uint32_t k1, const uint32_t* c0s,
                                                                     const uint32_t* c1s, uint32_t c2, uint32_t c3,
                                                                     double* u1, double* u2) {
  __m256i C0[V], C1[V], C2[V], C3[V];
  for (int v = 0; v < V; ++v) {
    C0[v] = _mm256_setr_epi64x(c0s[4 * v], c0s[4 * v + 1], c0s[4 * v + 2], c0s[4 * v + 3]);
    C1[v] = _mm256_setr_epi64x(c1s[4 * v], c1s[4 * v + 1], c1s[4 * v + 2], c1s[4 * v + 3]);
    C2[v] = _mm256_set1_epi64x(c2);
    C3[v] = _mm256_set1_epi64x(c3);
  }
  const __m256i M0 = _mm256_set1_epi64x(0xD2511F53), M1 = _mm256_set1_epi64x(0xCD9E8D57);
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFFLL);
  for (int r = 0; r < 10; ++r) {
    const __m256i K0 = _mm256_set1_epi64x(k0), K1 = _mm256_set1_epi64x(k1);
    for (int v = 0; v < V; ++v) {
      const __m256i P0 = _mm256_mul_epu32(C0[v], M0), P1 = _mm256_mul_epu32(C2[v], M1);
      C0[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(P1, 32), C1[v]), K0);
      C1[v] = _mm256_and_si256(P1, low);
      C2[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(P0, 32), C3[v]), K1);
      C3[v] = _mm256_and_si256(P0, low);
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  const __m256i magic = _mm256_set1_epi64x(0x4330000000000000LL);
  const __m256d two52 = _mm256_set1_pd(4503599627370496.0), two21 = _mm256_set1_pd(2097152.0);
  const __m256d scale = _mm256_set1_pd(1.0 / 9007199254740992.0);
  for (int v = 0; v < V; ++v) {
    // a 32-bit lane value w as a double: (2^52 + w) - 2^52
    const __m256d hi0 = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(C0[v], magic)), two52);
    const __m256d lo0 = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(C1[v], 11), magic)), two52);
    const __m256d hi1 = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(C2[v], magic)), two52);
    const __m256d lo1 = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(C3[v], 11), magic)), two52);
    _mm256_storeu_pd(u1 + 4 * v, _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(hi0, two21), lo0), scale));
    _mm256_storeu_pd(u2 + 4 * v, _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(hi1, two21), lo1), scale));
  }
}

inline bool cpu_has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

// n blocks with counters (c0[i], c1[i], c2, c3): the uniforms u1[i] (words 0, 1) and u2[i] (words 2, 3).
inline void philox_uniform_pairs(const PhiloxKey& key, const uint32_t* c0, const uint32_t* c1, uint32_t c2,
                                 uint32_t c3, int64_t n, double* u1, double* u2) {
  int64_t i = 0;
#ifdef PYOPTHEORY_PHILOX_AVX2
  if (cpu_has_avx2()) {
    for (; i + 16 <= n; i += 16) philox_uniform_pairs_avx2<4>(key.k0, key.k1, c0 + i, c1 + i, c2, c3, u1 + i, u2 + i);
    for (; i + 4 <= n; i += 4) philox_uniform_pairs_avx2<1>(key.k0, key.k1, c0 + i, c1 + i, c2, c3, u1 + i, u2 + i);
  }
#endif
  for (; i < n; ++i) {
    uint32_t w[4];
    philox4x32_10(c0[i], c1[i], c2, c3, key.k0, key.k1, w);
    u1[i] = uniform53(w[0], w[1]);
    u2[i] = uniform53(w[2], w[3]);
  }
}

// Box-Muller on n uniform pairs: z[2i] = r cos(2 pi u2), z[2i + 1] = r sin(2 pi u2), r = sqrt(-2 log(1 - u1)).
PYOPTHEORY_ALWAYS_INLINE void box_muller(const double* u1, const double* u2, int64_t n, double* z) {
  for (int64_t i = 0; i < n; ++i) {
    const double r = std::sqrt(-2.0 * vlog(1.0 - u1[i]));
    double s, c;
    sincos2pi(u2[i], &s, &c);
    z[2 * i] = r * c;
    z[2 * i + 1] = r * s;
  }
}

// Scratch of the normal generator (reused across calls by one thread).
struct NormalScratch {
  std::vector<uint32_t> c0, c1;
  std::vector<double> u1, u2;
};

// The normals of ``count`` consecutive particles at ``step``: particle first + p gets z[p * zlen + 0 .. d),
// zlen = 2 ceil(d/2) (block j of a particle gives its normals 2j and 2j + 1; an odd d drops the last).
PYOPTHEORY_ALWAYS_INLINE void particles_normals(const PhiloxKey& key, uint32_t first, int64_t count, uint32_t step,
                                                uint32_t tag, int64_t d, double* z, NormalScratch& s) {
  const int64_t blocks = (d + 1) / 2, n = count * blocks;
  s.c0.resize(n);
  s.c1.resize(n);
  s.u1.resize(n);
  s.u2.resize(n);
  for (int64_t p = 0; p < count; ++p)
    for (int64_t j = 0; j < blocks; ++j) {
      s.c0[p * blocks + j] = static_cast<uint32_t>(j);
      s.c1[p * blocks + j] = first + static_cast<uint32_t>(p);
    }
  philox_uniform_pairs(key, s.c0.data(), s.c1.data(), step, tag, n, s.u1.data(), s.u2.data());
  box_muller(s.u1.data(), s.u2.data(), n, z);
}

// One uniform in [0, 1) per particle (block 0 of the particle's counter), e.g. sort keys of a permutation.
PYOPTHEORY_ALWAYS_INLINE double particle_uniform(const PhiloxKey& key, uint32_t particle, uint32_t step, uint32_t tag) {
  uint32_t w[4];
  philox4x32_10(0u, particle, step, tag, key.k0, key.k1, w);
  return uniform53(w[0], w[1]);
}

}  // namespace pyoptheory
