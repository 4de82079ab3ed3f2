package dev.wasmerffm;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.TableLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The imports and exports of a module, read from its binary by Chicory's parser rather than asked of libwasmer:
 * libwasmer 7.4.2 aborts the process when asked for the type of anything whose signature holds a v128.
 *
 * @param imports in declaration order
 * @param exports in declaration order (the order of {@code wasm_instance_exports})
 * @param hasV128 whether any signature of the module mentions v128
 * @param interfaceBytes a code-free module holding just the sections read here; kept in serialized artifacts
 */
record ModuleInfo(List<ImportType> imports, List<ExportType> exports, boolean hasV128, byte[] interfaceBytes) {

    private static final int[] INTERFACE_SECTIONS = {1, 2, 3, 4, 5, 6, 7, 10}; // type .. export, code

    static ModuleInfo read(byte[] wasm) {
        byte[] iface = interfaceOf(wasm);
        WasmModule m;
        try {
            Parser.Builder b = Parser.builder().withValidation(false);
            for (int id : INTERFACE_SECTIONS) {
                b.includeSectionId(id);
            }
            m = b.build().parse(() -> new ByteArrayInputStream(iface));
        } catch (RuntimeException e) {
            throw new CompileException("cannot read the imports and exports of the module: " + e.getMessage(), e);
        }
        FunctionType[] types = m.typeSection().types();
        boolean v128 = false;
        for (FunctionType t : types) {
            v128 |= toFuncType(t).hasV128();
        }
        List<ImportType> imports = new ArrayList<>();
        List<FuncType> funcs = new ArrayList<>();
        List<ExternType> globals = new ArrayList<>();
        List<ExternType> tables = new ArrayList<>();
        List<ExternType> memories = new ArrayList<>();
        for (int i = 0; i < m.importSection().importCount(); i++) {
            Import imp = m.importSection().getImport(i);
            ExternType t = switch (imp) {
                case FunctionImport f -> add(funcs, toFuncType(types[f.typeIndex()]));
                case GlobalImport g -> add(globals, new GlobalType(valType(g.type()),
                        g.mutabilityType() == MutabilityType.Var));
                case TableImport t2 -> add(tables, new TableType(valType(t2.entryType()), limits(t2.limits())));
                case MemoryImport mem -> add(memories, new MemoryType(limits(mem.limits())));
                default -> throw new CompileException("unsupported import kind " + imp.importType() + " of "
                        + imp.module() + "." + imp.name());
            };
            v128 |= t instanceof GlobalType g && g.content() == ValType.V128;
            imports.add(new ImportType(imp.module(), imp.name(), t));
        }
        for (int i = 0; i < m.functionSection().functionCount(); i++) {
            funcs.add(toFuncType(types[m.functionSection().getFunctionType(i)]));
        }
        for (var g : m.globalSection().globals()) {
            globals.add(new GlobalType(valType(g.valueType()), g.mutabilityType() == MutabilityType.Var));
            v128 |= valType(g.valueType()) == ValType.V128;
        }
        for (int i = 0; i < m.tableSection().tableCount(); i++) {
            var t = m.tableSection().getTable(i);
            tables.add(new TableType(valType(t.elementType()), limits(t.limits())));
        }
        m.memorySection().ifPresent(s -> {
            for (int i = 0; i < s.memoryCount(); i++) {
                memories.add(new MemoryType(limits(s.getMemory(i).limits())));
            }
        });
        List<ExportType> exports = new ArrayList<>();
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            Export e = m.exportSection().getExport(i);
            ExternalType k = e.exportType();
            List<? extends ExternType> space = k == ExternalType.FUNCTION ? funcs : k == ExternalType.GLOBAL ? globals
                    : k == ExternalType.TABLE ? tables : k == ExternalType.MEMORY ? memories : null;
            if (space == null || e.index() >= space.size()) {
                throw new CompileException("export '" + e.name() + "' has an unsupported kind or index");
            }
            exports.add(new ExportType(e.name(), space.get(e.index())));
        }
        return new ModuleInfo(List.copyOf(imports), List.copyOf(exports), v128, iface);
    }

    private static <T extends ExternType> T add(List<? super T> list, T t) {
        list.add(t);
        return t;
    }

    private static FuncType toFuncType(FunctionType t) {
        return new FuncType(t.params().stream().map(ModuleInfo::valType).toList(),
                t.returns().stream().map(ModuleInfo::valType).toList());
    }

    private static ValType valType(com.dylibso.chicory.wasm.types.ValType v) {
        if (v.equals(com.dylibso.chicory.wasm.types.ValType.FuncRef)) {
            return ValType.FUNCREF;
        }
        if (v.equals(com.dylibso.chicory.wasm.types.ValType.ExternRef)) {
            return ValType.EXTERNREF;
        }
        return switch (v.opcode()) {
            case 0x7F -> ValType.I32;
            case 0x7E -> ValType.I64;
            case 0x7D -> ValType.F32;
            case 0x7C -> ValType.F64;
            case 0x7B -> ValType.V128;
            default -> throw new CompileException("unsupported value type " + v.name());
        };
    }

    private static Limits limits(MemoryLimits l) {
        return new Limits(Integer.toUnsignedLong(l.initialPages()),
                l.maximumPages() == MemoryLimits.MAX_PAGES ? Limits.NO_MAX : Integer.toUnsignedLong(l.maximumPages()));
    }

    private static Limits limits(TableLimits l) {
        return new Limits(l.min(), l.max() >= TableLimits.LIMIT_MAX ? Limits.NO_MAX : l.max());
    }

    /**
     * Copies the type, import, function, table, memory, global and export sections into a module whose code section
     * holds one empty body per function (Chicory insists the counts match; nothing here runs or validates it).
     * Hand-written because Chicory exposes no section bytes; it is only a walk over section headers.
     */
    static byte[] interfaceOf(byte[] wasm) {
        if (wasm.length < 8 || wasm[0] != 0 || wasm[1] != 'a' || wasm[2] != 's' || wasm[3] != 'm') {
            throw new CompileException("not a WebAssembly binary (no \\0asm header)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(wasm, 0, 8);
        long functions = 0;
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int start = pos[0];
            int id = wasm[pos[0]++] & 0xFF;
            long size = Leb.read(wasm, pos, start);
            if (size > wasm.length - pos[0]) {
                throw new CompileException("section " + id + " at offset " + start + " runs past the end");
            }
            int end = pos[0] + (int) size;
            if (id == 3) {
                functions = Leb.read(wasm, new int[] {pos[0]}, start);
            }
            if (id >= 1 && id <= 7) {
                out.write(wasm, start, end - start);
            }
            pos[0] = end;
        }
        if (functions > 0) {
            ByteArrayOutputStream code = new ByteArrayOutputStream();
            Leb.write(code, functions);
            for (long i = 0; i < functions; i++) {
                code.write(new byte[] {2, 0, 0x0B}, 0, 3); // body of 2 bytes: no locals, end
            }
            out.write(10);
            Leb.write(out, code.size());
            out.write(code.toByteArray(), 0, code.size());
        }
        return out.toByteArray();
    }
}
