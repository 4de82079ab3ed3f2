package dev.wasmerffm;

/** A {@link Batch} row trapped: {@link #row()} is its index; rows before it have their results written. */
public final class BatchTrapException extends TrapException {

    private final long row;

    BatchTrapException(long row, TrapException trap) {
        super(trap.kind(), "row " + row + " of a batch of", trap.trapMessage() + " (" + trap.getMessage() + ")",
                trap.frames(), trap);
        this.row = row;
    }

    /** The index of the row that trapped. */
    public long row() {
        return row;
    }
}
