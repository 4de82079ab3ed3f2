#include <ctype.h>
#include <stdio.h>
/* Copies stdin to stdout in upper case. */
int main(void) {
  int c;
  while ((c = getchar()) != EOF) putchar(toupper(c));
  return 0;
}
