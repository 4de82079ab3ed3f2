package dev.wasmerffm.internal.wasm;

import com.dylibso.chicory.wasm.WasmWriter;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Enforces maximum memory and table sizes before compilation. The C API has no resource limiter, so the module's own
 * declarations are rewritten: a memory (table) without a maximum, or with one above the cap, gets the cap as its
 * maximum (so {@code memory.grow} / {@code table.grow} past it fails inside wasm, as the spec says), and one whose
 * minimum is above the cap is refused. Imported memories and tables are the host's to size and are left alone.
 *
 * <p>Sections are found and read with {@link WasmReader} (total on hostile bytes) and written with Chicory's
 * {@link WasmWriter}; every section but the table and memory sections is copied byte for byte.
 */
public final class LimitsCap {

    private LimitsCap() {}

    /**
     * {@code wasm} with every defined memory's maximum at most {@code maxPages} and every table's at most
     * {@code maxElements}; a negative cap leaves that kind alone.
     *
     * @throws MalformedWasmException if the bytes are malformed (naming the offset) or a minimum is above its cap
     */
    public static byte[] apply(byte[] wasm, long maxPages, long maxElements) {
        WasmWriter out = new WasmWriter();
        for (WasmReader.Section s : WasmReader.sections(wasm)) {
            long cap = s.id() == WasmReader.MEMORY ? maxPages : s.id() == WasmReader.TABLE ? maxElements : -1;
            out.writeSection(
                    s.id(),
                    cap < 0
                            ? Arrays.copyOfRange(wasm, s.contentStart(), s.end())
                            : rewrite(WasmReader.of(wasm, s), cap, s.id() == WasmReader.TABLE));
        }
        return out.bytes();
    }

    private static byte[] rewrite(WasmReader r, long cap, boolean tables) {
        String what = tables ? "table" : "memory";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int count = r.count(what + " count");
        Leb.write(body, count);
        for (int i = 0; i < count; i++) {
            if (tables) {
                int at = r.offset();
                int refType = r.u8("table element type");
                if (refType != 0x70 && refType != 0x6F) { // e.g. a table with an initializer expression
                    throw r.error("table " + i + " uses an encoding the table limit cannot rewrite", at);
                }
                body.write(refType);
            }
            WasmReader.RawLimits l = r.limits(what);
            if (Long.compareUnsigned(l.min(), cap) > 0) {
                String need = Long.toUnsignedString(l.min());
                throw new MalformedWasmException(
                        tables
                                ? "table " + i + " needs at least " + need + " elements, above the limit of " + cap
                                : "memory " + i + " needs at least " + need + " pages, above the limit of " + cap
                                        + " pages (" + cap * 65536 + " bytes)");
            }
            body.write(l.flags() | 1);
            Leb.write(body, l.min());
            Leb.write(body, Long.compareUnsigned(l.max(), cap) < 0 ? l.max() : cap);
        }
        r.expectEnd(what + " section");
        return body.toByteArray();
    }
}
