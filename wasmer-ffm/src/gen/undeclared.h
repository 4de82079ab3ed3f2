/* Functions libwasmer exports without declaring them in any header (its types module is cbindgen:ignore).
 * The two frame helpers return by value a struct holding one owned C string (NULL when unknown); a struct of one
 * pointer is returned exactly like a pointer on the SysV x86_64 and AArch64 ABIs, so it is declared as char*.
 * wasm_name_delete frees that string through a pointer to the struct (a char**). It is NOT the wasm.h macro
 * wasm_name_delete (= wasm_byte_vec_delete): this file is preprocessed without wasm.h so the name stays the symbol. */
#include <stdint.h>
typedef struct wasm_frame_t wasm_frame_t;
char* wasm_frame_func_name(const wasm_frame_t* frame);
char* wasm_frame_module_name(const wasm_frame_t* frame);
void wasm_name_delete(char** name);
