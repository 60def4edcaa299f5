//===- RuntimeTestUtil.h - Helpers shared by the runtime tests ---*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_TEST_RUNTIME_RUNTIMETESTUTIL_H
#define FLASHRNN_TEST_RUNTIME_RUNTIMETESTUTIL_H

#include "flashrnn/runtime.h"
#include "runtime/Random.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace flashrnn {
namespace test {

inline std::vector<double> normals(Random &rng, int64_t n, double scale) {
  std::vector<double> v(static_cast<size_t>(n));
  for (double &x : v)
    x = scale * rng.normal();
  return v;
}

inline std::vector<double> uniforms(Random &rng, int64_t n, double lo,
                                    double hi) {
  std::vector<double> v(static_cast<size_t>(n));
  for (double &x : v)
    x = rng.uniform(lo, hi);
  return v;
}

/// Loads a package through the C ABI or exits with the library's message.
inline FlashRnnPackage *loadOrDie(const char *tool, const char *dir) {
  FlashRnnPackage *pkg = flashrnn_package_load(dir);
  if (!pkg) {
    std::fprintf(stderr, "%s: %s\n", tool, flashrnn_last_error());
    std::exit(1);
  }
  return pkg;
}

} // namespace test
} // namespace flashrnn

#endif // FLASHRNN_TEST_RUNTIME_RUNTIMETESTUTIL_H
