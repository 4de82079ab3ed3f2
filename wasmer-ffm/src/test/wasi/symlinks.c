#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
/*
 * Symlinks and hard links as WASI runtimes make them, in the directory preopened at 3: made on the host, followed
 * inside the directory, never out of it; readlink truncates; a symlink has its own stat and times. One line per
 * call: its WASI errno (0: success), then what it gave. libwasmer keeps a guest's symlink in its memory, looks its
 * target up from its virtual root (NOTCAPABLE), says OVERFLOW for a short readlink buffer, has no hard links
 * (NOENT) and gives a symlink's stat times of 0.
 */
static void show(const char *what, __wasi_errno_t e) { printf("%s: %d\n", what, e); }

int main(void) {
  __wasi_fd_t f, d;
  __wasi_filestat_t s1, s2;
  __wasi_ciovec_t ciov = {(const uint8_t *)"data", 4};
  size_t n;
  show("mkdir dir", __wasi_path_create_directory(3, "dir"));
  show("create dir/file", __wasi_path_open(3, 0, "dir/file", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
  show("write dir/file", __wasi_fd_write(f, &ciov, 1, &n));
  show("close", __wasi_fd_close(f));

  show("symlink to-file -> dir/file", __wasi_path_symlink("dir/file", 3, "to-file"));
  show("symlink to-dir -> dir", __wasi_path_symlink("dir", 3, "to-dir"));
  show("symlink dir/up -> ../dir/file", __wasi_path_symlink("../dir/file", 3, "dir/up"));
  show("symlink out -> ../outside", __wasi_path_symlink("../outside", 3, "out"));
  show("symlink dir/out -> ../../outside", __wasi_path_symlink("../../outside", 3, "dir/out"));
  show("symlink abs -> /", __wasi_path_symlink("/", 3, "abs"));
  show("symlink over a file", __wasi_path_symlink("x", 3, "dir/file"));
  show("symlink with a trailing slash", __wasi_path_symlink("x", 3, "dangling/"));
  show("symlink to nothing", __wasi_path_symlink("", 3, "empty"));

  show("open to-file following", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "to-file", 0,
                                                  __WASI_RIGHTS_FD_READ, 0, 0, &f));
  char buf[16] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  show("read through it", __wasi_fd_read(f, &iov, 1, &n));
  printf("read: %s\n", buf);
  show("open to-file not following", __wasi_path_open(3, 0, "to-file", 0, 0, 0, 0, &f));
  show("open to-dir/file", __wasi_path_open(3, 0, "to-dir/file", 0, 0, 0, 0, &f));
  show("open dir/up following", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dir/up", 0, 0, 0, 0, &f));
  show("open to-dir as a directory", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "to-dir",
                                                      __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &d));
  show("open to-file as a directory", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "to-file",
                                                       __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &d));

  show("stat to-file", __wasi_path_filestat_get(3, 0, "to-file", &s1));
  printf("a symlink of %llu bytes, mtim set: %d\n", (unsigned long long)s1.size, s1.mtim != 0);
  show("stat to-file following", __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "to-file", &s2));
  printf("type %d, %llu bytes\n", s2.filetype, (unsigned long long)s2.size);
  show("set the symlink's mtim", __wasi_path_filestat_set_times(3, 0, "to-file", 0, 1000000000123ull,
                                                               __WASI_FSTFLAGS_MTIM));
  show("stat to-file", __wasi_path_filestat_get(3, 0, "to-file", &s1));
  show("stat dir/file", __wasi_path_filestat_get(3, 0, "dir/file", &s2));
  printf("symlink mtim %llu, file's unchanged: %d\n", (unsigned long long)s1.mtim, s2.mtim != 1000000000123ull);

  char link[16];
  __wasi_size_t used;
  memset(link, 0, sizeof link);
  show("readlink to-file", __wasi_path_readlink(3, "to-file", (uint8_t *)link, sizeof link, &used));
  printf("%lu bytes: %s\n", used, link);
  memset(link, 0, sizeof link);
  show("readlink into 4 bytes", __wasi_path_readlink(3, "to-file", (uint8_t *)link, 4, &used));
  printf("%lu bytes: %s\n", used, link);
  show("readlink of a file", __wasi_path_readlink(3, "dir/file", (uint8_t *)link, sizeof link, &used));

  show("symlink loop -> loop", __wasi_path_symlink("loop", 3, "loop"));
  show("open the loop", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop", 0, 0, 0, 0, &f));

  show("link dir/file hard", __wasi_path_link(3, 0, "dir/file", 3, "hard"));
  show("stat hard", __wasi_path_filestat_get(3, 0, "hard", &s1));
  show("stat dir/file", __wasi_path_filestat_get(3, 0, "dir/file", &s2));
  printf("one inode: %d, %llu links\n", s1.ino == s2.ino && s1.dev == s2.dev, (unsigned long long)s1.nlink);
  show("open hard", __wasi_path_open(3, 0, "hard", 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &f));
  show("fstat hard", __wasi_fd_filestat_get(f, &s1));
  printf("fstat's inode too: %d\n", s1.ino == s2.ino && s1.dev == s2.dev);
  show("link a directory", __wasi_path_link(3, 0, "dir", 3, "dir-link"));
  show("link onto an existing name", __wasi_path_link(3, 0, "dir/file", 3, "hard"));
  show("link to-file (the symlink itself)", __wasi_path_link(3, 0, "to-file", 3, "hard-symlink"));
  show("link out following", __wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop", 3, "x"));

  /* a link made pointing inside, moved to where its target leads out: not followed */
  show("symlink dir/in -> ../dir/file", __wasi_path_symlink("../dir/file", 3, "dir/in"));
  show("rename dir/in to moved-out", __wasi_path_rename(3, "dir/in", 3, "moved-out"));
  show("open moved-out following", __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "moved-out", 0, 0, 0, 0, &f));
  show("stat moved-out following", __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "moved-out", &s1));

  show("unlink to-file", __wasi_path_unlink_file(3, "to-file"));
  show("rename to-dir", __wasi_path_rename(3, "to-dir", 3, "dir2"));
  show("open dir2/file", __wasi_path_open(3, 0, "dir2/file", 0, 0, 0, 0, &f));
  return 0;
}
