package dev.wasmerffm;

import dev.wasmerffm.internal.Native;
import dev.wasmerffm.internal.store.LastError;
import dev.wasmerffm.internal.wasm.Bytes;
import dev.wasmerffm.internal.wasm.WasmReader;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Facts about the loaded libwasmer, and WAT. */
public final class Wasmer {

    private Wasmer() {}

    /**
     * libwasmer's version.
     *
     * @param full e.g. {@code 7.4.2}
     * @param major the major number
     * @param minor the minor number
     * @param patch the patch number
     * @param pre the pre-release part, empty for a release
     */
    public record Version(String full, int major, int minor, int patch, String pre) {
        @Override
        public String toString() {
            return full;
        }
    }

    /** The version of the loaded libwasmer. */
    public static Version version() {
        WasmerLibrary.load();
        String pre = Native.cString(LibWasmer.wasmer_version_pre());
        return new Version(
                Native.cString(LibWasmer.wasmer_version()),
                LibWasmer.wasmer_version_major(),
                LibWasmer.wasmer_version_minor(),
                LibWasmer.wasmer_version_patch(),
                pre == null ? "" : pre);
    }

    /**
     * Translates WebAssembly text to binary ({@code wat2wasm}); a binary passes through unchanged.
     *
     * @throws CompileException with the parser's message on a syntax error
     */
    public static byte[] wat2wasm(String wat) {
        return wat2wasm(wat.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@link #wat2wasm(String)} on UTF-8 bytes, or a binary module (starting with {@code \0asm}), returned as is.
     * Bytes that are neither (not valid UTF-8, or holding control bytes such as NUL, as a truncated or damaged
     * binary does) are taken for a broken binary, not parsed as text.
     *
     * @throws CompileException with the parser's message on a syntax error, or a binary-format message
     */
    public static byte[] wat2wasm(byte[] watOrWasm) {
        if (isBinary(watOrWasm)) {
            return watOrWasm;
        }
        if (!isText(watOrWasm)) {
            throw notBinary(watOrWasm);
        }
        WasmerLibrary.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = Bytes.out(arena);
            LibWasmer.wat2wasm(Bytes.borrowed(arena, watOrWasm), out);
            if (out.get(java.lang.foreign.ValueLayout.ADDRESS, 8).equals(MemorySegment.NULL)) {
                throw new CompileException("invalid WAT: " + LastError.take("wat2wasm produced nothing"));
            }
            return Bytes.take(out);
        }
    }

    /** Whether the loaded libwasmer can only run precompiled artifacts (built without a compiler). */
    public static boolean isHeadless() {
        WasmerLibrary.load();
        return LibWasmer.wasmer_is_headless();
    }

    private static final java.util.concurrent.atomic.AtomicBoolean TRACING =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Sends libwasmer's own tracing to stderr ({@code wasmer_setup_tracing}). It installs a process-wide subscriber,
     * so only the first call in a JVM does anything.
     *
     * @param verbosity 0 = off (RUST_LOG still applies), 1 = warn, 2 = info, 3 = debug, 4 or more = trace
     * @param color whether to use ANSI colours
     * @return true for the call that installed it, false for any later call
     */
    public static boolean setupTracing(int verbosity, boolean color) {
        if (verbosity < 0) {
            throw new IllegalArgumentException("verbosity must be >= 0, got " + verbosity);
        }
        WasmerLibrary.load();
        if (!TRACING.compareAndSet(false, true)) {
            return false;
        }
        LibWasmer.wasmer_setup_tracing(verbosity, color ? 1 : 0);
        return true;
    }

    static boolean isBinary(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm';
    }

    /** Whether the bytes can be WAT: some valid UTF-8 without control bytes other than tab, line feed, return. */
    static boolean isText(byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        for (byte b : bytes) {
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7F) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The error for bytes without the binary magic, showing their length and first bytes. */
    static CompileException notBinary(byte[] bytes) {
        return new CompileException(WasmReader.notBinary(bytes).getMessage());
    }
}
