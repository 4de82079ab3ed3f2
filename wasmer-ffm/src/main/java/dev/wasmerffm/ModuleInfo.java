package dev.wasmerffm;

import dev.wasmerffm.internal.wasm.Leb;
import dev.wasmerffm.internal.wasm.MalformedWasmException;
import dev.wasmerffm.internal.wasm.WasmReader;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The imports and exports of a module, read from its binary by this binding rather than asked of libwasmer:
 * libwasmer 7.4.2 aborts the process when asked for the type of anything whose signature holds a v128. The bytes
 * may be hostile, so they are read with {@link WasmReader} (see there why not with Chicory's parser): any input
 * gives a result or a {@link CompileException} naming the offset.
 *
 * @param imports in declaration order
 * @param exports in declaration order (the order of {@code wasm_instance_exports})
 * @param hasV128 whether any signature of the module mentions v128
 * @param hasStart whether the module has a start function, which runs while an instance is made
 * @param interfaceBytes a code-free module holding just the sections read here; kept in serialized artifacts
 */
record ModuleInfo(
        List<ImportType> imports, List<ExportType> exports, boolean hasV128, boolean hasStart, byte[] interfaceBytes) {

    /** How many memories the module defines (imported ones not counted): each instance reserves address space. */
    int definedMemories() {
        for (WasmReader.Section s : WasmReader.sections(interfaceBytes)) {
            if (s.id() == WasmReader.MEMORY) {
                return WasmReader.of(interfaceBytes, s).count("memory count");
            }
        }
        return 0;
    }

    static ModuleInfo read(byte[] wasm) {
        try {
            return parse(wasm);
        } catch (MalformedWasmException e) {
            throw new CompileException(e.getMessage());
        }
    }

    private static ModuleInfo parse(byte[] wasm) {
        List<FuncType> types = new ArrayList<>();
        List<ImportType> imports = new ArrayList<>();
        List<FuncType> funcs = new ArrayList<>();
        List<ExternType> globals = new ArrayList<>();
        List<ExternType> tables = new ArrayList<>();
        List<ExternType> memories = new ArrayList<>();
        List<ExportType> exports = new ArrayList<>();
        ByteArrayOutputStream iface = new ByteArrayOutputStream();
        iface.writeBytes(WasmReader.HEADER);
        boolean hasStart = false;
        for (WasmReader.Section s : WasmReader.sections(wasm)) {
            if (s.id() < WasmReader.TYPE || s.id() > WasmReader.START) {
                continue;
            }
            iface.write(s.id());
            Leb.write(iface, s.end() - s.contentStart());
            iface.write(wasm, s.contentStart(), s.end() - s.contentStart());
            if (s.id() == WasmReader.START) { // kept, unread, so a deserialized module knows it has one
                hasStart = true;
                continue;
            }
            WasmReader r = WasmReader.of(wasm, s);
            int n = r.count("section " + s.id() + " entry count");
            for (int i = 0; i < n; i++) {
                switch (s.id()) {
                    case WasmReader.TYPE -> types.add(funcType(r, i));
                    case WasmReader.IMPORT -> imports.add(importType(r, types, funcs, globals, tables, memories));
                    case WasmReader.FUNCTION -> funcs.add(types.get(r.index("type index", types.size())));
                    case WasmReader.TABLE -> tables.add(tableType(r));
                    case WasmReader.MEMORY -> memories.add(new MemoryType(limits(r, "memory")));
                    case WasmReader.GLOBAL -> globals.add(global(r, i));
                    default -> exports.add(export(r, funcs, globals, tables, memories));
                }
            }
            r.expectEnd("section " + s.id());
        }
        boolean v128 = types.stream().anyMatch(FuncType::hasV128)
                || globals.stream().anyMatch(g -> ((GlobalType) g).content() == ValType.V128);
        return new ModuleInfo(List.copyOf(imports), List.copyOf(exports), v128, hasStart, iface.toByteArray());
    }

    private static FuncType funcType(WasmReader r, int i) {
        int at = r.offset();
        if (r.u8("type form") != 0x60) {
            throw r.error("type " + i + " is not a function type (only those are supported)", at);
        }
        return new FuncType(valTypes(r, "parameter"), valTypes(r, "result"));
    }

    private static List<ValType> valTypes(WasmReader r, String what) {
        int n = r.count(what + " count");
        List<ValType> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(valType(r, what));
        }
        return list;
    }

    private static ValType valType(WasmReader r, String what) {
        int at = r.offset();
        int code = r.u8(what + " type");
        return switch (code) {
            case 0x7F -> ValType.I32;
            case 0x7E -> ValType.I64;
            case 0x7D -> ValType.F32;
            case 0x7C -> ValType.F64;
            case 0x7B -> ValType.V128;
            case 0x70 -> ValType.FUNCREF;
            case 0x6F -> ValType.EXTERNREF;
            default -> throw r.error("unsupported " + what + " type 0x" + Integer.toHexString(code), at);
        };
    }

    private static ImportType importType(
            WasmReader r,
            List<FuncType> types,
            List<FuncType> funcs,
            List<ExternType> globals,
            List<ExternType> tables,
            List<ExternType> memories) {
        String module = r.name("import module name");
        String name = r.name("import name");
        int at = r.offset();
        ExternType t =
                switch (r.u8("import kind")) {
                    case 0 ->
                        add(funcs, types.get(r.index("type index of import " + module + "." + name, types.size())));
                    case 1 -> add(tables, tableType(r));
                    case 2 -> add(memories, new MemoryType(limits(r, "memory")));
                    case 3 -> add(globals, globalType(r));
                    default -> throw r.error("unsupported kind of import " + module + "." + name, at);
                };
        return new ImportType(module, name, t);
    }

    private static <T extends ExternType> T add(List<? super T> list, T t) {
        list.add(t);
        return t;
    }

    private static TableType tableType(WasmReader r) {
        int at = r.offset();
        ValType element = valType(r, "table element");
        if (!element.isReference()) {
            throw r.error("table element type " + element + " is not a reference type", at);
        }
        return new TableType(element, limits(r, "table"));
    }

    private static Limits limits(WasmReader r, String what) {
        WasmReader.RawLimits l = r.limits(what);
        if ((l.flags() & 4) != 0) {
            // libwasmer 7.4.2 aborts the process compiling a 64-bit memory (defined or imported), and cuts a
            // 64-bit table's limits to 32 bits
            throw r.error("64-bit " + what + " (memory64) is not supported by this libwasmer", l.offset());
        }
        long max = l.max() == -1 ? Limits.NO_MAX : l.max();
        if (Long.compareUnsigned(l.min(), Limits.NO_MAX) > 0
                || Long.compareUnsigned(max, Limits.NO_MAX) > 0
                || Long.compareUnsigned(l.min(), max) > 0) {
            throw r.error(
                    what + " limits " + Long.toUnsignedString(l.min()) + ".." + Long.toUnsignedString(max)
                            + " are out of order or above 2^32-1",
                    l.offset());
        }
        return new Limits(l.min(), max);
    }

    private static GlobalType globalType(WasmReader r) {
        ValType content = valType(r, "global");
        int at = r.offset();
        int mutability = r.u8("global mutability");
        if (mutability > 1) {
            throw r.error("unknown global mutability " + mutability, at);
        }
        return new GlobalType(content, mutability == 1);
    }

    /** A defined global: its type, then its constant initializer expression, skipped up to its {@code end}. */
    private static GlobalType global(WasmReader r, int i) {
        GlobalType type = globalType(r);
        String what = "initializer of global " + i;
        for (int at = r.offset(), op = r.u8(what); op != 0x0B; at = r.offset(), op = r.u8(what)) {
            switch (op) {
                case 0x41 -> r.skipLeb(what, 32); // i32.const
                case 0x42 -> r.skipLeb(what, 64); // i64.const
                case 0x43 -> r.skip(4, what); // f32.const
                case 0x44 -> r.skip(8, what); // f64.const
                case 0x23, 0xD2 -> r.u32(what); // global.get, ref.func
                case 0xD0 -> r.skipLeb(what, 33); // ref.null heap type
                case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E -> {} // extended-const add, sub, mul
                case 0xFD -> { // v128.const
                    if (r.u32(what) != 12) {
                        throw r.error("unsupported SIMD instruction in the " + what, at);
                    }
                    r.skip(16, what);
                }
                default ->
                    throw r.error("unsupported instruction 0x" + Integer.toHexString(op) + " in the " + what, at);
            }
        }
        return type;
    }

    private static ExportType export(
            WasmReader r,
            List<FuncType> funcs,
            List<ExternType> globals,
            List<ExternType> tables,
            List<ExternType> memories) {
        String name = r.name("export name");
        int at = r.offset();
        List<? extends ExternType> space =
                switch (r.u8("export kind")) {
                    case 0 -> funcs;
                    case 1 -> tables;
                    case 2 -> memories;
                    case 3 -> globals;
                    default -> throw r.error("export '" + name + "' has an unsupported kind", at);
                };
        return new ExportType(name, space.get(r.index("index of export '" + name + "'", space.size())));
    }
}
