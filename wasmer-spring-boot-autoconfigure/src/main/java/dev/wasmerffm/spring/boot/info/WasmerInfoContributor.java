package dev.wasmerffm.spring.boot.info;

import dev.wasmerffm.Engine;
import dev.wasmerffm.Wasmer;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** Adds {@code wasmer: {version, backend}} to the info endpoint. */
public class WasmerInfoContributor implements InfoContributor {

    private final Engine engine;

    public WasmerInfoContributor(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail(
                "wasmer",
                Map.of(
                        "version",
                        Wasmer.version().full(),
                        "backend",
                        engine.config().backend().toString()));
    }
}
