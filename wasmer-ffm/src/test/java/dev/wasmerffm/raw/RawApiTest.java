package dev.wasmerffm.raw;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.WasmerLibrary;
import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The raw layer used directly, as a C program would: every function the idiomatic API does not need, called with
 * valid arguments, so each downcall's descriptor is proven against the real library.
 */
class RawApiTest {

    static final MemorySegment NULL = MemorySegment.NULL;
    static final int I32 = LibWasm.wasm_valkind_enum.WASM_I32;
    static final int FUNCREF = LibWasm.wasm_valkind_enum.WASM_FUNCREF;

    Arena arena;
    MemorySegment engine;
    MemorySegment store;

    @BeforeEach
    void setUp() {
        WasmerLibrary.load();
        arena = Arena.ofConfined();
        engine = LibWasm.wasm_engine_new();
        store = LibWasm.wasm_store_new(engine);
    }

    @AfterEach
    void tearDown() {
        LibWasm.wasm_store_delete(store);
        LibWasm.wasm_engine_delete(engine);
        arena.close();
    }

    MemorySegment vec() {
        return arena.allocate(Layouts.VEC);
    }

    MemorySegment name(String s) {
        MemorySegment v = vec();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        LibWasm.wasm_byte_vec_new(v, b.length, arena.allocateFrom(JAVA_BYTE, b)); // libwasmer-owned copy
        return v;
    }

    MemorySegment limits(int min, int max) {
        MemorySegment l = arena.allocate(Layouts.LIMITS);
        l.set(JAVA_INT, 0, min);
        l.set(JAVA_INT, 4, max);
        return l;
    }

    MemorySegment functype() {
        MemorySegment params = vec();
        MemorySegment results = vec();
        LibWasm.wasm_valtype_vec_new_empty(params);
        LibWasm.wasm_valtype_vec_new_uninitialized(results, 0);
        return LibWasm.wasm_functype_new(params, results);
    }

    static Method method(String name, Class<?>... params) throws NoSuchMethodException {
        for (Class<?> c : new Class<?>[] {LibWasm.class, LibWasmer.class}) {
            try {
                return c.getMethod(name, params);
            } catch (NoSuchMethodException ignored) {
                // try the next class
            }
        }
        throw new NoSuchMethodException(name);
    }

    /** new_empty, new_uninitialized(0), new(1 element, moved in), copy and delete of one vec family. */
    void vecFamily(String type, MemorySegment element, long elementSize) throws Exception {
        String p = type + "_vec_";
        MemorySegment v = vec();
        method(p + "new_empty", MemorySegment.class).invoke(null, v);
        assertThat(Layouts.vecSize(v)).isZero();
        method(p + "delete", MemorySegment.class).invoke(null, v);
        method(p + "new_uninitialized", MemorySegment.class, long.class).invoke(null, v, 0L);
        method(p + "delete", MemorySegment.class).invoke(null, v);
        MemorySegment elems = arena.allocate(elementSize);
        MemorySegment.copy(element, 0, elems, 0, elementSize);
        method(p + "new", MemorySegment.class, long.class, MemorySegment.class).invoke(null, v, 1L, elems);
        assertThat(Layouts.vecSize(v)).isEqualTo(1);
        MemorySegment copy = vec();
        method(p + "copy", MemorySegment.class, MemorySegment.class).invoke(null, copy, v);
        assertThat(Layouts.vecSize(copy)).isEqualTo(1);
        method(p + "delete", MemorySegment.class).invoke(null, copy);
        method(p + "delete", MemorySegment.class).invoke(null, v);
    }

    MemorySegment pointer(MemorySegment p) {
        MemorySegment s = arena.allocate(ADDRESS);
        s.set(ADDRESS, 0, p);
        return s;
    }

    @Test
    void everyVecFamily() throws Exception {
        MemorySegment val = arena.allocate(Layouts.VAL);
        val.set(JAVA_BYTE, 0, (byte) I32);
        val.set(JAVA_INT, 8, 7);
        vecFamily("wasm_byte", arena.allocateFrom(JAVA_BYTE, (byte) 1), 1);
        vecFamily("wasm_val", val, Layouts.VAL.byteSize());
        vecFamily("wasm_valtype", pointer(LibWasm.wasm_valtype_new(I32)), 8);
        vecFamily("wasm_functype", pointer(functype()), 8);
        vecFamily("wasm_globaltype", pointer(LibWasm.wasm_globaltype_new(LibWasm.wasm_valtype_new(I32), 0)), 8);
        vecFamily(
                "wasm_tabletype",
                pointer(LibWasm.wasm_tabletype_new(LibWasm.wasm_valtype_new(FUNCREF), limits(1, 2))),
                8);
        vecFamily("wasm_memorytype", pointer(LibWasm.wasm_memorytype_new(limits(1, 2))), 8);
        MemorySegment memType = LibWasm.wasm_memorytype_new(limits(1, 1));
        vecFamily(
                "wasm_importtype",
                pointer(LibWasm.wasm_importtype_new(
                        name("env"),
                        name("m"),
                        LibWasm.wasm_externtype_copy(LibWasm.wasm_memorytype_as_externtype(memType)))),
                8);
        vecFamily(
                "wasm_exporttype",
                pointer(LibWasm.wasm_exporttype_new(
                        name("m"), LibWasm.wasm_externtype_copy(LibWasm.wasm_memorytype_as_externtype_const(memType)))),
                8);
        MemorySegment memory = LibWasm.wasm_memory_new(store, memType);
        vecFamily("wasm_extern", pointer(LibWasm.wasm_extern_copy(LibWasm.wasm_memory_as_extern(memory))), 8);
        LibWasm.wasm_memory_delete(memory);
        LibWasm.wasm_memorytype_delete(memType);
        MemorySegment named = vec();
        LibWasmer.wasmer_named_extern_vec_new_empty(named);
        MemorySegment namedCopy = vec();
        LibWasmer.wasmer_named_extern_vec_copy(namedCopy, named);
        LibWasmer.wasmer_named_extern_vec_delete(namedCopy);
        LibWasmer.wasmer_named_extern_vec_new_uninitialized(named, 0);
        LibWasmer.wasmer_named_extern_vec_new(named, 0, arena.allocate(ADDRESS));
        LibWasmer.wasmer_named_extern_vec_delete(named);
    }

    @Test
    void importAndExportTypes() {
        MemorySegment gt = LibWasm.wasm_globaltype_new(LibWasm.wasm_valtype_new(I32), 1);
        MemorySegment it = LibWasm.wasm_importtype_new(
                name("env"), name("g"), LibWasm.wasm_externtype_copy(LibWasm.wasm_globaltype_as_externtype(gt)));
        MemorySegment itCopy = LibWasm.wasm_importtype_copy(it);
        assertThat(new String(
                        Layouts.vecData(LibWasm.wasm_importtype_module(itCopy).reinterpret(16), 1)
                                .toArray(JAVA_BYTE)))
                .isEqualTo("env");
        assertThat(Layouts.vecSize(LibWasm.wasm_importtype_name(itCopy).reinterpret(16)))
                .isEqualTo(1);
        MemorySegment et = LibWasm.wasm_importtype_type(itCopy);
        assertThat(LibWasm.wasm_externtype_kind(et)).isEqualTo(LibWasm.wasm_externkind_enum.WASM_EXTERN_GLOBAL);
        assertThat(LibWasm.wasm_globaltype_mutability(LibWasm.wasm_externtype_as_globaltype_const(et)))
                .isEqualTo(1);
        assertThat(LibWasm.wasm_externtype_as_globaltype(et)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_globaltype_as_externtype_const(gt)).isNotEqualTo(NULL);
        LibWasm.wasm_importtype_delete(itCopy);
        LibWasm.wasm_importtype_delete(it);

        MemorySegment ft = functype();
        MemorySegment xt = LibWasm.wasm_exporttype_new(
                name("f"), LibWasm.wasm_externtype_copy(LibWasm.wasm_functype_as_externtype(ft)));
        MemorySegment xtCopy = LibWasm.wasm_exporttype_copy(xt);
        assertThat(Layouts.vecSize(LibWasm.wasm_exporttype_name(xtCopy).reinterpret(16)))
                .isEqualTo(1);
        MemorySegment fet = LibWasm.wasm_exporttype_type(xtCopy);
        assertThat(LibWasm.wasm_externtype_as_functype(fet)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_externtype_as_functype_const(fet)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_functype_as_externtype_const(ft)).isNotEqualTo(NULL);
        MemorySegment ftCopy = LibWasm.wasm_functype_copy(ft);
        LibWasm.wasm_functype_delete(ftCopy);
        LibWasm.wasm_exporttype_delete(xtCopy);
        LibWasm.wasm_exporttype_delete(xt);
        LibWasm.wasm_functype_delete(ft);

        MemorySegment tt = LibWasm.wasm_tabletype_new(LibWasm.wasm_valtype_new(FUNCREF), limits(1, 3));
        MemorySegment ttExt = LibWasm.wasm_tabletype_as_externtype(tt);
        assertThat(LibWasm.wasm_externtype_as_tabletype(ttExt)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_externtype_as_tabletype_const(LibWasm.wasm_tabletype_as_externtype_const(tt)))
                .isNotEqualTo(NULL);
        MemorySegment mt = LibWasm.wasm_memorytype_new(limits(1, 3));
        MemorySegment mtExt = LibWasm.wasm_memorytype_as_externtype(mt);
        assertThat(LibWasm.wasm_externtype_as_memorytype(mtExt)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_externtype_as_memorytype_const(mtExt)).isNotEqualTo(NULL);
        MemorySegment mtExtCopy = LibWasm.wasm_externtype_copy(mtExt);
        LibWasm.wasm_externtype_delete(mtExtCopy);
        LibWasm.wasm_tabletype_delete(tt);
        LibWasm.wasm_memorytype_delete(mt);
        MemorySegment v = LibWasm.wasm_valtype_new(I32);
        LibWasm.wasm_valtype_delete(v);
        LibWasm.wasm_globaltype_delete(gt);
    }

    /** An upcall stub for {@link #callback}, a {@code wasm_func_callback_t}. */
    MemorySegment callbackStub() throws ReflectiveOperationException {
        return Native.LINKER.upcallStub(
                MethodHandles.lookup()
                        .findStatic(
                                RawApiTest.class,
                                "callback",
                                MethodType.methodType(MemorySegment.class, MemorySegment.class, MemorySegment.class)),
                Layouts.FUNC_CALLBACK,
                arena);
    }

    static MemorySegment callback(MemorySegment args, MemorySegment results) {
        return MemorySegment.NULL;
    }

    @Test
    void externsReferencesForeignsAndValues() throws Exception {
        MemorySegment mt = LibWasm.wasm_memorytype_new(limits(1, 2));
        MemorySegment m1 = LibWasm.wasm_memory_new(store, mt);
        MemorySegment m2 = LibWasm.wasm_memory_copy(m1);
        assertThat(LibWasm.wasm_memory_same(m1, m2)).isTrue();
        MemorySegment ext = LibWasm.wasm_extern_copy(LibWasm.wasm_memory_as_extern(m1));
        MemorySegment extType = LibWasm.wasm_extern_type(ext);
        assertThat(LibWasm.wasm_externtype_kind(extType)).isEqualTo(LibWasm.wasm_externkind_enum.WASM_EXTERN_MEMORY);
        LibWasm.wasm_externtype_delete(extType);
        LibWasm.wasm_extern_delete(ext);
        LibWasm.wasm_memory_delete(m2);
        LibWasm.wasm_memory_delete(m1);
        LibWasm.wasm_memorytype_delete(mt);

        MemorySegment tt = LibWasm.wasm_tabletype_new(LibWasm.wasm_valtype_new(FUNCREF), limits(1, 2));
        MemorySegment t1 = LibWasm.wasm_table_new(store, tt, NULL);
        MemorySegment t2 = LibWasm.wasm_table_copy(t1);
        assertThat(LibWasm.wasm_table_same(t1, t2)).isTrue();
        LibWasm.wasm_table_delete(t2);
        LibWasm.wasm_table_delete(t1);
        LibWasm.wasm_tabletype_delete(tt);

        MemorySegment gt = LibWasm.wasm_globaltype_new(LibWasm.wasm_valtype_new(I32), 0);
        MemorySegment val = arena.allocate(Layouts.VAL);
        val.set(JAVA_BYTE, 0, (byte) I32);
        val.set(JAVA_INT, 8, 5);
        MemorySegment g = LibWasm.wasm_global_new(store, gt, val);
        MemorySegment gCopy = LibWasm.wasm_global_copy(g);
        MemorySegment out = arena.allocate(Layouts.VAL);
        LibWasm.wasm_global_get(gCopy, out);
        assertThat(out.get(JAVA_INT, 8)).isEqualTo(5);
        MemorySegment valCopy = arena.allocate(Layouts.VAL);
        LibWasm.wasm_val_copy(valCopy, out);
        assertThat(valCopy.get(JAVA_INT, 8)).isEqualTo(5);
        LibWasm.wasm_val_delete(valCopy);
        LibWasm.wasm_global_delete(gCopy);
        LibWasm.wasm_global_delete(g);
        LibWasm.wasm_globaltype_delete(gt);

        MemorySegment foreign = LibWasm.wasm_foreign_new(store);
        LibWasm.wasm_foreign_set_host_info_with_finalizer(foreign, MemorySegment.ofAddress(42), NULL);
        assertThat(LibWasm.wasm_foreign_get_host_info(foreign).address()).isEqualTo(42);
        MemorySegment fCopy = LibWasm.wasm_foreign_copy(foreign);
        assertThat(LibWasm.wasm_foreign_same(foreign, fCopy)).isTrue();
        MemorySegment ref = LibWasm.wasm_foreign_as_ref_const(foreign);
        assertThat(LibWasm.wasm_ref_as_foreign(ref)).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_ref_as_foreign_const(ref)).isNotEqualTo(NULL);
        MemorySegment refCopy = LibWasm.wasm_ref_copy(ref);
        assertThat(LibWasm.wasm_ref_same(ref, refCopy)).isTrue();
        LibWasm.wasm_ref_set_host_info(refCopy, MemorySegment.ofAddress(43));
        LibWasm.wasm_ref_set_host_info_with_finalizer(refCopy, MemorySegment.ofAddress(44), NULL);
        LibWasm.wasm_ref_delete(refCopy);
        LibWasm.wasm_foreign_delete(fCopy);
        LibWasm.wasm_foreign_delete(foreign);

        MemorySegment stub = callbackStub();
        MemorySegment ft = functype();
        MemorySegment func = LibWasm.wasm_func_new(store, ft, stub);
        MemorySegment empty = vec();
        assertThat(LibWasm.wasm_func_call(func, empty, empty)).isEqualTo(NULL);
        MemorySegment funcCopy = LibWasm.wasm_func_copy(func);
        MemorySegment fref = LibWasm.wasm_func_as_ref_const(funcCopy);
        MemorySegment back = LibWasm.wasm_ref_as_func_const(fref);
        LibWasm.wasm_func_delete(back);
        LibWasm.wasm_ref_delete(fref);
        LibWasm.wasm_func_delete(funcCopy);
        LibWasm.wasm_func_delete(func);
        LibWasm.wasm_functype_delete(ft);

        MemorySegment env = LibWasmer.wasmer_funcenv_new(store, NULL);
        LibWasmer.wasmer_funcenv_delete(env);
    }

    @Test
    void modulesTrapsAndFrames() throws Exception {
        MemorySegment wat = name("(module (import \"e\" \"f\" (func)) (memory (export \"m\") 1)"
                + " (func (export \"boom\") unreachable))");
        MemorySegment wasm = vec();
        LibWasmer.wat2wasm(wat, wasm);
        assertThat(Layouts.vecSize(wasm)).isPositive();
        MemorySegment module = LibWasm.wasm_module_new(store, wasm);
        assertThat(module).isNotEqualTo(NULL);
        MemorySegment imports = vec();
        LibWasm.wasm_module_imports(module, imports);
        assertThat(Layouts.vecSize(imports)).isEqualTo(1);
        LibWasm.wasm_importtype_vec_delete(imports);
        MemorySegment exports = vec();
        LibWasm.wasm_module_exports(module, exports);
        assertThat(Layouts.vecSize(exports)).isEqualTo(2);
        LibWasm.wasm_exporttype_vec_delete(exports);

        MemorySegment ft = functype();
        MemorySegment stub = callbackStub();
        MemorySegment f = LibWasm.wasm_func_new(store, ft, stub);
        MemorySegment importVec = vec();
        importVec.set(JAVA_LONG, 0, 1);
        importVec.set(ADDRESS, 8, pointer(LibWasm.wasm_func_as_extern(f)));
        MemorySegment instance = LibWasm.wasm_instance_new(store, module, importVec, NULL);
        MemorySegment ext = vec();
        LibWasm.wasm_instance_exports(instance, ext);
        MemorySegment boom = LibWasm.wasm_extern_as_func(Layouts.vecData(ext, 8).get(ADDRESS, 8));
        MemorySegment empty = vec();
        MemorySegment trap = LibWasm.wasm_func_call(boom, empty, empty);
        MemorySegment origin = LibWasm.wasm_trap_origin(trap);
        assertThat(origin).isNotEqualTo(NULL);
        assertThat(LibWasm.wasm_frame_instance(origin)).isEqualTo(NULL); // documented: always NULL in libwasmer
        MemorySegment frameCopy = LibWasm.wasm_frame_copy(origin);
        assertThat(LibWasm.wasm_frame_func_index(frameCopy)).isEqualTo(LibWasm.wasm_frame_func_index(origin));
        LibWasm.wasm_frame_delete(frameCopy);
        vecFamily("wasm_frame", pointer(LibWasm.wasm_frame_copy(origin)), 8);
        LibWasm.wasm_frame_delete(origin);
        LibWasm.wasm_trap_delete(trap);
        LibWasm.wasm_extern_vec_delete(ext);
        LibWasm.wasm_instance_delete(instance);
        LibWasm.wasm_func_delete(f);
        LibWasm.wasm_functype_delete(ft);
        LibWasm.wasm_module_delete(module);
        LibWasm.wasm_byte_vec_delete(wasm);
        LibWasm.wasm_byte_vec_delete(wat);
    }

    @Test
    void configsFeaturesTargetsMeteringAndWasi() throws Exception {
        MemorySegment config = LibWasm.wasm_config_new();
        LibWasm.wasm_config_delete(config);
        MemorySegment features = LibWasmer.wasmer_features_new();
        assertThat(LibWasmer.wasmer_features_simd(features, true)).isTrue();
        LibWasmer.wasmer_features_delete(features);
        MemorySegment target = LibWasmer.wasmer_target_new(
                LibWasmer.wasmer_triple_new_from_host(), LibWasmer.wasmer_cpu_features_new());
        LibWasmer.wasmer_target_delete(target);
        MemorySegment metering = LibWasmer.wasmer_metering_new(10, NULL);
        LibWasmer.wasmer_metering_delete(metering);

        MemorySegment wasiConfig = LibWasi.wasi_config_new(arena.allocateFrom("raw"));
        LibWasi.wasi_config_inherit_stdin(wasiConfig);
        LibWasi.wasi_config_inherit_stdout(wasiConfig);
        LibWasi.wasi_config_inherit_stderr(wasiConfig);
        assertThat(LibWasi.wasi_config_preopen_dir(wasiConfig, arena.allocateFrom("/tmp")))
                .isTrue();
        MemorySegment wasiEnv = LibWasi.wasi_env_new(store, wasiConfig);
        MemorySegment buffer = arena.allocate(16);
        assertThat(LibWasi.wasi_env_read_stdout(wasiEnv, buffer, 16)).isLessThanOrEqualTo(0);
        assertThat(LibWasi.wasi_env_read_stderr(wasiEnv, buffer, 16)).isLessThanOrEqualTo(0);
        MemorySegment wat = name("(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32)))"
                + " (memory (export \"memory\") 1) (func (export \"_start\")))");
        MemorySegment wasm = vec();
        LibWasmer.wat2wasm(wat, wasm);
        MemorySegment module = LibWasm.wasm_module_new(store, wasm);
        MemorySegment imports = vec();
        assertThat(LibWasi.wasi_get_imports(store, wasiEnv, module, imports)).isTrue();
        assertThat(Layouts.vecSize(imports)).isEqualTo(1);
        MemorySegment instance = LibWasm.wasm_instance_new(store, module, imports, NULL);
        assertThat(LibWasi.wasi_env_initialize_instance(wasiEnv, store, instance))
                .isTrue();
        LibWasi.wasi_env_delete(wasiEnv); // safe: bound to an instance with memory
        LibWasm.wasm_instance_delete(instance);
        LibWasm.wasm_extern_vec_delete(imports);
        LibWasm.wasm_module_delete(module);
        LibWasm.wasm_byte_vec_delete(wasm);
        LibWasm.wasm_byte_vec_delete(wat);

        MemorySegment bytes = vec();
        LibWasm.wasm_byte_vec_new_uninitialized(bytes, 4);
        assertThat(Layouts.vecSize(bytes)).isEqualTo(4);
        LibWasm.wasm_byte_vec_delete(bytes);
        MemorySegment e2 = LibWasm.wasm_engine_new();
        LibWasm.wasm_engine_delete(e2);
    }
}
