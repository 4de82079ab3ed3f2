#include <stdio.h>
#include <wasi/api.h>
/*
 * Rights as WASI runtimes keep them, on raw preview 1 calls in the directory preopened at 3; one line per call,
 * its WASI errno (0: success; 76: NOTCAPABLE). libwasmer gives every descriptor the file rights and answers a
 * missing one with ACCES (2).
 */
#define R(x) __WASI_RIGHTS_##x
static void show(const char *what, __wasi_errno_t e) { printf("%s: %d\n", what, e); }

int main(void) {
  __wasi_fdstat_t st;
  show("fdstat of the preopen", __wasi_fd_fdstat_get(3, &st));
  printf("directory rights: seek %d tell %d read %d write %d set_size %d, path_open %d readdir %d\n",
         !!(st.fs_rights_base & R(FD_SEEK)), !!(st.fs_rights_base & R(FD_TELL)), !!(st.fs_rights_base & R(FD_READ)),
         !!(st.fs_rights_base & R(FD_WRITE)), !!(st.fs_rights_base & R(FD_FILESTAT_SET_SIZE)),
         !!(st.fs_rights_base & R(PATH_OPEN)), !!(st.fs_rights_base & R(FD_READDIR)));
  __wasi_filesize_t pos;
  show("seek a directory", __wasi_fd_seek(3, 0, __WASI_WHENCE_SET, &pos));
  show("tell a directory", __wasi_fd_tell(3, &pos));
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  size_t n;
  show("read a directory", __wasi_fd_read(3, &iov, 1, &n));
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  show("write a directory", __wasi_fd_write(3, &ciov, 1, &n));
  show("size a directory", __wasi_fd_filestat_set_size(3, 0));

  /* asking a directory for the seek right does not give it */
  __wasi_fd_t d;
  show("mkdir d", __wasi_path_create_directory(3, "d"));
  show("open d asking to seek", __wasi_path_open(3, 0, "d", __WASI_OFLAGS_DIRECTORY, R(FD_SEEK) | R(PATH_OPEN), 0, 0, &d));
  show("fdstat of d", __wasi_fd_fdstat_get(d, &st));
  printf("d rights: %llu\n", (unsigned long long)st.fs_rights_base);
  show("seek d", __wasi_fd_seek(d, 0, __WASI_WHENCE_CUR, &pos));

  /* a file's rights are the ones asked for, whatever the open flags */
  __wasi_fd_t f, g;
  __wasi_rights_t rw = R(FD_READ) | R(FD_WRITE) | R(FD_SEEK);
  show("create f", __wasi_path_open(3, 0, "f", __WASI_OFLAGS_CREAT, rw, 0, 0, &f));
  show("open f again", __wasi_path_open(3, 0, "f", 0, rw, 0, 0, &g));
  __wasi_fdstat_t sf, sg;
  show("fdstat f", __wasi_fd_fdstat_get(f, &sf));
  show("fdstat g", __wasi_fd_fdstat_get(g, &sg));
  printf("same rights: %d, exactly asked: %d\n", sf.fs_rights_base == sg.fs_rights_base, sf.fs_rights_base == rw);
  show("open under a file", __wasi_path_open(f, 0, "x", 0, 0, 0, 0, &d));

  /* rights can be dropped, never gained back */
  show("drop write", __wasi_fd_fdstat_set_rights(f, R(FD_READ) | R(FD_SEEK), 0));
  show("write without the right", __wasi_fd_write(f, &ciov, 1, &n));
  show("read with the right", __wasi_fd_read(f, &iov, 1, &n));
  show("take write back", __wasi_fd_fdstat_set_rights(f, rw, 0));

  /* truncating and creating need the directory's path rights */
  __wasi_fd_t dot;
  show("fdstat of the preopen again", __wasi_fd_fdstat_get(3, &st));
  show("open .", __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base, st.fs_rights_inheriting, 0, &dot));
  show("drop path_filestat_set_size and path_create_file",
       __wasi_fd_fdstat_set_rights(dot, st.fs_rights_base & ~(R(PATH_FILESTAT_SET_SIZE) | R(PATH_CREATE_FILE)),
                                   st.fs_rights_inheriting));
  show("truncate without the right", __wasi_path_open(dot, 0, "f", __WASI_OFLAGS_TRUNC, 0, 0, 0, &g));
  show("create without the right", __wasi_path_open(dot, 0, "new", __WASI_OFLAGS_CREAT, 0, 0, 0, &g));
  show("open without truncating", __wasi_path_open(dot, 0, "f", 0, 0, 0, 0, &g));
  return 0;
}
