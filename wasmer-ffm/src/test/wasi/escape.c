#include <stdio.h>
/* Tries to leave its sandbox; prints what happened for each path given as an argument. */
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "r");
    printf("%s: %s\n", argv[i], f ? "OPENED" : "denied");
    if (f) fclose(f);
  }
  return 0;
}
