package dev.wasmerffm;

import java.lang.management.ManagementFactory;

/** The CPU time of the deadline watchdog's thread, for tests that it idles. */
public final class WatchdogCpu {

    private WatchdogCpu() {}

    /** Its CPU time so far, in nanoseconds; 0 before it started. */
    public static long nanos() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("wasmer-deadlines")) {
                return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
            }
        }
        return 0;
    }
}
