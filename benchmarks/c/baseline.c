/* The C baseline: the same operations as the JMH benchmarks, through libwasmer's C API directly, on the same
 * modules. Usage: baseline KERNEL_DIR CALLS. Prints one line per benchmark: "<name> <ns per op>". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wasmer.h"

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static const char *WAT =
    "(module"
    "  (import \"env\" \"host\" (func $host (param i32) (result i32)))"
    "  (memory (export \"memory\") 17)"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    "  (func (export \"round_trip\") (param i32) (result i32) local.get 0 call $host))";

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = 0;
  while (fgets(line, sizeof line, f)) if (!strncmp(line, "VmRSS:", 6)) v = atol(line + 6);
  fclose(f);
  return v;
}

static wasm_trap_t *host(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

/* Best of 5 rounds of n calls, in ns per call; the first argument is varied for i32 functions. */
static double bench(const wasm_func_t *f, wasm_val_vec_t *args, wasm_val_vec_t *results, long n) {
  double best = 1e18;
  for (int round = 0; round < 5; round++) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      if (args->size && args->data[0].kind == WASM_I32) args->data[0].of.i32 = (int32_t) i;
      wasm_trap_t *trap = wasm_func_call(f, args, results);
      if (trap) { fprintf(stderr, "trap\n"); exit(1); }
    }
    double per = (now_ns() - t0) / n;
    if (per < best) best = per;
  }
  return best;
}

static wasm_byte_vec_t load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_t raw, out;
  wasm_byte_vec_new_uninitialized(&raw, size);
  if (fread(raw.data, 1, size, f) != (size_t) size) { perror(path); exit(1); }
  fclose(f);
  wat2wasm(&raw, &out); /* WAT or binary */
  wasm_byte_vec_delete(&raw);
  return out;
}

/* Runs export "run" of DIR/NAME with an i64 argument. */
static void kernel(wasm_store_t *store, const char *dir, const char *file, const char *name, int64_t arg, long n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  wasm_byte_vec_t wasm = load(path);
  wasm_module_t *module = wasm_module_new(store, &wasm);
  if (!module) { fprintf(stderr, "compile %s failed\n", file); exit(1); }
  wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *run = NULL;
  for (size_t i = 0; i < exports.size; i++)
    if (wasm_extern_kind(exports.data[i]) == WASM_EXTERN_FUNC) run = wasm_extern_as_func(exports.data[i]);
  wasm_val_t a[1] = {WASM_I64_VAL(arg)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  printf("%s %.1f\n", name, bench(run, &args, &res, n));
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&wasm);
}

/* One thread's share of the scaling run: a store and instance of its own, then n adds. */
typedef struct {
  wasm_engine_t *engine;
  wasm_module_t *module;
  long n;
} adds_t;

static void *adds(void *p) {
  adds_t *a = p;
  wasm_store_t *s = wasm_store_new(a->engine);
  wasm_extern_vec_t none = WASM_EMPTY_VEC, exports;
  wasm_instance_t *in = wasm_instance_new(s, a->module, &none, NULL);
  wasm_instance_exports(in, &exports);
  const wasm_func_t *f = wasm_extern_as_func(exports.data[0]);
  wasm_val_t v[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(v), res = WASM_ARRAY_VEC(r);
  for (long i = 0; i < a->n; i++) {
    v[0].of.i32 = (int32_t) i;
    if (wasm_func_call(f, &args, &res)) { fprintf(stderr, "trap\n"); exit(1); }
  }
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(in);
  wasm_store_delete(s);
  return NULL;
}

/* Adds per ns on `threads` threads, each with its own store (as the pool's instances). */
static double add_throughput(wasm_engine_t *engine, wasm_module_t *module, int threads, long n) {
  pthread_t t[2];
  adds_t a = {engine, module, n};
  double t0 = now_ns();
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, adds, &a);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  return threads * n / (now_ns() - t0);
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* 2 threads over 1: the median of 5 rounds of one run each, alternating, so load that drifts weighs on both. */
static double add_scaling(wasm_engine_t *engine, wasm_module_t *module, long n) {
  double ratios[5];
  for (int round = 0; round < 5; round++) {
    double one = add_throughput(engine, module, 1, n);
    ratios[round] = add_throughput(engine, module, 2, n) / one;
  }
  qsort(ratios, 5, sizeof ratios[0], by_value);
  return ratios[2];
}

/* The module Probes uses for cold start and memory. */
static const char *SMALL = "(module (memory (export \"memory\") 1)"
    " (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))";

/* Cold start as Probes measures it from main(): engine, compile, instantiate, first call. */
static void cold_start(void) {
  double t0 = now_ns();
  wasm_engine_t *e = wasm_engine_new();
  wasm_store_t *s = wasm_store_new(e);
  wasm_byte_vec_t w, b;
  wasm_byte_vec_new(&w, strlen(SMALL), SMALL);
  wat2wasm(&w, &b);
  wasm_module_t *m = wasm_module_new(s, &b);
  wasm_extern_vec_t none = WASM_EMPTY_VEC, exports;
  wasm_instance_t *in = wasm_instance_new(s, m, &none, NULL);
  wasm_instance_exports(in, &exports);
  wasm_val_t a[1] = {WASM_I32_VAL(41)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &args, &res);
  if (trap || r[0].of.i32 != 42) { fprintf(stderr, "cold start call failed\n"); exit(1); }
  printf("cold_start_ms %.2f\n", (now_ns() - t0) / 1e6);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(in);
  wasm_module_delete(m);
  wasm_byte_vec_delete(&b);
  wasm_byte_vec_delete(&w);
  wasm_store_delete(s);
  wasm_engine_delete(e);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  long n = argc > 2 ? atol(argv[2]) : 2000000;
  cold_start();
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_byte_vec_t wat, wasm;
  wasm_byte_vec_new(&wat, strlen(WAT), WAT);
  wat2wasm(&wat, &wasm);
  wasm_module_t *module = wasm_module_new(store, &wasm);
  if (!module) { fprintf(stderr, "compile failed\n"); return 1; }
  wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *hostf = wasm_func_new(store, ft, host);
  wasm_extern_t *ext[] = {wasm_func_as_extern(hostf)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(ext);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
  const wasm_func_t *add = wasm_extern_as_func(exports.data[1]);
  const wasm_func_t *rt = wasm_extern_as_func(exports.data[2]);

  wasm_val_t a2[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)};
  wasm_val_t r1[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args2 = WASM_ARRAY_VEC(a2), res = WASM_ARRAY_VEC(r1);
  printf("add %.1f\n", bench(add, &args2, &res, n));
  wasm_val_t a1[1] = {WASM_I32_VAL(1)};
  wasm_val_vec_t args1 = WASM_ARRAY_VEC(a1);
  printf("host_round_trip %.1f\n", bench(rt, &args1, &res, n));

  /* 1 MiB into linear memory and back out: the floor for bulk copies */
  size_t mib = 1 << 20;
  char *src = malloc(mib), *dst = malloc(mib);
  memset(src, 7, mib);
  double best = 1e18;
  for (int round = 0; round < 5; round++) {
    double t0 = now_ns();
    for (int i = 0; i < 200; i++) {
      memcpy(wasm_memory_data(memory), src, mib);
      memcpy(dst, wasm_memory_data(memory), mib);
    }
    double per = (now_ns() - t0) / 200;
    if (per < best) best = per;
  }
  printf("memory_1mib %.1f\n", best);

  /* add on 2 threads vs 1, each with its own store: the scaling floor of libwasmer and this machine */
  {
    const char *ADD = "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";
    wasm_byte_vec_t w, b;
    wasm_byte_vec_new(&w, strlen(ADD), ADD);
    wat2wasm(&w, &b);
    wasm_module_t *m = wasm_module_new(store, &b);
    printf("add_2_threads_vs_1 %.2f\n", add_scaling(engine, m, n / 5));
    wasm_module_delete(m);
    wasm_byte_vec_delete(&b);
    wasm_byte_vec_delete(&w);
  }

  long k = n / 20000 + 1;
  kernel(store, dir, "fib.wat", "kernel_fib", 25, k);
  kernel(store, dir, "loop.wat", "kernel_loop", 1000000, k);
  kernel(store, dir, "sieve.wat", "kernel_sieve", 1 << 20, k);
  kernel(store, dir, "sha256.wasm", "kernel_sha256", 1 << 20, k);

  /* resident memory that 1000 live instances, each in its own store, add (as Probes rss-1000 does) */
  {
    wasm_byte_vec_t w, b;
    wasm_byte_vec_new(&w, strlen(SMALL), SMALL);
    wat2wasm(&w, &b);
    wasm_module_t *m = wasm_module_new(store, &b);
    wasm_store_t *stores[1000];
    wasm_instance_t *instances[1000];
    for (int i = 0; i < 1000; i++) { /* warm up as the Java probe does: 1000 made and freed */
      wasm_store_t *warm = wasm_store_new(engine);
      wasm_extern_vec_t none = WASM_EMPTY_VEC;
      wasm_instance_delete(wasm_instance_new(warm, m, &none, NULL));
      wasm_store_delete(warm);
    }
    long before = rss_kib();
    for (int i = 0; i < 1000; i++) {
      stores[i] = wasm_store_new(engine);
      wasm_extern_vec_t none = WASM_EMPTY_VEC, ex;
      instances[i] = wasm_instance_new(stores[i], m, &none, NULL);
      wasm_instance_exports(instances[i], &ex);
      wasm_val_t a[1] = {WASM_I32_VAL(i)}, r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
      wasm_func_call(wasm_extern_as_func(ex.data[1]), &av, &rv);
      wasm_extern_vec_delete(&ex);
    }
    printf("rss_1000_kib %ld\n", rss_kib() - before);
    for (int i = 0; i < 1000; i++) { wasm_instance_delete(instances[i]); wasm_store_delete(stores[i]); }
    wasm_module_delete(m);
    wasm_byte_vec_delete(&b);
    wasm_byte_vec_delete(&w);
  }

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(hostf);
  wasm_functype_delete(ft);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&wasm);
  wasm_byte_vec_delete(&wat);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  free(src);
  free(dst);
  return 0;
}
