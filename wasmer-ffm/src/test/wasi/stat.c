#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
/*
 * What stat, times, directory listings and append say, as in WASI runtimes, in the directory preopened at 3; one
 * line per call: its WASI errno, then what it gave. libwasmer sets path_filestat_set_times in its cache of the
 * directory (the file keeps its time), numbers inodes by a hash of the path (0 in a listing), and keeps a new
 * file's host handle appending after fd_fdstat_set_flags cleared the flag.
 */
static void show(const char *what, __wasi_errno_t e) { printf("%s: %d\n", what, e); }

/* The inode fd_readdir gives the entry named name (cookie 0, one buffer), or 0. */
static __wasi_inode_t listed(__wasi_fd_t dir, const char *name) {
  static uint8_t buf[4096];
  __wasi_size_t used;
  if (__wasi_fd_readdir(dir, buf, sizeof buf, 0, &used)) return 0;
  for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
    __wasi_dirent_t d;
    memcpy(&d, buf + at, sizeof d);
    at += sizeof d;
    if (d.d_namlen == strlen(name) && memcmp(buf + at, name, d.d_namlen) == 0) return d.d_ino;
    at += d.d_namlen;
  }
  return 0;
}

int main(void) {
  __wasi_fd_t f;
  __wasi_filestat_t s, fs, ds;
  __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                       __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;
  show("create f appending", __wasi_path_open(3, 0, "f", __WASI_OFLAGS_CREAT, rw, 0, __WASI_FDFLAGS_APPEND, &f));
  __wasi_fdstat_t st;
  show("fdstat f", __wasi_fd_fdstat_get(f, &st));
  printf("append flag: %d\n", !!(st.fs_flags & __WASI_FDFLAGS_APPEND));
  __wasi_ciovec_t a = {(const uint8_t *)"aaaa", 4}, b = {(const uint8_t *)"bb", 2};
  size_t n;
  __wasi_filesize_t pos;
  show("write aaaa", __wasi_fd_write(f, &a, 1, &n));
  show("seek to 0", __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
  show("write bb (appended)", __wasi_fd_write(f, &b, 1, &n));
  show("clear the flags", __wasi_fd_fdstat_set_flags(f, 0));
  show("seek to 0", __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
  show("write bb (at 0)", __wasi_fd_write(f, &b, 1, &n));
  char buf[16] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  show("seek to 0", __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
  show("read f", __wasi_fd_read(f, &iov, 1, &n));
  printf("f: %s\n", buf);

  show("stat f", __wasi_path_filestat_get(3, 0, "f", &s));
  show("set f's mtim", __wasi_path_filestat_set_times(3, 0, "f", 0, s.mtim - 100, __WASI_FSTFLAGS_MTIM));
  show("stat f", __wasi_path_filestat_get(3, 0, "f", &fs));
  printf("mtim moved back by %llu ns\n", (unsigned long long)(s.mtim - fs.mtim));
  show("both mtim and mtim_now", __wasi_path_filestat_set_times(3, 0, "f", 0, 0,
                                                               __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));

  show("fstat f", __wasi_fd_filestat_get(f, &fs));
  printf("stat and fstat: one inode %d\n", s.ino == fs.ino && s.dev == fs.dev);
  printf("readdir: f's inode %d\n", listed(3, "f") == s.ino);
  show("fstat the directory", __wasi_fd_filestat_get(3, &ds));
  printf("readdir: .'s inode %d\n", listed(3, ".") == ds.ino);

  /* cookies: listing from the one after the first entry gives the rest */
  uint8_t all[1024], rest[1024];
  __wasi_size_t used_all, used_rest;
  show("readdir from 0", __wasi_fd_readdir(3, all, sizeof all, 0, &used_all));
  __wasi_dirent_t first;
  memcpy(&first, all, sizeof first);
  show("readdir after the first", __wasi_fd_readdir(3, rest, sizeof rest, first.d_next, &used_rest));
  printf("the rest follows: %d\n",
         used_rest == used_all - sizeof first - first.d_namlen &&
             memcmp(rest, all + sizeof first + first.d_namlen, used_rest) == 0);
  __wasi_size_t used_small;
  show("readdir into 10 bytes", __wasi_fd_readdir(3, rest, 10, 0, &used_small));
  printf("filled: %lu\n", used_small);
  show("readdir past the end", __wasi_fd_readdir(3, rest, sizeof rest, 1000, &used_small));
  printf("filled: %lu\n", used_small);
  return 0;
}
