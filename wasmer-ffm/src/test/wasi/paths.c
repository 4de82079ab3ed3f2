#include <stdio.h>
#include <wasi/api.h>
/*
 * Paths as WASI runtimes resolve them, in the directory preopened at 3 and one opened below it: relative only, never
 * above the descriptor's directory (NOTCAPABLE, 76), and the errnos of trailing slashes, unlinking a directory and
 * renaming onto what is there. One line per call: its WASI errno. libwasmer looks an absolute path up from its
 * virtual root, lets ".." leave the descriptor's directory, drops a directory from its cache when refusing to unlink
 * it (so it cannot be removed after) and answers a rename onto a non-empty directory with IO (29).
 */
static void show(const char *what, __wasi_errno_t e) { printf("%s: %d\n", what, e); }

static __wasi_errno_t touch(__wasi_fd_t dir, const char *path) {
  __wasi_fd_t f;
  __wasi_errno_t e = __wasi_path_open(dir, 0, path, __WASI_OFLAGS_CREAT, 0, 0, 0, &f);
  return e ? e : __wasi_fd_close(f);
}

int main(void) {
  __wasi_fd_t sub, f;
  __wasi_fdstat_t st;
  show("mkdir sub", __wasi_path_create_directory(3, "sub"));
  show("mkdir sub/in", __wasi_path_create_directory(3, "sub/in"));
  show("create sub/in/file", touch(3, "sub/in/file"));
  show("fdstat 3", __wasi_fd_fdstat_get(3, &st));
  show("open sub", __wasi_path_open(3, 0, "sub", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base, st.fs_rights_inheriting,
                                    0, &sub));
  show("absolute path", __wasi_path_open(sub, 0, "/sub/in/file", 0, 0, 0, 0, &f));
  show("absolute path from the root", __wasi_path_open(3, 0, "/sub/in/file", 0, 0, 0, 0, &f));
  show("dots inside", __wasi_path_open(sub, 0, "in/./../in//file", 0, 0, 0, 0, &f));
  show("close", __wasi_fd_close(f));
  show("dots above the descriptor", __wasi_path_open(sub, 0, "in/../../sub/in/file", 0, 0, 0, 0, &f));
  show("dots above the preopen", __wasi_path_open(3, 0, "../x", 0, 0, 0, 0, &f));
  __wasi_filestat_t fs;
  show("stat above the descriptor", __wasi_path_filestat_get(sub, 0, "../sub", &fs));
  show("mkdir above the descriptor", __wasi_path_create_directory(sub, "../up"));
  show("file with a trailing slash", __wasi_path_open(sub, 0, "in/file/", 0, 0, 0, 0, &f));
  show("directory with a trailing slash", __wasi_path_open(sub, 0, "in/", 0, 0, 0, 0, &f));
  show("close", __wasi_fd_close(f));
  show("stat of a file with a trailing slash", __wasi_path_filestat_get(sub, 0, "in/file/", &fs));

  show("unlink a directory", __wasi_path_unlink_file(sub, "in"));
  show("unlink a directory with a trailing slash", __wasi_path_unlink_file(sub, "in/"));
  show("unlink a file with a trailing slash", __wasi_path_unlink_file(sub, "in/file/"));
  show("rmdir a file", __wasi_path_remove_directory(sub, "in/file"));
  show("rmdir a non-empty directory", __wasi_path_remove_directory(sub, "in"));

  show("mkdir a", __wasi_path_create_directory(sub, "a"));
  show("rename a onto non-empty in", __wasi_path_rename(sub, "a", sub, "in"));
  show("rename a onto a file", __wasi_path_rename(sub, "a", sub, "in/file"));
  show("rename a file onto a", __wasi_path_rename(sub, "in/file", sub, "a"));
  show("rename a file with a trailing slash", __wasi_path_rename(sub, "in/file/", sub, "moved"));
  show("rename a file", __wasi_path_rename(sub, "in/file", sub, "moved"));
  show("unlink moved", __wasi_path_unlink_file(sub, "moved"));
  show("rmdir in", __wasi_path_remove_directory(sub, "in"));
  show("rmdir a", __wasi_path_remove_directory(sub, "a"));
  show("mkdir an existing directory", __wasi_path_create_directory(3, "sub"));
  show("a path that is no UTF-8", __wasi_path_open(3, 0, "\xff", __WASI_OFLAGS_CREAT, 0, 0, 0, &f));
  show("open from stdout", __wasi_path_open(1, 0, "x", __WASI_OFLAGS_CREAT, 0, 0, 0, &f));
  show("stat from stdout", __wasi_path_filestat_get(1, 0, "x", &fs));
  show("rename from stdout", __wasi_path_rename(1, "x", 3, "y"));
  return 0;
}
