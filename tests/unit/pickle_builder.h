// Test helper: writes pickle opcodes byte by byte, so tests can state exactly which opcodes a
// stream contains (including ones Python's pickler never emits for a given object).
#pragma once

#include <cstdint>
#include <string>

namespace ckptlint::testing {

class PickleBuilder {
 public:
  explicit PickleBuilder(int protocol = 2) {
    if (protocol >= 2) {
      out_ += '\x80';
      out_ += static_cast<char>(protocol);
    }
  }
  PickleBuilder& raw(const std::string& bytes) { out_ += bytes; return *this; }
  PickleBuilder& op(char code) { out_ += code; return *this; }
  PickleBuilder& op(unsigned char code) { out_ += static_cast<char>(code); return *this; }
  PickleBuilder& le(uint64_t value, int width) {
    for (int i = 0; i < width; ++i) out_ += static_cast<char>((value >> (8 * i)) & 0xFF);
    return *this;
  }
  PickleBuilder& mark() { return op('('); }
  PickleBuilder& stop() { return op('.'); }
  PickleBuilder& none() { return op('N'); }
  PickleBuilder& binint1(uint8_t v) { return op('K').le(v, 1); }
  PickleBuilder& binint2(uint16_t v) { return op('M').le(v, 2); }
  PickleBuilder& binint(int32_t v) { return op('J').le(static_cast<uint32_t>(v), 4); }
  PickleBuilder& unicode(const std::string& s) { return op('X').le(s.size(), 4).raw(s); }
  PickleBuilder& shortUnicode(const std::string& s) { return op(static_cast<unsigned char>(0x8c)).le(s.size(), 1).raw(s); }
  PickleBuilder& global(const std::string& module, const std::string& name) {
    return op('c').raw(module + "\n" + name + "\n");
  }
  PickleBuilder& binput(uint8_t index) { return op('q').le(index, 1); }
  PickleBuilder& binget(uint8_t index) { return op('h').le(index, 1); }
  PickleBuilder& emptyTuple() { return op(')'); }
  PickleBuilder& emptyDict() { return op('}'); }
  PickleBuilder& emptyList() { return op(']'); }
  PickleBuilder& tuple() { return op('t'); }
  PickleBuilder& tuple2() { return op(static_cast<unsigned char>(0x86)); }
  PickleBuilder& reduce() { return op('R'); }
  PickleBuilder& setitem() { return op('s'); }
  PickleBuilder& setitems() { return op('u'); }
  PickleBuilder& appends() { return op('e'); }
  PickleBuilder& newFalse() { return op(static_cast<unsigned char>(0x89)); }
  PickleBuilder& newTrue() { return op(static_cast<unsigned char>(0x88)); }
  PickleBuilder& build() { return op('b'); }
  PickleBuilder& binpersid() { return op('Q'); }

  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

}  // namespace ckptlint::testing
