package dev.wasmerffm;

import dev.wasmerffm.internal.Layouts;
import dev.wasmerffm.internal.Native;
import dev.wasmerffm.raw.LibWasmer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Gas metering: every operator compiled costs points, and an instance that runs out of points stops with a
 * {@link MeteringExhaustedException}. Set the points again and the same instance runs again.
 *
 * <p>Costs are a per-operator table filled once, in Java, when this object is made: libwasmer asks for them on its
 * compiler threads, where the upcall only reads the table (cheap, thread-safe, cannot throw).
 */
public final class Metering {

    /** Operator names of {@code wasmer_parser_operator_t}, by value. */
    static final List<String> OPERATORS = operators();

    private static final MethodHandle COST;

    static {
        try {
            COST = MethodHandles.lookup()
                    .findStatic(Metering.class, "cost", MethodType.methodType(long.class, long[].class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long initialPoints;
    private final long[] costs;
    private final MemorySegment costFunction;

    private Metering(long initialPoints, long[] costs) {
        if (initialPoints < 0) {
            throw new IllegalArgumentException("initial points must be >= 0, got " + initialPoints);
        }
        this.initialPoints = initialPoints;
        this.costs = costs;
        this.costFunction = Native.LINKER.upcallStub(
                MethodHandles.insertArguments(COST, 0, (Object) costs), Layouts.METERING_COST_FUNCTION, Arena.ofAuto());
    }

    /** Every operator costs one point. */
    public static Metering of(long initialPoints) {
        long[] costs = new long[OPERATORS.size()];
        Arrays.fill(costs, 1);
        return new Metering(initialPoints, costs);
    }

    /**
     * Costs from a function of the operator name (wasmparser's, e.g. {@code I32Add}, {@code Call}), asked once per
     * operator now. A function that throws or returns a negative cost fails here, naming the operator.
     */
    public static Metering of(long initialPoints, ToLongFunction<String> costOfOperator) {
        long[] costs = new long[OPERATORS.size()];
        for (int i = 0; i < costs.length; i++) {
            String op = OPERATORS.get(i);
            try {
                costs[i] = costOfOperator.applyAsLong(op);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("metering cost function failed for operator " + op, e);
            }
            if (costs[i] < 0) {
                throw new IllegalArgumentException("negative cost " + costs[i] + " for operator " + op);
            }
        }
        return new Metering(initialPoints, costs);
    }

    /**
     * The metering of {@link Config#deadlines(boolean)} without metering of its own: one point per operator and
     * {@link Long#MAX_VALUE} points per instance, which no call exhausts (292 years at 10^9 operators a second).
     */
    static Metering unlimited() {
        return Unlimited.METERING;
    }

    private static final class Unlimited {
        static final Metering METERING = of(Long.MAX_VALUE);
    }

    /** The upcall: reads the table; never throws (an exception escaping an upcall terminates the JVM). */
    private static long cost(long[] costs, int operator) {
        try {
            return operator >= 0 && operator < costs.length ? costs[operator] : 1;
        } catch (Throwable t) {
            return 1;
        }
    }

    /** The points an instance starts with. */
    public long initialPoints() {
        return initialPoints;
    }

    /** The cost of an operator, by wasmparser name. */
    public long cost(String operator) {
        int i = OPERATORS.indexOf(operator);
        if (i < 0) {
            throw new IllegalArgumentException("unknown operator '" + operator + "'");
        }
        return costs[i];
    }

    /** A fresh native middleware: libwasmer's serves exactly one module (a second one panics). */
    MemorySegment newMiddleware() {
        return LibWasmer.wasmer_metering_as_middleware(LibWasmer.wasmer_metering_new(initialPoints, costFunction));
    }

    private static List<String> operators() {
        return Arrays.stream(LibWasmer.wasmer_parser_operator_t.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
                .sorted(Comparator.comparingInt(Metering::value))
                .map(Field::getName)
                .toList();
    }

    private static int value(Field f) {
        try {
            return f.getInt(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A digest of every operator's cost: configs with other costs compile other code. */
    String costsDigest() {
        try {
            var d = java.security.MessageDigest.getInstance("SHA-256");
            var bytes = java.nio.ByteBuffer.allocate(costs.length * Long.BYTES);
            bytes.asLongBuffer().put(costs);
            d.update(bytes.array());
            return java.util.HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    @Override
    public String toString() {
        return "Metering[initialPoints=" + initialPoints + "]";
    }
}
