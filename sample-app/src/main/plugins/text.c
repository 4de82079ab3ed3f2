/*
 * A text plugin in C that follows the starter's byte convention (see @WasmModule): it exports alloc/dealloc and its
 * memory, takes strings as (ptr, len), returns them as ptr << 32 | len, and imports env.log from a Spring bean.
 */
#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

IMPORT("log") void host_log(const char *text, int len);

/* A stack allocator: the Java side frees last-allocated first, so freeing the top block is all it takes. */
static unsigned char heap[1 << 16];
static int top;

EXPORT("alloc") unsigned char *alloc(int n) {
  if (n < 0 || n > (int)sizeof heap - top) __builtin_trap();
  unsigned char *p = heap + top;
  top += n;
  return p;
}

EXPORT("dealloc") void dealloc(unsigned char *p, int n) {
  if (p + n == heap + top) top -= n;
}

static int alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned long long pack(unsigned char *p, int len) {
  return ((unsigned long long)(unsigned long)p << 32) | (unsigned)len;
}

/* "Hello, Wasm World!" -> "hello-wasm-world": ASCII letters and digits, lower-cased, runs of others as one dash. */
EXPORT("slug") unsigned long long slug(const unsigned char *s, int n) {
  host_log((const char *)s, n);
  unsigned char *out = alloc(n);
  int len = 0, gap = 0;
  for (int i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (!alnum(c)) { gap = 1; continue; }
    if (gap && len) out[len++] = '-';
    gap = 0;
    out[len++] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
  }
  top -= n - len; /* give back what the slug did not use: the block stays the top one */
  return pack(out, len);
}

/* Runs of ASCII letters and digits. */
EXPORT("words") int words(const unsigned char *s, int n) {
  int count = 0;
  for (int i = 0; i < n; i++) count += alnum(s[i]) && (i == 0 || !alnum(s[i - 1]));
  return count;
}
