//===- Json.h - Minimal JSON reader for package manifests --------*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// A small, strict JSON (RFC 8259) parser. The runtime must not depend on LLVM,
// so it cannot use llvm::json; manifests are small, so a DOM is fine. Errors
// carry a 1-based line and column so a hand-edited manifest is easy to fix.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_JSON_H
#define FLASHRNN_RUNTIME_JSON_H

#include <string>
#include <utility>
#include <vector>

namespace flashrnn {
namespace json {

/// One JSON value. Objects keep their members in file order (duplicate keys
/// are rejected by the parser).
class Value {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Value() = default;

  Kind getKind() const { return kind; }
  bool isNull() const { return kind == Kind::Null; }
  bool isBool() const { return kind == Kind::Bool; }
  bool isNumber() const { return kind == Kind::Number; }
  bool isString() const { return kind == Kind::String; }
  bool isArray() const { return kind == Kind::Array; }
  bool isObject() const { return kind == Kind::Object; }

  bool getBool() const { return boolValue; }
  double getNumber() const { return number; }
  /// True if the number was written without fraction or exponent.
  bool isIntegerLiteral() const { return integerLiteral; }
  const std::string &getString() const { return string; }
  const std::vector<Value> &getArray() const { return array; }
  const std::vector<std::pair<std::string, Value>> &getObject() const {
    return object;
  }

  /// Member lookup on an object; null if absent or not an object.
  const Value *find(const std::string &key) const;

  /// Where the value starts in the text (1-based), for diagnostics.
  int line = 0, column = 0;

  static const char *kindName(Kind kind);

private:
  friend class Parser;
  Kind kind = Kind::Null;
  bool boolValue = false;
  bool integerLiteral = false;
  double number = 0.0;
  std::string string;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;
};

/// Parses `text` into `result`. On failure returns false and sets `error` to
/// "line L, column C: what".
bool parse(const std::string &text, Value &result, std::string &error);

/// A value as a diagnostic quotes it: numbers in full, strings quoted, other
/// kinds by name ("an array").
std::string describe(const Value &v);

/// "WHAT: field 'FIELD' (line L, column C): WHY", the one format of every
/// manifest error (the position is left out when `at` has none).
std::string fieldError(const std::string &what, const std::string &field,
                       const Value *at, const std::string &why);

} // namespace json
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_JSON_H
