package dev.wasmerffm;

/** A {@link Batch} row trapped: {@link #row()} is its index; rows before it have their results written. */
public final class BatchTrapException extends TrapException {

    private final long row;

    /** {@code trap}, the driver's, as row {@code row} of {@code func}'s; it stays the cause. */
    BatchTrapException(long row, Func func, TrapException trap) {
        super(trap.kind(), "row " + row + " of the batch of " + func, trap.trapMessage(), trap.frames(), trap);
        this.row = row;
    }

    /** The index of the row that trapped. */
    public long row() {
        return row;
    }
}
