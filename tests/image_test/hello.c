/* A dynamic C program: its ELF interpreter and libc must be in the image it runs in. */
#include <stdio.h>

int main(void) {
  puts("hello");
  return 0;
}
