// Stands in for an application that loads its weights at start-up; the build has already
// checked (ckptlint_check in CMakeLists.txt) that they fit the model.
#include <iostream>

int main() {
  std::cout << "weights: " << APP_WEIGHTS_PATH << "\n";
  return 0;
}
