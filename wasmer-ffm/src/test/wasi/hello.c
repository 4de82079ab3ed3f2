#include <stdio.h>
int main(void) {
  printf("hello, world\n");
  fprintf(stderr, "a line on stderr\n");
  return 0;
}
