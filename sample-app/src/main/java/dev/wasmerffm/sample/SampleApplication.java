package dev.wasmerffm.sample;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.Wasmer;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The sample application: runs WebAssembly through the Wasmer starter. */
@SpringBootApplication
public class SampleApplication {

    static final String ADD = """
            (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))""";

    /** Starts the application. */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    @Bean
    CommandLineRunner hello() {
        return args -> {
            try (Engine engine = new Engine(); Store store = new Store(engine);
                    Module module = Module.compile(engine, ADD); Instance instance = Instance.create(store, module)) {
                System.out.println("Wasmer " + Wasmer.version());
                System.out.println("add(40, 2) = " + instance.func("add").call(40, 2)[0]);
            }
        };
    }
}
