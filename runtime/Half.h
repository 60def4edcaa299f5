//===- Half.h - bf16 / f16 <-> float conversions -----------------*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Bit-exact conversions between the 16-bit storage types of the package dtypes
// and float. Narrowing rounds to nearest, ties to even (what the GPU's cvt.rn
// does), so inputs rounded here are the inputs the kernels see.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_HALF_H
#define FLASHRNN_RUNTIME_HALF_H

#include <cstdint>
#include <cstring>

namespace flashrnn {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

/// bf16 is the top half of an IEEE float, so widening is a shift.
inline float bf16ToFloat(uint16_t h) { return bitsToFloat(uint32_t(h) << 16); }

/// Round-to-nearest-even on the 16 dropped bits. NaN stays NaN (quiet bit set
/// so that the rounding increment cannot turn it into an infinity).
inline uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return uint16_t((u >> 16) | 0x0040u);
  uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb;
  return uint16_t(u >> 16);
}

/// IEEE binary16 -> float, subnormals included (exact: every f16 is a float).
inline float f16ToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) // inf / nan
    return bitsToFloat(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0)
      return bitsToFloat(sign);
    // Subnormal: value = mant * 2^-24, exact in float.
    float v = float(mant) * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  return bitsToFloat(sign | ((exp + 112u) << 23) | (mant << 13));
}

/// float -> IEEE binary16, round to nearest even, overflow to infinity,
/// gradual underflow to subnormals.
inline uint16_t floatToF16(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000u);
  uint32_t absBits = u & 0x7fffffffu;
  if (absBits > 0x7f800000u) // nan: keep it quiet
    return uint16_t(sign | 0x7e00u | ((absBits >> 13) & 0x3ffu));
  if (absBits >= 0x477ff000u) // >= 65520 rounds to inf (65504 is the max)
    return uint16_t(sign | 0x7c00u);
  int32_t exp = int32_t(absBits >> 23) - 127;
  if (exp >= -14) {
    // Normal range: drop 13 mantissa bits with RNE. A carry out of the
    // mantissa correctly bumps the exponent.
    uint32_t h = (uint32_t(exp + 15) << 10) | ((absBits >> 13) & 0x3ffu);
    uint32_t rest = absBits & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
      ++h;
    return uint16_t(sign | h);
  }
  if (exp < -25) // below half the smallest subnormal: rounds to zero
    return sign;
  // Subnormal: the significand with its implicit bit, shifted into place.
  uint32_t mant = (absBits & 0x7fffffu) | 0x800000u;
  uint32_t shift = uint32_t(-exp - 14 + 13); // 14..24
  uint32_t h = mant >> shift;
  uint32_t rest = mant & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u)))
    ++h;
  return uint16_t(sign | h);
}

} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_HALF_H
