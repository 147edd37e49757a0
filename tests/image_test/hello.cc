// A C++ program: it needs libstdc++.so.6 and libgcc_s.so.1, which the base image lacks.
#include <iostream>

int main() {
  std::cout << "hello" << std::endl;
  return 0;
}
