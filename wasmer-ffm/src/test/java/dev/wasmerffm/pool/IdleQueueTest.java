package dev.wasmerffm.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

class IdleQueueTest {

    @Test
    void aThreadGetsBackWhatItGaveBackAndTheQueueHoldsAtMostItsCapacity() {
        IdleQueue<String> q = new IdleQueue<>(3);
        assertThat(q.poll()).isNull();
        assertThat(q.offer("a")).isTrue();
        assertThat(q.offer("b")).isTrue();
        assertThat(q.offer("c")).isTrue();
        assertThat(q.offer("d")).as("full").isFalse();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.snapshot()).containsExactlyInAnyOrder("a", "b", "c");
        String mine = q.poll();
        assertThat(q.offer(mine)).isTrue();
        assertThat(q.poll()).as("this thread's own, again").isEqualTo(mine);
        assertThat(List.of(q.poll(), q.poll())).doesNotContain(mine).doesNotContainNull();
        assertThat(q.poll()).isNull();
    }

    @Test
    void aWaiterIsWokenByAReturnAndTimesOutWithoutOne() throws Exception {
        IdleQueue<String> q = new IdleQueue<>(1);
        assertThat(q.poll(20, TimeUnit.MILLISECONDS)).isNull();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<String> got = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            waiting.countDown();
            try {
                got.set(q.poll(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.await();
        Thread.sleep(50);
        assertThat(q.offer("x")).isTrue();
        t.join(5000);
        assertThat(got.get()).isEqualTo("x");
    }

    @Test
    void eightThreadsNeverHoldTheSameElementAtOnceAndNoneIsLost() throws Exception {
        int elements = 4;
        IdleQueue<Integer> q = new IdleQueue<>(elements);
        for (int i = 0; i < elements; i++) {
            q.offer(i);
        }
        AtomicReferenceArray<Thread> holder = new AtomicReferenceArray<>(elements);
        AtomicInteger clashes = new AtomicInteger();
        AtomicInteger borrows = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Integer e;
                    try {
                        e = q.poll(10, TimeUnit.SECONDS);
                    } catch (InterruptedException x) {
                        return;
                    }
                    if (e == null || !holder.compareAndSet(e, null, Thread.currentThread())) {
                        clashes.incrementAndGet();
                        continue;
                    }
                    borrows.incrementAndGet();
                    holder.set(e, null);
                    q.offer(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(clashes).hasValue(0);
        assertThat(borrows).hasValue(8 * 20_000);
        assertThat(q.snapshot()).containsExactlyInAnyOrder(0, 1, 2, 3);
    }
}
