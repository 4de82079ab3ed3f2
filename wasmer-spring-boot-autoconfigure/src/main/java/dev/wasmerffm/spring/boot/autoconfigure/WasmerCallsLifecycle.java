package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.pool.WasmInstancePool;
import org.springframework.context.SmartLifecycle;

/**
 * Stops the pooled and interface calls still running when the context closes: after the web server's graceful
 * shutdown has waited for in-flight requests, each running call ends as if its deadline passed now, and no call
 * starts ({@code PoolClosedException}). So an endless plugin loop holds shutdown for the graceful phase and about a
 * second more at most.
 */
final class WasmerCallsLifecycle implements SmartLifecycle {

    /**
     * Below Spring Boot's graceful shutdown ({@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE},
     * {@code Integer.MAX_VALUE - 1024}), which stops first, and above the web server's own stop
     * ({@code START_STOP_LIFECYCLE_PHASE}, {@code Integer.MAX_VALUE - 2048}), which closes the connections the
     * stopped calls' requests are answered on.
     */
    static final int PHASE = Integer.MAX_VALUE - 1536;

    private final WasmInstancePool pool;
    private volatile boolean running;

    WasmerCallsLifecycle(WasmInstancePool pool) {
        this.pool = pool;
    }

    @Override
    public void start() {
        this.running = true;
    }

    /** How long stop waits for the stopped calls to return, so their requests are answered before the server stops. */
    private static final long RETURN_NANOS = 1_000_000_000L;

    /**
     * After the stopped calls returned, how long their callers get to answer before the server's own stop closes
     * their connections (Tomcat closed one mid-answer without it).
     */
    private static final long ANSWER_MILLIS = 250;

    @Override
    public void stop() {
        this.running = false;
        boolean calls = inUse();
        this.pool.stopCalls();
        long until = System.nanoTime() + RETURN_NANOS;
        try {
            while (inUse() && System.nanoTime() - until < 0) {
                Thread.sleep(5);
            }
            if (calls) {
                Thread.sleep(ANSWER_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean inUse() {
        return this.pool.stats().values().stream().anyMatch(s -> s.inUse() > 0);
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
