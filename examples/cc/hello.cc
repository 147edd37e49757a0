// The C++ example of rules_distill: prints "Hello World!" through libstdc++'s iostreams, so the
// image needs the C and C++ runtimes of the distroless cc image (glibc, libstdc++, libgcc_s).
#include <cstdlib>
#include <iostream>

int main() {
  std::cout << "Hello World!" << std::endl;
  return std::cout.good() ? EXIT_SUCCESS : EXIT_FAILURE;
}
