#!/usr/bin/env python3
"""Generates the raw FFM layer (LibWasm, LibWasmer, LibWasi) from the real headers and the library's exports.

Every function that the preprocessed wasmer.h (which includes wasm.h) declares and libwasmer exports becomes one
static final downcall handle plus a static method of the same name that calls it with invokeExact. Functions the
library exports without declaring them are read from undeclared.h beside this script. Enums become int constants.

  generate_raw.py INCLUDE_DIR LIBWASMER OUT_DIR           write the sources
  generate_raw.py INCLUDE_DIR LIBWASMER OUT_DIR --check   exit 1 if the checked-in sources differ
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "dev.wasmerffm.raw"
PREFIXES = ("wasm_", "wasmer_", "wasi_", "wat2wasm")
# O(1) accessors that never run wasm, never call back into Java and never block: linked critical (no thread-state
# transition). Everything else may upcall (host functions, finalizers, the metering cost function) or run long.
CRITICAL = {"wasm_memory_data", "wasm_memory_data_size", "wasm_memory_size",
            "wasm_func_param_arity", "wasm_func_result_arity", "wasm_extern_kind"}
JAVA_KEYWORDS = {"abstract", "boolean", "byte", "char", "class", "default", "double", "float", "int", "long", "new",
                 "native", "package", "short", "static", "switch", "this", "throw", "try", "void", "volatile", "var"}
INT_TYPES = {"int", "int32_t", "uint32_t", "unsigned", "unsigned int", "int16_t", "uint16_t"}
LONG_TYPES = {"int64_t", "uint64_t", "size_t", "uintptr_t", "intptr_t", "long", "unsigned long"}
BYTE_TYPES = {"uint8_t", "int8_t", "char", "unsigned char"}


def preprocess(path, include_dir):
    return subprocess.run(["gcc", "-E", "-P", "-x", "c", "-I", include_dir, path],
                          check=True, capture_output=True, text=True).stdout


def strip_bodies(text):
    """Drops every {...} body. A static inline function's body ends its statement, so it gets a ';'."""
    out, depth, stmt = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and "".join(stmt).strip().startswith("static"):
                out.append(";")
                stmt = []
        elif depth == 0:
            out.append(ch)
            stmt = [] if ch == ";" else stmt + [ch]
    return "".join(out)


def parse_enums(text):
    enums = {}
    for m in re.finditer(r"enum\s+(\w+)?\s*\{([^}]*)\}\s*(\w+)?\s*;", text):
        name = m.group(3) or m.group(1)
        value, consts = -1, []
        for item in filter(None, (i.strip() for i in m.group(2).split(","))):
            if "=" in item:
                key, expr = (s.strip() for s in item.split("=", 1))
                value = int(expr, 0)
            else:
                key, value = item, value + 1
            consts.append((key, value))
        enums[name] = consts
    return enums


def parse(text):
    typedefs, functions = {}, []
    for stmt in strip_bodies(text).split(";"):
        stmt = " ".join(stmt.split())
        if not stmt or stmt.startswith(("static", "extern \"C\"")):
            continue
        if stmt.startswith("typedef"):
            body = stmt[len("typedef "):]
            fp = re.match(r"(.*)\(\s*\*\s*(\w+)\s*\)\s*\(.*\)$", body)
            if fp:
                typedefs[fp.group(2)] = "void*"
            else:
                m = re.match(r"(.*?)\s*\b(\w+)$", body)
                if m:
                    typedefs[m.group(2)] = m.group(1)
            continue
        m = re.match(r"(.*?)\b(\w+)\s*\((.*)\)$", stmt)
        if m and m.group(2).startswith(PREFIXES):
            functions.append((m.group(2), m.group(1).strip(), split_params(m.group(3)), stmt))
    return typedefs, functions


def split_params(s):
    params, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            params.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip() and cur.strip() != "void":
        params.append(cur.strip())
    return params


def resolve(ctype, typedefs):
    """Maps a C type to (layout, java type, is unsigned byte)."""
    t = re.sub(r"\b(const|struct|enum|volatile)\b", " ", ctype)
    t = " ".join(t.split())
    if "*" in t or "[" in t:
        return "ADDRESS", "MemorySegment"
    for _ in range(10):
        if t in typedefs:
            target = typedefs[t]
            if target.startswith("enum") or re.match(r"^\s*enum\b", target):
                return "JAVA_INT", "int"
            if target == "void*" or "*" in target:
                return "ADDRESS", "MemorySegment"
            t = " ".join(re.sub(r"\b(const|struct)\b", " ", target).split())
            if target.startswith("struct"):
                break
        else:
            break
    if t == "void":
        return None, "void"
    words = set(t.split())
    if words and words <= {"unsigned", "signed", "long", "int", "short", "char"}:  # a C base type (LP64)
        t = "long" if "long" in words else "char" if "char" in words else "int"
    if t in ("bool", "_Bool"):
        return "JAVA_BOOLEAN", "boolean"
    if t in BYTE_TYPES:
        return "BYTE", "int"
    if t in INT_TYPES:
        return "JAVA_INT", "int"
    if t in LONG_TYPES:
        return "JAVA_LONG", "long"
    if t == "float":
        return "JAVA_FLOAT", "float"
    if t == "double":
        return "JAVA_DOUBLE", "double"
    raise SystemExit(f"generate_raw: no FFM mapping for C type '{ctype}' (a struct by value?)")


def param_name(p, i):
    fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", p)
    if fp:
        name = fp.group(1)
    else:
        m = re.match(r".*?[\s*](\w+)$", p)
        name = m.group(1) if m and m.group(1) not in ("void", "const") and not re.fullmatch(
            r"(u?int\d+_t|size_t|uintptr_t|intptr_t|bool|char|int|float|double|\w+_t)", m.group(1)) else None
    name = name or f"arg{i}"
    return name + "_" if name in JAVA_KEYWORDS else name


def param_type(p):
    if re.search(r"\(\s*\*", p):
        return "void*"
    m = re.match(r"(.*?[\s*])(\w+)$", p)
    if m and not re.fullmatch(r"(u?int\d+_t|size_t|uintptr_t|intptr_t|bool|char|int|float|double|\w+_t)", m.group(2)):
        return m.group(1)
    return p


def exclusions():
    out = []
    for line in open(os.path.join(HERE, "exclusions.txt")):
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t")[0].strip())
    return out


def excluded(name, patterns):
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in patterns)


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split() and line.split()[-1].startswith(PREFIXES)}


def java_class(cls, doc, funcs, enums, typedefs, missing):
    lines = [
        "// GENERATED by wasmer-ffm/src/gen/generate_raw.py from wasm.h, wasmer.h and the exports of libwasmer.",
        "// Do not edit: run the generator (see wasmer-ffm/README.md) and commit its output.",
        f"package {PACKAGE};", "",
        "import static java.lang.foreign.ValueLayout.*;", "",
        "import dev.wasmerffm.internal.Native;",
        "import java.lang.foreign.FunctionDescriptor;",
        "import java.lang.foreign.MemorySegment;",
        "import java.lang.invoke.MethodHandle;", "",
        "/**", f" * {doc}", " *",
        " * <p>One static method per C function, named as in C, calling a {@code static final} downcall handle with",
        " * {@code invokeExact}. Pointers are {@link MemorySegment}s; {@code uint8_t} values are passed and returned as",
        " * {@code int} in 0..255 (passing them as Java bytes would sign-extend them, which libwasmer rejects).",
    ]
    if missing:
        lines += [" *", " * <p>Declared in the headers but not exported by libwasmer, so not bound: "
                  + ", ".join(f"{{@code {m}}}" for m in sorted(missing)) + "."]
    lines += [" */", "@SuppressWarnings(\"unused\")", f"public final class {cls} {{", "",
              f"    private {cls}() {{", "    }", ""]
    for ename, consts in sorted(enums.items()):
        lines.append(f"    /** Values of the C enum {{@code {ename}}}. */")
        lines.append(f"    public static final class {ename} {{")
        lines.append(f"        private {ename}() {{")
        lines.append("        }")
        for key, value in consts:
            lines.append(f"        /** {{@code {key}}} */")
            lines.append(f"        public static final int {key} = {value};")
        lines.append("    }")
        lines.append("")
    for name, ret, params, decl in funcs:
        rlayout, rjava = resolve(ret, typedefs)
        playouts = [resolve(param_type(p), typedefs) for p in params]
        names = [param_name(p, i) for i, p in enumerate(params)]
        def lay(l):
            return "JAVA_INT" if l == "BYTE" else l
        args = ", ".join(lay(l) for l, _ in playouts)
        if rlayout is None:
            desc = f"FunctionDescriptor.ofVoid({args})"
        else:
            rl = "JAVA_BYTE" if rlayout == "BYTE" else rlayout
            desc = f"FunctionDescriptor.of({rl}{', ' if args else ''}{args})"
        crit = ", true" if name in CRITICAL else ""
        # A holder class per function: the JVM links a handle the first time its function is called (linking all
        # 283 at class initialization costs hundreds of ms at startup); the field stays a static final constant.
        lines.append(f"    private static final class {name}$ {{")
        lines.append(f"        static final MethodHandle MH = Native.downcall(\"{name}\", {desc}{crit});")
        lines.append("    }")
        lines.append("")
        lines.append(f"    /** {{@code {decl.replace('@', '&#64;').replace('*/', '* /')}}} */")
        sig = ", ".join(f"{j} {n}" for (_, j), n in zip(playouts, names))
        call = ", ".join(names)
        lines.append(f"    public static {rjava} {name}({sig}) {{")
        if rlayout is None:
            body = f"{name}$.MH.invokeExact({call});"
        elif rlayout == "BYTE":
            body = f"return ((byte) {name}$.MH.invokeExact({call})) & 0xFF;"
        else:
            body = f"return ({rjava}) {name}$.MH.invokeExact({call});"
        # One line: the catch only rethrows what a native call cannot throw, and would read as uncovered code.
        lines.append(f"        try {{ {body} }} catch (Throwable t) {{ throw Native.rethrow(t); }}")
        lines.append("    }")
        lines.append("")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    include_dir, lib, out_dir = args
    header = preprocess(os.path.join(include_dir, "wasmer.h"), include_dir)
    typedefs, funcs = parse(header)
    enums = parse_enums(header)
    extra_text = preprocess(os.path.join(HERE, "undeclared.h"), include_dir)
    extra_typedefs, extra_funcs = parse(extra_text)
    typedefs.update({k: v for k, v in extra_typedefs.items() if k not in typedefs})
    seen, unique = set(), []
    for f in funcs + extra_funcs:
        if f[0] not in seen:
            seen.add(f[0])
            unique.append(f)
    exports = exported(lib)
    skip = exclusions()
    bound = sorted((f for f in unique if f[0] in exports and not excluded(f[0], skip)), key=lambda f: f[0])
    missing = {f[0] for f in unique if f[0] not in exports}
    groups = {
        "LibWasm": ("The {@code wasm_*} functions of libwasmer (wasm.h, and Wasmer's additions in wasmer.h).",
                    lambda n: n.startswith("wasm_"), lambda e: e.startswith("wasm_")),
        "LibWasmer": ("The {@code wasmer_*} functions and {@code wat2wasm} of libwasmer (wasmer.h).",
                      lambda n: n.startswith("wasmer_") or n == "wat2wasm", lambda e: e.startswith("wasmer_")),
        "LibWasi": ("The {@code wasi_*} functions of libwasmer (WASI, declared in wasmer.h).",
                    lambda n: n.startswith("wasi_"), lambda e: e.startswith("wasi_")),
    }
    status = 0
    for cls, (doc, pick, epick) in groups.items():
        src = java_class(cls, doc, [f for f in bound if pick(f[0])],
                         {k: v for k, v in enums.items() if k and epick(k)}, typedefs,
                         {m for m in missing if pick(m)})
        path = os.path.join(out_dir, *PACKAGE.split("."), cls + ".java")
        if check:
            old = open(path).read() if os.path.exists(path) else ""
            if old != src:
                print(f"generate_raw: {path} is out of date with the headers", file=sys.stderr)
                status = 1
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(src)
    print(f"generate_raw: {len(bound)} functions bound, {len(missing)} declared but not exported")
    sys.exit(status)


if __name__ == "__main__":
    main()
