package dev.wasmerffm;

import dev.wasmerffm.internal.store.NativeResource;

/** The binding's count of live native objects, read once GC and the Cleaner have nothing left to free. */
final class LiveObjects {

    private LiveObjects() {}

    static long settled() throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long previous = -1;
        long live = NativeResource.LIVE.get();
        while (live != previous && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(100);
            previous = live;
            live = NativeResource.LIVE.get();
        }
        return live;
    }
}
