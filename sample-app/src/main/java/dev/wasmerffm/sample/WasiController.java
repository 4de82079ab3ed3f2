package dev.wasmerffm.sample;

import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.wasi.WasiConfig;
import dev.wasmerffm.wasi.WasiEnv;
import dev.wasmerffm.wasi.WasiExit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Runs the WASI programs in {@code classpath:wasi/}: arguments and stdin in, exit code and output out. */
@RestController
public class WasiController {

    private final ModuleCache cache;

    WasiController(ModuleCache cache) {
        this.cache = cache;
    }

    /** What to run with. */
    record WasiRequest(List<String> args, String stdin) {}

    /** How it ended. */
    record WasiResponse(int exitCode, String stdout, String stderr, boolean truncated) {}

    @PostMapping("/wasi/{program}")
    WasiResponse run(@PathVariable String program, @RequestBody(required = false) WasiRequest request)
            throws IOException {
        Module module = cache.get(load(program));
        WasiConfig config = new WasiConfig(program).maxOutput(64 * 1024);
        if (request != null && request.args() != null) {
            config.args(request.args().toArray(String[]::new));
        }
        if (request != null && request.stdin() != null) {
            config.stdin(request.stdin().getBytes(StandardCharsets.UTF_8));
        }
        // A store and WASI environment per request: nothing is shared between runs.
        try (Store store = new Store(module);
                WasiEnv wasi = WasiEnv.create(store, config)) {
            WasiExit exit = wasi.run(module);
            return new WasiResponse(exit.exitCode(), exit.stdoutText(), exit.stderrText(), exit.truncated());
        }
    }

    private static byte[] load(String program) throws IOException {
        ClassPathResource r = new ClassPathResource("wasi/" + program + ".wasm");
        if (!program.matches("[a-z0-9-]+") || !r.exists()) {
            throw new UnknownModuleException(program, Set.of("greet"), List.of("classpath:wasi/*.wasm"));
        }
        try (InputStream in = r.getInputStream()) {
            return in.readAllBytes();
        }
    }
}
