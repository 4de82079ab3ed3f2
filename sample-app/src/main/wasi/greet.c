#include <stdio.h>
#include <string.h>
/* A WASI command for the sample app: greets its arguments, echoes stdin in reverse, exits with the argument count. */
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("hello, %s\n", argv[i]);
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, stdin);
  for (size_t i = 0; i < n / 2; i++) { char t = buf[i]; buf[i] = buf[n - 1 - i]; buf[n - 1 - i] = t; }
  if (n) fprintf(stderr, "stdin reversed: %.*s\n", (int) n, buf);
  return argc - 1;
}
