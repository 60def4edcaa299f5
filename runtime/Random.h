//===- Random.h - Deterministic random numbers for test inputs ---*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// std::normal_distribution is implementation defined, so the same seed would
// give different inputs with another standard library (the GPU machine builds
// the runtime with a different g++). This generator is fully specified:
// xoshiro256** seeded through splitmix64, Box-Muller for normals.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_RANDOM_H
#define FLASHRNN_RUNTIME_RANDOM_H

#include <cmath>
#include <cstdint>

namespace flashrnn {

class Random {
public:
  explicit Random(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t &s : state) {
      // splitmix64
      x += 0x9e3779b97f4a7c15ull;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      s = z ^ (z >> 31);
    }
  }

  uint64_t next() {
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Standard normal (Box-Muller; the second value is discarded for
  /// simplicity of the state).
  double normal() {
    double u1 = 1.0 - uniform(); // (0, 1]: log is finite
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  uint64_t below(uint64_t n) { return next() % n; }

private:
  uint64_t state[4];
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

/// The generator of chunk `chunk` of stream `stream` under `seed`: inputs are
/// drawn in chunks of kRandomChunk values, each from its own generator, so
/// that they can be drawn in parallel and still depend on the seed only
/// (never on the number of threads).
inline Random chunkRandom(uint64_t seed, uint64_t stream, uint64_t chunk) {
  return Random(seed ^ (0x9e3779b97f4a7c15ull * (stream + 1)) ^
                (0xd1b54a32d192ed03ull * (chunk + 1)));
}
constexpr int64_t kRandomChunk = int64_t(1) << 16;

} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_RANDOM_H
