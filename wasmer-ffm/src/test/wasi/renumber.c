#include <stdio.h>
#include <wasi/api.h>
/*
 * fd_renumber as WASI runtimes do it, in the directory preopened at 3: it moves a descriptor over an open one
 * (closing that, a preopen too), keeps what it was, and refuses a closed destination with BADF (8). libwasmer
 * copies the source with its inheriting rights as its rights, refuses to overwrite a preopen (NOTSUP, 58) and
 * renumbers onto any number.
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
  show("close 3", __wasi_fd_close(3));
  show("fdstat 3 once closed", __wasi_fd_fdstat_get(3, &root));
  return 0;
}
