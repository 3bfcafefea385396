// Writes the unit tests' sample check report as SARIF, with the real rule registry (so every
// rule's compiled-in page is part of the log), for validation against the SARIF schema.
#include <fstream>
#include <iostream>

#include "../unit/sample_check_report.h"
#include "rules/registry.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_sarif OUT.sarif\n";
    return 2;
  }
  std::ofstream out(argv[1]);
  ckptlint::reports::writeCheckSarif(ckptlint::testing::sampleReport(ckptlint::rules::allRules()), out);
  out.close();
  return out ? 0 : 1;
}
