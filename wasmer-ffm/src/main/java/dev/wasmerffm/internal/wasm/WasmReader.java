package dev.wasmerffm.internal.wasm;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A forward-only reader of wasm binary bytes between two offsets, total on every input: each read is checked against
 * the bytes left and fails as a {@link MalformedWasmException} naming the offset; a count is checked against the bytes left
 * before anything is sized by it (every element takes at least one byte).
 *
 * <p>Hand-written rather than Chicory's {@code Parser} (even {@code parseWithoutDecoding}): Chicory 1.7.5 casts a
 * section size to {@code int} and moves backwards on sizes of 2^31 and more (the 14-byte module
 * {@code 00 61 73 6d 01 00 00 00 00 fa ff ff ff 0f} makes it loop forever), and it sizes arrays and lists by declared
 * counts and name lengths before reading them (a 17-byte module asks it for 2^31-1 parameters).
 */
public final class WasmReader {

    public static final int CUSTOM = 0;
    public static final int TYPE = 1;
    public static final int IMPORT = 2;
    public static final int FUNCTION = 3;
    public static final int TABLE = 4;
    public static final int MEMORY = 5;
    public static final int GLOBAL = 6;
    public static final int EXPORT = 7;
    public static final int START = 8;
    /** The rank of each section id in the spec's order: tag (13) sits before global, data count (12) before code. */
    private static final int[] ORDER = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};

    /** The binary format's magic and version: what every module starts with. */
    public static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

    /**
     * A section of a module.
     *
     * @param id the section id
     * @param start the offset of its id byte
     * @param contentStart the offset of its content
     * @param end the offset just past it
     */
    public record Section(int id, int start, int contentStart, int end) {}

    /**
     * Memory or table limits as encoded.
     *
     * @param flags bit 0 a maximum, bit 1 shared, bit 2 64-bit
     * @param min the minimum, unsigned
     * @param max the maximum, unsigned; -1 (2^64-1) when there is none
     * @param offset where they start
     */
    public record RawLimits(int flags, long min, long max, int offset) {}

    private final byte[] bytes;
    private final int end;
    private int pos;

    private WasmReader(byte[] bytes, int from, int end) {
        this.bytes = bytes;
        this.pos = from;
        this.end = end;
    }

    /** A reader of a section's content. */
    public static WasmReader of(byte[] wasm, Section s) {
        return new WasmReader(wasm, s.contentStart(), s.end());
    }

    /**
     * The sections of a module, in order. Checks the header, that every section lies within the bytes and the next
     * one starts where it ends, and that the known sections come at most once each and in the spec's order.
     */
    public static List<Section> sections(byte[] wasm) {
        for (int i = 0; i < HEADER.length; i++) {
            if (i >= wasm.length || wasm[i] != HEADER[i]) {
                throw i < 4
                        ? notBinary(wasm)
                        : new MalformedWasmException(
                                i >= wasm.length
                                        ? "truncated WebAssembly binary: the header ends at offset " + wasm.length
                                        : "unsupported WebAssembly binary version at offset 4 (only 1 is)");
            }
        }
        List<Section> sections = new ArrayList<>();
        WasmReader r = new WasmReader(wasm, HEADER.length, wasm.length);
        int last = 0;
        while (!r.atEnd()) {
            int start = r.pos;
            int id = r.u8("section id");
            if (id >= ORDER.length) {
                throw r.error("unknown section id " + id, start);
            }
            int size = r.count("section " + id + " size");
            if (id != CUSTOM) {
                if (ORDER[id] <= last) {
                    throw r.error("section " + id + " is out of order or repeated", start);
                }
                last = ORDER[id];
            }
            sections.add(new Section(id, start, r.pos, r.pos + size));
            r.pos += size;
        }
        return sections;
    }

    public boolean atEnd() {
        return pos == end;
    }

    public int offset() {
        return pos;
    }

    /** Fails unless every byte was read: a section's content must be exactly its declared size. */
    public void expectEnd(String what) {
        if (pos != end) {
            throw error(what + " has " + (end - pos) + " unread bytes", pos);
        }
    }

    public MalformedWasmException error(String message, int offset) {
        return new MalformedWasmException(message + " at offset " + offset);
    }

    public int u8(String what) {
        if (pos >= end) {
            throw error("unexpected end of " + what, pos);
        }
        return bytes[pos++] & 0xFF;
    }

    /** An unsigned LEB128 of at most {@code bits} bits. */
    private long leb(String what, int bits) {
        int at = pos;
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift >= bits) {
                throw error(what + " is longer than " + bits + " bits", at);
            }
            int b = u8(what);
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (bits < 64 && value >>> bits != 0 || bits == 64 && shift == 63 && b > 1) {
                    throw error(what + " is larger than " + bits + " bits", at);
                }
                return value;
            }
        }
    }

    /** Skips a signed or unsigned LEB128 of at most {@code bits} bits. */
    public void skipLeb(String what, int bits) {
        int at = pos;
        for (int n = 0; (u8(what) & 0x80) != 0; n++) {
            if (n + 1 >= (bits + 6) / 7) {
                throw error(what + " is longer than " + bits + " bits", at);
            }
        }
    }

    public long u32(String what) {
        return leb(what, 32);
    }

    public long u64(String what) {
        return leb(what, 64);
    }

    /** An index below {@code bound}. */
    public int index(String what, int bound) {
        int at = pos;
        long i = u32(what);
        if (i >= bound) {
            throw error(what + " " + i + " is out of range (" + bound + " defined)", at);
        }
        return (int) i;
    }

    /**
     * A u32 that sizes what follows, a byte length or a vector count: at most the bytes left (each element of a
     * vector takes at least one byte), so nothing is ever sized by more than the input holds.
     */
    public int count(String what) {
        int at = pos;
        long n = u32(what);
        if (n > end - pos) {
            throw error(what + " " + n + " exceeds the " + (end - pos) + " bytes left", at);
        }
        return (int) n;
    }

    public RawLimits limits(String what) {
        int at = pos;
        int flags = u8(what + " limits flags");
        if (flags > 7) {
            throw error("unknown " + what + " limits flags 0x" + Integer.toHexString(flags), at);
        }
        int bits = (flags & 4) != 0 ? 64 : 32;
        long min = leb(what + " minimum", bits);
        return new RawLimits(flags, min, (flags & 1) == 0 ? -1 : leb(what + " maximum", bits), at);
    }

    /** A name: a length and that many bytes of valid UTF-8. */
    public String name(String what) {
        int at = pos;
        int n = count(what + " length");
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes, pos, n))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw error(what + " is not valid UTF-8", at);
        }
    }

    public void skip(int n, String what) {
        if (n > end - pos) {
            throw error("unexpected end of " + what, pos);
        }
        pos += n;
    }

    /** The error for bytes without the binary magic, showing their length and first bytes. */
    public static MalformedWasmException notBinary(byte[] bytes) {
        String head = HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(bytes.length, 8));
        return new MalformedWasmException("not a WebAssembly binary: no \\0asm magic at offset 0 (" + bytes.length
                + " bytes" + (bytes.length == 0 ? "" : ": " + head + (bytes.length > 8 ? " ..." : "")) + ")");
    }
}
