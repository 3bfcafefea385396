// A plain aligned text table: columns padded to their widest cell.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ckptlint::reports {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  /// Cells are escaped with printable(): they may hold untrusted names.
  void addRow(std::vector<std::string> row);
  void write(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ckptlint::reports
