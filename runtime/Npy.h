//===- Npy.h - NumPy .npy reader and writer ----------------------*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0 on read,
// 1.0 on write), C order, little endian. Element types: float16 ('<f2'),
// float32 ('<f4'), float64 ('<f8') and uint16 ('<u2'), which carries raw bf16
// bits because NumPy has no bf16 type ('|V2', what ml_dtypes' bfloat16 saves
// as, is accepted as the same thing). See docs/RUNTIME.md.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_NPY_H
#define FLASHRNN_RUNTIME_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace flashrnn {

enum class NpyType { F16, F32, F64, U16 };

/// Bytes per element.
size_t npyTypeSize(NpyType type);
/// The descr string written to files ("<f8").
const char *npyDescr(NpyType type);

struct NpyArray {
  NpyType type = NpyType::F64;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data; // little-endian elements, C order

  int64_t numElements() const;
};

/// Reads `path`. Errors name the file and what is wrong with it.
bool readNpy(const std::string &path, NpyArray &array, std::string &error);

/// Writes `array` to `path` (format 1.0, or 2.0 if the header needs it).
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// Convenience: writes float64 data.
bool writeNpyF64(const std::string &path, const std::vector<int64_t> &shape,
                 const double *data, std::string &error);

/// Converts the elements to double, exactly (every input type is a subset of
/// double). uint16 is decoded as bf16 bits.
void npyToDouble(const NpyArray &array, std::vector<double> &out);

/// "[2, 3, 4]"
std::string shapeToString(const std::vector<int64_t> &shape);

} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_NPY_H
