/* A plugin written in C, compiled to a wasm binary by the build (tools/build-wasm-programs.sh ... library). */
#define EXPORT(name) __attribute__((export_name(name)))

/* Steps of the Collatz sequence from n down to 1. */
EXPORT("collatz") int collatz(int n) {
  int steps = 0;
  while (n > 1) {
    n = (n % 2) ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

/* Integer square root by Newton's method. */
EXPORT("isqrt") long long isqrt(long long x) {
  if (x < 2) return x;
  long long r = x;
  long long y = (r + 1) / 2;
  while (y < r) { r = y; y = (r + x / r) / 2; }
  return r;
}
