package dev.wasmerffm.sample;

import dev.wasmerffm.HostCall;
import dev.wasmerffm.spring.boot.annotation.WasmHostFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** What plugins log through their {@code env.log} import: to the application log, and the last lines kept. */
@Component
public class PluginLog {

    private static final Logger LOG = LoggerFactory.getLogger(PluginLog.class);
    private static final int KEEP = 20;

    private final Deque<String> recent = new ArrayDeque<>();

    /** {@code env.log(ptr, len)}: UTF-8 text in the calling plugin's memory. */
    @WasmHostFunction(module = "env", name = "log")
    public void log(HostCall call, int ptr, int len) {
        String line = new String(call.memory().read(Integer.toUnsignedLong(ptr), len), StandardCharsets.UTF_8);
        LOG.info("plugin: {}", line);
        synchronized (recent) {
            if (recent.size() == KEEP) {
                recent.removeFirst();
            }
            recent.addLast(line);
        }
    }

    /** The last lines logged, oldest first. */
    public List<String> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }
}
