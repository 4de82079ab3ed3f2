package dev.wasmerffm;

import java.io.ByteArrayOutputStream;

/**
 * Enforces maximum memory and table sizes before compilation. The C API has no resource limiter, so the module's own
 * declarations are rewritten: a memory (table) without a maximum, or with one above the cap, gets the cap as its
 * maximum (so {@code memory.grow} / {@code table.grow} past it fails inside wasm, as the spec says), and one whose
 * minimum is above the cap is refused. Imported memories and tables are the host's to size and are left alone.
 *
 * <p>Hand-written rather than with Chicory: Chicory parses but does not write the binary format; this rewrites one
 * section in place and copies the rest byte for byte.
 */
final class LimitsCap {

    private static final int TABLE_SECTION = 4;
    private static final int MEMORY_SECTION = 5;

    private LimitsCap() {
    }

    /**
     * {@code wasm} with every defined memory's maximum at most {@code maxPages} and every table's at most
     * {@code maxElements}; a negative cap leaves that kind alone.
     */
    static byte[] apply(byte[] wasm, long maxPages, long maxElements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length + 16);
        out.write(wasm, 0, 8);
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int start = pos[0];
            int id = wasm[pos[0]++] & 0xFF;
            long size = Leb.read(wasm, pos, start);
            int end = pos[0] + (int) size;
            long cap = id == MEMORY_SECTION ? maxPages : id == TABLE_SECTION ? maxElements : -1;
            if (cap < 0) {
                out.write(wasm, start, end - start);
            } else {
                byte[] body = rewrite(wasm, pos[0], end, cap, id == TABLE_SECTION);
                out.write(id);
                Leb.write(out, body.length);
                out.write(body, 0, body.length);
            }
            pos[0] = end;
        }
        return out.toByteArray();
    }

    private static byte[] rewrite(byte[] wasm, int from, int end, long cap, boolean tables) {
        String what = tables ? "table" : "memory";
        int[] pos = {from};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long count = Leb.read(wasm, pos, from);
        Leb.write(body, count);
        for (long i = 0; i < count; i++) {
            if (pos[0] >= end) {
                throw new CompileException("malformed " + what + " section");
            }
            if (tables) {
                int refType = wasm[pos[0]++] & 0xFF;
                if (refType != 0x70 && refType != 0x6F) { // e.g. a table with an initializer expression
                    throw new CompileException("table " + i + " uses an encoding the table limit cannot rewrite");
                }
                body.write(refType);
            }
            int flags = wasm[pos[0]++] & 0xFF;
            long min = Leb.read(wasm, pos, from);
            long max = (flags & 1) != 0 ? Leb.read(wasm, pos, from) : Long.MAX_VALUE;
            if (min > cap) {
                throw new CompileException(tables
                        ? "table " + i + " needs at least " + min + " elements, above the limit of " + cap
                        : "memory " + i + " needs at least " + min + " pages (" + min * 65536
                                + " bytes), above the limit of " + cap + " pages (" + cap * 65536 + " bytes)");
            }
            body.write(flags | 1);
            Leb.write(body, min);
            Leb.write(body, Math.min(max, cap));
        }
        if (pos[0] != end) {
            throw new CompileException("malformed " + what + " section");
        }
        return body.toByteArray();
    }
}
