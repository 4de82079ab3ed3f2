package dev.wasmerffm;

import java.io.ByteArrayOutputStream;

/**
 * Enforces a maximum linear memory size before compilation. The C API has no memory limiter, so the module's own
 * memory declarations are rewritten: a memory without a maximum, or with one above the cap, gets the cap as its
 * maximum (so {@code memory.grow} past it fails inside wasm, as the spec says), and a memory whose minimum is above
 * the cap is refused. Imported memories are the host's to size and are left alone.
 *
 * <p>Hand-written rather than with Chicory: Chicory parses but does not write the binary format; this rewrites one
 * section in place and copies the rest byte for byte.
 */
final class MemoryCap {

    private static final int MEMORY_SECTION = 5;

    private MemoryCap() {
    }

    /** {@code wasm} with every defined memory's maximum at most {@code maxPages}. */
    static byte[] apply(byte[] wasm, long maxPages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length + 16);
        out.write(wasm, 0, 8);
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int start = pos[0];
            int id = wasm[pos[0]++] & 0xFF;
            long size = Leb.read(wasm, pos, start);
            int end = pos[0] + (int) size;
            if (id != MEMORY_SECTION) {
                out.write(wasm, start, end - start);
            } else {
                byte[] body = rewrite(wasm, pos[0], end, maxPages);
                out.write(id);
                Leb.write(out, body.length);
                out.write(body, 0, body.length);
            }
            pos[0] = end;
        }
        return out.toByteArray();
    }

    private static byte[] rewrite(byte[] wasm, int from, int end, long maxPages) {
        int[] pos = {from};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long count = Leb.read(wasm, pos, from);
        Leb.write(body, count);
        for (long i = 0; i < count; i++) {
            if (pos[0] >= end) {
                throw new CompileException("malformed memory section");
            }
            int flags = wasm[pos[0]++] & 0xFF;
            long min = Leb.read(wasm, pos, from);
            long max = (flags & 1) != 0 ? Leb.read(wasm, pos, from) : Long.MAX_VALUE;
            if (min > maxPages) {
                throw new CompileException("memory " + i + " needs at least " + min + " pages (" + min * 65536
                        + " bytes), above the limit of " + maxPages + " pages (" + maxPages * 65536 + " bytes)");
            }
            body.write(flags | 1);
            Leb.write(body, min);
            Leb.write(body, Math.min(max, maxPages));
        }
        if (pos[0] != end) {
            throw new CompileException("malformed memory section");
        }
        return body.toByteArray();
    }
}
