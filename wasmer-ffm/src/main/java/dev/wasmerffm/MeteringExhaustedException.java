package dev.wasmerffm;

import java.util.List;

/** A metered instance ran out of points. Set its points again to run it again. */
public final class MeteringExhaustedException extends TrapException {

    MeteringExhaustedException(String where, String trapMessage, List<TrapFrame> frames) {
        super(TrapKind.OUT_OF_POINTS, where, "metering points exhausted (" + trapMessage + ")", frames, null);
    }
}
