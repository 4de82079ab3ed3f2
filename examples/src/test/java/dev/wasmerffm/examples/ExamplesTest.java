package dev.wasmerffm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs every example's main and checks what it prints. */
class ExamplesTest {

    interface Main {
        void run() throws Exception;
    }

    static String output(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void basicCall() throws Exception {
        assertThat(output(() -> BasicCall.main(new String[0]))).isEqualTo("add(40, 2) = 42\nadd(40, 2) = 42\n");
    }

    @Test
    void hostFunctions() throws Exception {
        assertThat(output(() -> HostFunctions.main(new String[0])))
                .isEqualTo("wasm says: hello from wasm\ntrap caused by: refused by Java\n");
    }

    @Test
    void wasiApp() throws Exception {
        assertThat(output(() -> WasiApp.main(new String[0]))).isEqualTo("stdout: got: some input\nexit code: 3\n");
    }

    @Test
    void metered() throws Exception {
        assertThat(output(() -> Metered.main(new String[0])))
                .isEqualTo("stopped: points left 0\nanswer after reset: 42\n");
    }

    @Test
    void cacheAndSerialize() throws Exception {
        assertThat(output(() -> CacheAndSerialize.main(new String[0])))
                .isEqualTo(
                        "deserialized twice(21) = 42\nrun 1: compiles=1 diskLoads=0\nrun 2: compiles=0 diskLoads=1\n");
    }

    @Test
    void crossCompile() throws Exception {
        String out = output(() -> CrossCompile.main(new String[0]));
        assertThat(out).containsPattern("aarch64 artifact: \\d+ bytes").contains("refused on this host:");
    }
}
