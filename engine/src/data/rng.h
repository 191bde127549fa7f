// A small deterministic random number generator for the scene generator. Its output depends
// on the seed alone (never on the C++ library), so a seed names the same scene everywhere.
#pragma once

#include <cstdint>

namespace hd::data {

// One step of splitmix64: a good 64-bit mixing function (also used to derive sub-seeds).
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Derives an independent seed for a named purpose (`stream`) from a scene seed.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  return mix64(mix64(seed) ^ (stream * 0xD6E8FEB86659FD93ull));
}

// splitmix64 as a stream generator.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n); n must be positive.
  int below(int n) {
    return static_cast<int>((static_cast<unsigned __int128>(next()) * static_cast<uint64_t>(n)) >>
                            64);
  }
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace hd::data
