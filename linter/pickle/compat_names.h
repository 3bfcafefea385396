// Python 2 -> 3 module/name mapping that unpickling applies to protocol < 3 streams
// (CPython's _compat_pickle), so that reports name what Python 3 would actually import.
#pragma once

#include <string>

namespace ckptlint::pickle {

void mapPython2Name(std::string* module, std::string* name);

}  // namespace ckptlint::pickle
