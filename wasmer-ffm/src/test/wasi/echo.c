#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("arg%d=%s\n", i, argv[i]);
  const char *g = getenv("GREETING");
  printf("GREETING=%s\n", g ? g : "(unset)");
  return 0;
}
