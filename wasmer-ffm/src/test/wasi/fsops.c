#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/*
 * Works with files under the directory prefix $BASE ("/", "/sub/", "" for relative paths): mkdir, create, write,
 * append, read, stat, rename into a subdirectory, unlink, rmdir, readdir. Prints one line per step, "ok" or the
 * errno's name, so the test sees exactly which call failed. Leaves dir/moved.txt ("hello world") behind.
 */
static char path[512];

static const char *at(const char *name) {
  snprintf(path, sizeof path, "%s%s", getenv("BASE") ? getenv("BASE") : "", name);
  return path;
}

static void report(const char *step, int ok) {
  printf("%s: %s\n", step, ok ? "ok" : strerror(errno));
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *name) {
  DIR *d = opendir(at(name));
  if (!d) { report("opendir", 0); return; }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("readdir %s:", name);
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
}

static int write_file(const char *name, int flags, const char *text) {
  int fd = open(at(name), flags, 0644);
  if (fd < 0) return 0;
  int ok = write(fd, text, strlen(text)) == (ssize_t) strlen(text);
  return close(fd) == 0 && ok;
}

int main(void) {
  struct stat st;
  char buf[64] = {0};
  report("mkdir dir", mkdir(at("dir"), 0755) == 0);
  report("create new.txt", write_file("new.txt", O_WRONLY | O_CREAT | O_TRUNC, "hello"));
  report("append new.txt", write_file("new.txt", O_WRONLY | O_APPEND, " world"));
  FILE *f = fopen(at("new.txt"), "r");
  report("read new.txt", f && fread(buf, 1, sizeof buf - 1, f) > 0);
  if (f) fclose(f);
  printf("content: %s\n", buf);
  report("stat new.txt", stat(at("new.txt"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 11);
  report("stat dir", stat(at("dir"), &st) == 0 && S_ISDIR(st.st_mode));
  char from[512];
  strcpy(from, at("new.txt"));
  report("rename new.txt dir/moved.txt", rename(from, at("dir/moved.txt")) == 0);
  report("create gone.txt", write_file("gone.txt", O_WRONLY | O_CREAT | O_EXCL, "x"));
  report("unlink gone.txt", unlink(at("gone.txt")) == 0);
  report("mkdir empty", mkdir(at("empty"), 0755) == 0);
  report("rmdir empty", rmdir(at("empty")) == 0);
  list("");
  list("dir");
  return 0;
}
