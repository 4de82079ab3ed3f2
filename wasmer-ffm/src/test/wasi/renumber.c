#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
/*
 * fd_renumber as WASI runtimes do it, in the directory preopened at 3: it moves a descriptor over an open one
 * (closing that, a preopen too), keeps what it was, and refuses a closed destination with BADF (8). libwasmer
 * copies the source with its inheriting rights as its rights, refuses to overwrite a preopen (NOTSUP, 58) and
 * renumbers onto any number. Stdio moves as well and stays served by the environment (libwasmer's stdio is the
 * JVM's): stdout and stderr keep capturing what is written to their new numbers, stdin reads the config's bytes.
 */
static void show(const char *what, __wasi_errno_t e) { printf("%s: %d\n", what, e); }

int main(void) {
  __wasi_fd_t a, b, dot;
  __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;
  show("create a", __wasi_path_open(3, 0, "a", __WASI_OFLAGS_CREAT, rw, 0, 0, &a));
  show("create b", __wasi_path_open(3, 0, "b", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &b));
  printf("numbers: %u %u\n", a, b);
  __wasi_fdstat_t before, after;
  show("fdstat a", __wasi_fd_fdstat_get(a, &before));
  show("renumber a over b", __wasi_fd_renumber(a, b));
  show("fdstat b", __wasi_fd_fdstat_get(b, &after));
  printf("b is what a was: %d\n", before.fs_rights_base == after.fs_rights_base &&
                                      before.fs_rights_inheriting == after.fs_rights_inheriting &&
                                      before.fs_filetype == after.fs_filetype && before.fs_flags == after.fs_flags);
  show("close a", __wasi_fd_close(a));
  show("renumber onto closed a", __wasi_fd_renumber(b, a));
  show("renumber b onto itself", __wasi_fd_renumber(b, b));

  __wasi_fdstat_t root;
  show("fdstat 3", __wasi_fd_fdstat_get(3, &root));
  show("open .", __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, root.fs_rights_base, root.fs_rights_inheriting,
                                  0, &dot));
  __wasi_filestat_t s1, s2;
  show("filestat .", __wasi_fd_filestat_get(dot, &s1));
  show("renumber . over the preopen", __wasi_fd_renumber(dot, 3));
  show("filestat 3", __wasi_fd_filestat_get(3, &s2));
  printf("3 is the directory: %d\n", s1.dev == s2.dev && s1.ino == s2.ino);
  __wasi_prestat_t pre;
  show("prestat 3", __wasi_fd_prestat_get(3, &pre));
  show("fdstat of the moved descriptor", __wasi_fd_fdstat_get(dot, &root));
  __wasi_fd_t c;
  show("create c from 3", __wasi_path_open(3, 0, "c", __WASI_OFLAGS_CREAT, 0, 0, 0, &c));
  printf("c takes the lowest free number: %d\n", c == dot);

  /* stdio: each stream moved over a file; the report goes on through stdout's new number */
  __wasi_fd_t in, out, err;
  show("create in", __wasi_path_open(3, 0, "in", __WASI_OFLAGS_CREAT, rw, 0, 0, &in));
  show("create out", __wasi_path_open(3, 0, "out", __WASI_OFLAGS_CREAT, rw, 0, 0, &out));
  show("create err", __wasi_path_open(3, 0, "err", __WASI_OFLAGS_CREAT, rw, 0, 0, &err));
  fflush(stdout);
  __wasi_errno_t moved = __wasi_fd_renumber(1, out);
  dprintf(out, "renumber stdout over out: %d\n", moved);
  dprintf(out, "fdstat 1 once moved: %d\n", __wasi_fd_fdstat_get(1, &root));
  dprintf(out, "renumber stdin over in: %d\n", __wasi_fd_renumber(0, in));
  char buf[16] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  size_t n;
  dprintf(out, "read in: %d\n", __wasi_fd_read(in, &iov, 1, &n));
  dprintf(out, "stdin says: %s\n", buf);
  dprintf(out, "renumber stderr over err: %d\n", __wasi_fd_renumber(2, err));
  __wasi_ciovec_t ciov = {(const uint8_t *)"to stderr\n", 10};
  dprintf(out, "write err: %d\n", __wasi_fd_write(err, &ciov, 1, &n));
  dprintf(out, "write 2 once moved: %d\n", __wasi_fd_write(2, &ciov, 1, &n));
  __wasi_fd_t again;
  dprintf(out, "open out again: %d\n", __wasi_path_open(3, 0, "out", 0, rw, 0, 0, &again));
  dprintf(out, "nothing written to the file out: %d\n", __wasi_fd_read(again, &iov, 1, &n) == 0 && n == 0);
  dprintf(out, "close 3: %d\n", __wasi_fd_close(3));
  dprintf(out, "fdstat 3 once closed: %d\n", __wasi_fd_fdstat_get(3, &root));
  return 0;
}
