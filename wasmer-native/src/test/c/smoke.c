/*
 * Smoke test of a platform jar's libwasmer from C, for a library that cannot run in this JVM (the cross-compiled
 * linux-aarch64 one, run under qemu-aarch64 by wasmer-ffm's Aarch64CrossJarTest): compile, instantiate, call add,
 * trap, WASI hello; and the StackGuard's stack-pointer stub, whose bytes come as argv[1] in hex.
 * Prints one line per step; exits 0 only if every step worked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "wasmer.h"

static int fail(const char *what) {
  char message[1024] = "";
  if (wasmer_last_error_length() > 0) wasmer_last_error_message(message, sizeof message);
  printf("FAILED %s %s\n", what, message);
  return 1;
}

static wasm_module_t *compile(wasm_store_t *store, const char *wat) {
  wasm_byte_vec_t text, binary;
  wasm_byte_vec_new(&text, strlen(wat), wat);
  wat2wasm(&text, &binary);
  wasm_byte_vec_delete(&text);
  wasm_module_t *module = binary.size == 0 ? NULL : wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  return module;
}

/* Copies the stub into a fresh page, makes it executable (never writable and executable at once), calls it. */
static int stack_pointer_stub(const char *hex) {
  unsigned char code[16];
  size_t n = strlen(hex) / 2;
  if (n == 0 || n > sizeof code) return fail("stub: bad bytes");
  for (size_t i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &code[i]);
  void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return fail("stub: mmap");
  memcpy(page, code, n);
  if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) return fail("stub: mprotect");
  __builtin___clear_cache((char *) page, (char *) page + n);
  volatile int local = 0;
  uintptr_t sp = ((uintptr_t (*)(void)) page)();
  uintptr_t here = (uintptr_t) &local;
  /* the caller's frame holds `local`: the stack pointer in the stub is just below it */
  if (sp > here || here - sp > 4096) {
    printf("FAILED stub: stack pointer %#lx, a local at %#lx\n", (unsigned long) sp, (unsigned long) here);
    return 1;
  }
  printf("stack pointer stub: %#lx, %lu bytes below a local\n", (unsigned long) sp, (unsigned long) (here - sp));
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) return fail("usage: smoke STUB_HEX");
  if (stack_pointer_stub(argv[1])) return 1;
  printf("wasmer %s\n", wasmer_version());

  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = compile(store,
      "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
      " (func (export \"boom\") unreachable))");
  if (!module) return fail("compile");
  printf("compiled\n");
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &none, NULL);
  if (!instance) return fail("instantiate");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  printf("instantiated\n");

  wasm_val_t args_val[2] = {WASM_I32_VAL(2), WASM_I32_VAL(40)};
  wasm_val_t results_val[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(args_val);
  wasm_val_vec_t results = WASM_ARRAY_VEC(results_val);
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &results);
  if (trap || results_val[0].of.i32 != 42) return fail("add");
  printf("add(2, 40) = %d\n", results_val[0].of.i32);

  wasm_val_vec_t no_args = WASM_EMPTY_VEC, no_results = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &no_args, &no_results);
  if (!trap) return fail("trap: none");
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("trap: %.*s\n", (int) message.size, message.data);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);

  wasi_config_t *config = wasi_config_new("hello");
  wasi_config_inherit_stdout(config);
  wasi_env_t *env = wasi_env_new(store, config);
  wasm_module_t *hello = compile(store,
      "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))"
      " (memory (export \"memory\") 1) (data (i32.const 16) \"hello from WASI\\n\")"
      " (func (export \"_start\") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 16))"
      " (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))");
  if (!env || !hello) return fail("wasi: env or module");
  wasm_extern_vec_t imports;
  if (!wasi_get_imports(store, env, hello, &imports)) return fail("wasi: imports");
  wasm_instance_t *program = wasm_instance_new(store, hello, &imports, NULL);
  if (!program || !wasi_env_initialize_instance(env, store, program)) return fail("wasi: instantiate");
  fflush(stdout);
  trap = wasm_func_call(wasi_get_start_function(program), &no_args, &no_results);
  if (trap) return fail("wasi: _start trapped");
  printf("all steps passed\n");
  return 0;
}
