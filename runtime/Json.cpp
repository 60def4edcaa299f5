//===- Json.cpp - Minimal JSON reader for package manifests ---------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Json.h"

#include <cstdio>

#include <cerrno>
#include <cstdlib>

namespace flashrnn {
namespace json {

const Value *Value::find(const std::string &key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (const auto &member : object)
    if (member.first == key)
      return &member.second;
  return nullptr;
}

const char *Value::kindName(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "boolean";
  case Kind::Number:
    return "number";
  case Kind::String:
    return "string";
  case Kind::Array:
    return "array";
  case Kind::Object:
    return "object";
  }
  return "?";
}

/// Recursive-descent parser; keeps line/column as it goes.
class Parser {
public:
  explicit Parser(const std::string &text) : text(text) {}

  bool parseDocument(Value &result) {
    skipSpace();
    if (!parseValue(result, 0))
      return false;
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the JSON value");
    return true;
  }

  std::string error;

private:
  // Deep nesting is never legitimate in a manifest; bound it so a hostile
  // file cannot overflow the stack.
  static constexpr int kMaxDepth = 64;

  const std::string &text;
  size_t pos = 0;
  int line = 1, column = 1;

  bool fail(const std::string &what) {
    error = "line " + std::to_string(line) + ", column " +
            std::to_string(column) + ": " + what;
    return false;
  }

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }

  void advance() {
    if (text[pos] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++pos;
  }

  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      advance();
  }

  bool expectWord(const char *word) {
    for (const char *c = word; *c; ++c) {
      if (peek() != *c)
        return fail(std::string("invalid literal (expected '") + word + "')");
      advance();
    }
    return true;
  }

  bool parseValue(Value &value, int depth) {
    if (depth > kMaxDepth)
      return fail("nesting deeper than 64 levels");
    value.line = line;
    value.column = column;
    if (atEnd())
      return fail("unexpected end of input, expected a value");
    char c = peek();
    switch (c) {
    case '{':
      return parseObject(value, depth);
    case '[':
      return parseArray(value, depth);
    case '"':
      value.kind = Value::Kind::String;
      return parseString(value.string);
    case 't':
      value.kind = Value::Kind::Bool;
      value.boolValue = true;
      return expectWord("true");
    case 'f':
      value.kind = Value::Kind::Bool;
      value.boolValue = false;
      return expectWord("false");
    case 'n':
      value.kind = Value::Kind::Null;
      return expectWord("null");
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return parseNumber(value);
      return fail(std::string("unexpected character '") + c +
                  "', expected a value");
    }
  }

  bool parseObject(Value &value, int depth) {
    value.kind = Value::Kind::Object;
    advance(); // '{'
    skipSpace();
    if (peek() == '}') {
      advance();
      return true;
    }
    while (true) {
      skipSpace();
      if (peek() != '"')
        return fail("expected a string key in object");
      std::string key;
      int keyLine = line, keyColumn = column;
      if (!parseString(key))
        return false;
      if (value.find(key)) {
        line = keyLine;
        column = keyColumn;
        return fail("duplicate key \"" + key + "\"");
      }
      skipSpace();
      if (peek() != ':')
        return fail("expected ':' after object key");
      advance();
      skipSpace();
      value.object.emplace_back(key, Value());
      if (!parseValue(value.object.back().second, depth + 1))
        return false;
      skipSpace();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        return true;
      }
      return fail("expected ',' or '}' in object");
    }
  }

  bool parseArray(Value &value, int depth) {
    value.kind = Value::Kind::Array;
    advance(); // '['
    skipSpace();
    if (peek() == ']') {
      advance();
      return true;
    }
    while (true) {
      skipSpace();
      value.array.emplace_back();
      if (!parseValue(value.array.back(), depth + 1))
        return false;
      skipSpace();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ']') {
        advance();
        return true;
      }
      return fail("expected ',' or ']' in array");
    }
  }

  static int hexDigit(char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }

  bool parseHex4(unsigned &code) {
    code = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hexDigit(peek());
      if (d < 0)
        return fail("invalid \\u escape (expected 4 hex digits)");
      code = code * 16 + unsigned(d);
      advance();
    }
    return true;
  }

  static void appendUtf8(std::string &out, unsigned code) {
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xc0 | (code >> 6));
      out += char(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      out += char(0xe0 | (code >> 12));
      out += char(0x80 | ((code >> 6) & 0x3f));
      out += char(0x80 | (code & 0x3f));
    } else {
      out += char(0xf0 | (code >> 18));
      out += char(0x80 | ((code >> 12) & 0x3f));
      out += char(0x80 | ((code >> 6) & 0x3f));
      out += char(0x80 | (code & 0x3f));
    }
  }

  bool parseString(std::string &out) {
    advance(); // opening quote
    while (true) {
      if (atEnd())
        return fail("unterminated string");
      char c = peek();
      if (c == '"') {
        advance();
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in string (escape it)");
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      advance(); // backslash
      if (atEnd())
        return fail("unterminated string");
      char e = peek();
      advance();
      switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        unsigned code;
        if (!parseHex4(code))
          return false;
        if (code >= 0xd800 && code < 0xdc00) {
          // High surrogate: must be followed by a low one.
          unsigned low;
          if (peek() != '\\')
            return fail("unpaired UTF-16 surrogate in \\u escape");
          advance();
          if (peek() != 'u')
            return fail("unpaired UTF-16 surrogate in \\u escape");
          advance();
          if (!parseHex4(low))
            return false;
          if (low < 0xdc00 || low >= 0xe000)
            return fail("unpaired UTF-16 surrogate in \\u escape");
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        } else if (code >= 0xdc00 && code < 0xe000) {
          return fail("unpaired UTF-16 surrogate in \\u escape");
        }
        appendUtf8(out, code);
        break;
      }
      default:
        return fail(std::string("invalid escape '\\") + e + "' in string");
      }
    }
  }

  bool parseNumber(Value &value) {
    value.kind = Value::Kind::Number;
    size_t start = pos;
    bool integer = true;
    if (peek() == '-')
      advance();
    if (peek() == '0') {
      advance();
      if (peek() >= '0' && peek() <= '9')
        return fail("leading zeros are not allowed in numbers");
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9')
        advance();
    } else {
      return fail("invalid number (expected a digit)");
    }
    if (peek() == '.') {
      integer = false;
      advance();
      if (!(peek() >= '0' && peek() <= '9'))
        return fail("invalid number (expected a digit after '.')");
      while (peek() >= '0' && peek() <= '9')
        advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      advance();
      if (peek() == '+' || peek() == '-')
        advance();
      if (!(peek() >= '0' && peek() <= '9'))
        return fail("invalid number (expected a digit in the exponent)");
      while (peek() >= '0' && peek() <= '9')
        advance();
    }
    std::string literal = text.substr(start, pos - start);
    errno = 0;
    value.number = std::strtod(literal.c_str(), nullptr);
    // strtod reports overflow with ERANGE and +-HUGE_VAL; a manifest number
    // that does not fit a double is a mistake, not an infinity. Underflow to
    // a tiny value or zero is harmless.
    if (errno == ERANGE && (value.number > 1.0 || value.number < -1.0)) {
      line = value.line;
      column = value.column;
      return fail("number out of range: " + literal);
    }
    value.integerLiteral = integer;
    return true;
  }
};

bool parse(const std::string &text, Value &result, std::string &error) {
  Parser parser(text);
  result = Value();
  if (!parser.parseDocument(result)) {
    error = parser.error;
    return false;
  }
  return true;
}

// Numbers are formatted with snprintf/std::to_string, never through a stream:
// inside a PyTorch process the stream's locale facets may resolve to a
// mismatched libstdc++ copy (see PreparedKernel::describeLaunch).
std::string describe(const Value &v) {
  switch (v.getKind()) {
  case Value::Kind::Number: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v.getNumber());
    return buf;
  }
  case Value::Kind::String:
    return "\"" + v.getString() + "\"";
  default:
    return std::string("a ") + Value::kindName(v.getKind());
  }
}

std::string fieldError(const std::string &what, const std::string &field,
                       const Value *at, const std::string &why) {
  std::string message = what + ": field '" + field + "'";
  if (at && at->line > 0)
    message += " (line " + std::to_string(at->line) + ", column " +
               std::to_string(at->column) + ")";
  return message + ": " + why;
}

} // namespace json
} // namespace flashrnn
