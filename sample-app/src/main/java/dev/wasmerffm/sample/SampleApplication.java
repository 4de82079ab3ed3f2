package dev.wasmerffm.sample;

import dev.wasmerffm.Wasmer;
import dev.wasmerffm.pool.WasmInstancePool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The sample application: WebAssembly plugins behind a small HTTP API, through the Wasmer starter. */
@SpringBootApplication
public class SampleApplication {

    private static final Logger log = LoggerFactory.getLogger(SampleApplication.class);

    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    ApplicationRunner greet(WasmInstancePool pool) {
        return args ->
                log.info("Wasmer {} ready; math.add(40, 2) = {}", Wasmer.version(), pool.call("math", "add", 40, 2)[0]);
    }
}
