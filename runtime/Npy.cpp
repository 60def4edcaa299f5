//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"
#include "runtime/Half.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace flashrnn {

static_assert(sizeof(double) == 8 && sizeof(float) == 4, "IEEE types needed");

size_t npyTypeSize(NpyType type) {
  switch (type) {
  case NpyType::F16:
  case NpyType::U16:
    return 2;
  case NpyType::F32:
    return 4;
  case NpyType::F64:
    return 8;
  }
  return 0;
}

const char *npyDescr(NpyType type) {
  switch (type) {
  case NpyType::F16:
    return "<f2";
  case NpyType::F32:
    return "<f4";
  case NpyType::F64:
    return "<f8";
  case NpyType::U16:
    return "<u2";
  }
  return "?";
}

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

/// Parses the header dict, which NumPy writes as a Python literal:
///   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
/// Only what NumPy itself writes is accepted; anything else is an error.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape,
             std::string &error) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    skip();
    if (!eat('{'))
      return fail("header does not start with '{'", error);
    while (true) {
      skip();
      if (eat('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key in the header", error);
      skip();
      if (!eat(':'))
        return fail("expected ':' after key '" + key + "'", error);
      skip();
      if (key == "descr") {
        if (!parseString(descr))
          return fail("'descr' is not a string (structured dtypes are not "
                      "supported)",
                      error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (text.compare(pos, 4, "True") == 0) {
          fortran = true;
          pos += 4;
        } else if (text.compare(pos, 5, "False") == 0) {
          fortran = false;
          pos += 5;
        } else {
          return fail("'fortran_order' is not True or False", error);
        }
        haveFortran = true;
      } else if (key == "shape") {
        if (!parseShape(shape))
          return fail("'shape' is not a tuple of non-negative integers",
                      error);
        haveShape = true;
      } else {
        return fail("unexpected header key '" + key + "'", error);
      }
      skip();
      if (eat(','))
        continue;
      skip();
      if (eat('}'))
        break;
      return fail("expected ',' or '}' in the header", error);
    }
    if (!haveDescr || !haveFortran || !haveShape)
      return fail("header lacks 'descr', 'fortran_order' or 'shape'", error);
    return true;
  }

private:
  const std::string &text;
  size_t pos = 0;

  bool fail(const std::string &why, std::string &error) {
    error = why;
    return false;
  }
  void skip() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n'))
      ++pos;
  }
  bool eat(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    if (!eat('('))
      return false;
    while (true) {
      skip();
      if (eat(')'))
        return true;
      if (pos >= text.size() || text[pos] < '0' || text[pos] > '9')
        return false;
      int64_t v = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (v > (int64_t(1) << 48))
          return false; // absurd dimension; also keeps products in range
        v = v * 10 + (text[pos++] - '0');
      }
      shape.push_back(v);
      skip();
      if (eat(','))
        continue;
      skip();
      if (eat(')'))
        return true;
      return false;
    }
  }
};

bool descrToType(const std::string &descr, NpyType &type) {
  // '<' is little endian, '|' "not applicable" (1-byte or void types), '='
  // native, which is little endian on every machine this runs on.
  if (descr.size() < 2)
    return false;
  char order = descr[0];
  std::string rest = descr.substr(1);
  if (order != '<' && order != '|' && order != '=')
    return false;
  if (rest == "f2")
    type = NpyType::F16;
  else if (rest == "f4")
    type = NpyType::F32;
  else if (rest == "f8")
    type = NpyType::F64;
  else if (rest == "u2" || rest == "V2")
    type = NpyType::U16;
  else
    return false;
  return true;
}

} // namespace

bool readNpy(const std::string &path, NpyArray &array, std::string &error) {
  array = NpyArray();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  auto bad = [&](const std::string &why) {
    error = path + ": not a valid .npy file: " + why;
    return false;
  };
  char magic[8];
  if (!in.read(magic, 8))
    return bad("file too short for the .npy magic");
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return bad("missing the \\x93NUMPY magic");
  int major = static_cast<unsigned char>(magic[6]);
  uint32_t headerLen = 0;
  if (major == 1) {
    unsigned char len[2];
    if (!in.read(reinterpret_cast<char *>(len), 2))
      return bad("truncated header length");
    headerLen = len[0] | (uint32_t(len[1]) << 8);
  } else if (major == 2 || major == 3) {
    unsigned char len[4];
    if (!in.read(reinterpret_cast<char *>(len), 4))
      return bad("truncated header length");
    headerLen = len[0] | (uint32_t(len[1]) << 8) | (uint32_t(len[2]) << 16) |
                (uint32_t(len[3]) << 24);
  } else {
    return bad("unsupported format version " + std::to_string(major));
  }
  if (headerLen > (1u << 20))
    return bad("header length " + std::to_string(headerLen) +
               " is implausibly large");
  std::string header(headerLen, '\0');
  if (!in.read(&header[0], headerLen))
    return bad("truncated header");
  std::string descr, why;
  bool fortran = false;
  if (!HeaderParser(header).parse(descr, fortran, array.shape, why))
    return bad(why);
  if (fortran)
    return bad("Fortran-ordered arrays are not supported (save a C-contiguous "
               "array: np.ascontiguousarray)");
  if (!descrToType(descr, array.type))
    return bad("unsupported dtype '" + descr +
               "' (expected little-endian float16, float32, float64, or "
               "uint16 holding bf16 bits)");
  int64_t count = 1;
  for (int64_t d : array.shape) {
    if (d != 0 && count > (int64_t(1) << 40) / d)
      return bad("shape " + shapeToString(array.shape) + " is too large");
    count *= d;
  }
  size_t bytes = size_t(count) * npyTypeSize(array.type);
  array.data.resize(bytes);
  if (bytes && !in.read(reinterpret_cast<char *>(array.data.data()),
                        std::streamsize(bytes)))
    return bad("truncated data: shape " + shapeToString(array.shape) +
               " needs " + std::to_string(bytes) + " bytes of " + descr +
               " data, the file holds " + std::to_string(in.gcount()));
  in.peek();
  if (!in.eof())
    return bad("trailing bytes after the data of shape " +
               shapeToString(array.shape));
  return true;
}

bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error) {
  std::string dict = std::string("{'descr': '") + npyDescr(array.type) +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(array.shape[i]);
  if (array.shape.size() == 1)
    dict += ","; // a Python 1-tuple, as NumPy writes it: (2,)
  dict += "), }";
  // Pad with spaces so the data starts 64-byte aligned, ending in '\n'.
  bool v2 = dict.size() + 1 + 10 > 65535;
  size_t prefix = v2 ? 12 : 10;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  std::string head = "\x93NUMPY";
  head += char(v2 ? 2 : 1);
  head += char(0);
  uint32_t len = uint32_t(dict.size());
  head += char(len & 0xff);
  head += char((len >> 8) & 0xff);
  if (v2) {
    head += char((len >> 16) & 0xff);
    head += char((len >> 24) & 0xff);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = path + ": cannot create";
    return false;
  }
  out.write(head.data(), std::streamsize(head.size()));
  out.write(dict.data(), std::streamsize(dict.size()));
  out.write(reinterpret_cast<const char *>(array.data.data()),
            std::streamsize(array.data.size()));
  out.close();
  if (!out) {
    error = path + ": write error (disk full?)";
    return false;
  }
  return true;
}

bool writeNpyF64(const std::string &path, const std::vector<int64_t> &shape,
                 const double *data, std::string &error) {
  NpyArray array;
  array.type = NpyType::F64;
  array.shape = shape;
  array.data.resize(size_t(array.numElements()) * 8);
  if (!array.data.empty())
    std::memcpy(array.data.data(), data, array.data.size());
  return writeNpy(path, array, error);
}

void npyToDouble(const NpyArray &array, std::vector<double> &out) {
  size_t n = size_t(array.numElements());
  out.resize(n);
  const uint8_t *p = array.data.data();
  for (size_t i = 0; i < n; ++i) {
    switch (array.type) {
    case NpyType::F16: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = f16ToFloat(h);
      break;
    }
    case NpyType::U16: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = bf16ToFloat(h);
      break;
    }
    case NpyType::F32: {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      out[i] = f;
      break;
    }
    case NpyType::F64:
      std::memcpy(&out[i], p + 8 * i, 8);
      break;
    }
  }
}

} // namespace flashrnn
