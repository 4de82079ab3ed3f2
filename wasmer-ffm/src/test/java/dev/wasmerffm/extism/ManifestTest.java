package dev.wasmerffm.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmerffm.DeadlineExceededException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extism manifests (JSON) as Extism's runtime reads them. */
class ManifestTest {

    @TempDir
    Path dir;

    @Test
    void aManifestWithPathHashConfigMemoryAndTimeoutRuns() throws Exception {
        Path wasm = Plugins.file(Plugins.RUST);
        Files.copy(wasm, dir.resolve("plugin.wasm"));
        String hash =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(wasm)));
        Files.writeString(dir.resolve("manifest.json"), """
                {"wasm": [{"path": "plugin.wasm", "hash": "%s"}],
                 "config": {"vowels": "xyz"},
                 "memory": {"max_pages": 64, "max_var_bytes": 1024, "max_http_response_bytes": 10},
                 "allowed_hosts": ["example.com"],
                 "allowed_paths": {".": "/here"},
                 "timeout_ms": 150}
                """.formatted(hash));
        try (Plugin p = Plugin.builder()
                .manifest(dir.resolve("manifest.json"))
                .hostFunction("shout", in -> in)
                .build()) {
            assertThat(p.name()).isEqualTo("plugin");
            assertThat(p.call("count_vowels", "xylophone")).isEqualTo("{\"count\":2,\"total\":2,\"vowels\":\"xyz\"}");
            assertThatThrownBy(() -> p.call("spin", "")).isInstanceOf(DeadlineExceededException.class);
            assertThat(p.compiled.allowedHosts).containsExactly("example.com");
            assertThat(p.compiled.maxHttpResponseBytes).isEqualTo(10);
            assertThat(p.compiled.maxVarBytes).isEqualTo(1024);
        }
    }

    @Test
    void wasmAsBase64DataWithAName() throws Exception {
        String data = Base64.getEncoder().encodeToString(Files.readAllBytes(Plugins.file(Plugins.RUST)));
        try (CompiledPlugin c = Plugin.builder()
                        .manifest("{\"wasm\":[{\"data\":\"" + data + "\",\"name\":\"inline\"}]}", dir)
                        .hostFunction("shout", in -> in)
                        .httpTimeout(java.time.Duration.ofSeconds(5))
                        .engineConfig(new dev.wasmerffm.Config().backend(dev.wasmerffm.Backend.CRANELIFT))
                        .compile();
                Plugin p = c.instantiate()) {
            assertThat(c.name()).isEqualTo("inline");
            assertThat(c.functions()).contains("echo", "count_vowels", "greet_json", "fail", "call_host", "spin");
            assertThat(c.toString()).contains("inline");
            assertThat(p.name()).isEqualTo("inline");
            assertThat(p.toString()).isEqualTo("Plugin[inline]");
            assertThat(p.compiled.httpTimeout).isEqualTo(java.time.Duration.ofSeconds(5));
            assertThat(p.call("echo", "data")).isEqualTo("data");
        }
    }

    @Test
    void whatIsWrongInAManifestIsNamed() {
        assertRefused("{\"wasm\":[{\"path\":\"missing.wasm\"}]}", "cannot read wasm[0].path");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\",\"hash\":\"00\"}]}", "hash mismatch");
        assertRefused("{\"wasm\":[{\"data\":\"%%%\"}]}", "not base64");
        assertRefused("{\"wasm\":[{\"url\":\"https://example.com/p.wasm\"}]}", "url is not supported");
        assertRefused("{\"wasm\":[]}", "must list one module");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\"}],\"timeout_ms\":-1}", "timeout_ms must be a whole");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\"}],\"config\":{\"a\":1}}", "config.a must be a string");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\"}],\"allowed_paths\":{\"ro:.\":\"/x\"}}", "read-only");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\"}],\"wasi\":true}", "unknown field \"wasi\"");
        assertRefused("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=\"}]", "malformed JSON at offset 33");
        assertRefused("[]", "not a JSON object");
    }

    private void assertRefused(String manifest, String message) {
        assertThatThrownBy(() -> Plugin.builder().manifest(manifest, dir))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining(message);
    }
}
