#include <stdio.h>
/* Reads /data/in.txt and writes its text, reversed line order aside, to /data/out.txt. */
int main(void) {
  char buf[256] = {0};
  FILE *in = fopen("/data/in.txt", "r");
  if (!in) { perror("open in"); return 1; }
  size_t n = fread(buf, 1, sizeof buf - 1, in);
  fclose(in);
  FILE *out = fopen("/data/out.txt", "w");
  if (!out) { perror("open out"); return 2; }
  fprintf(out, "copied: %.*s", (int) n, buf);
  fclose(out);
  printf("read %zu bytes\n", n);
  return 0;
}
