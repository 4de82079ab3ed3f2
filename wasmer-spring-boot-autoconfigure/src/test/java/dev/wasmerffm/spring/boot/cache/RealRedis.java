package dev.wasmerffm.spring.boot.cache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * A real Redis for one test class: a Testcontainers container where a Docker engine runs, else Debian's
 * {@code redis-server} (installed by {@code tools/install-redis.sh}) on a free loopback port. {@link #close()} makes
 * it go away, as a failing Redis would.
 */
final class RealRedis implements AutoCloseable {

    private final Process process;
    private final GenericContainer<?> container;
    final String host;
    final int port;

    private RealRedis(Process process, GenericContainer<?> container, String host, int port) {
        this.process = process;
        this.container = container;
        this.host = host;
        this.port = port;
    }

    static RealRedis start() throws Exception {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            GenericContainer<?> c = new GenericContainer<>("redis:7.4-alpine").withExposedPorts(6379);
            c.start();
            return new RealRedis(null, c, c.getHost(), c.getMappedPort(6379));
        }
        // A free port can be taken by another process before redis-server binds it: retry until the server that
        // answers on it is the one started here (its INFO process_id), or a test would share another one's Redis.
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(
                            "redis-server",
                            "--port",
                            String.valueOf(port),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            RealRedis redis = new RealRedis(p, null, "127.0.0.1", port);
            for (int i = 0; i < 100 && p.isAlive(); i++) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress(redis.host, port), 100);
                    if (processId(probe) == p.pid()) {
                        return redis;
                    }
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            redis.close();
        }
        throw new IllegalStateException("redis-server did not start on a free loopback port in 5 attempts");
    }

    /** The {@code process_id} the Redis answering on {@code socket} reports. */
    private static long processId(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("INFO server\r\n".getBytes(StandardCharsets.US_ASCII));
        BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("process_id:")) {
                return Long.parseLong(line.substring("process_id:".length()).trim());
            }
        }
        return -1;
    }

    String[] properties() {
        return new String[] {
            "spring.data.redis.host=" + host,
            "spring.data.redis.port=" + port,
            "spring.data.redis.timeout=5s", // a megabyte artifact on a loaded 2-core machine
            "spring.data.redis.connect-timeout=500ms",
            "spring.cache.type=redis"
        };
    }

    @Override
    public void close() throws Exception {
        if (container != null) {
            container.stop();
        } else {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
