package dev.wasmerffm.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.spring.boot.actuate.endpoint.WasmerEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WasmerEndpointAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    WasmerAutoConfiguration.class,
                    WasmerEndpointAutoConfiguration.class,
                    EndpointAutoConfiguration.class,
                    WebEndpointAutoConfiguration.class))
            .withPropertyValues("wasmer.cache.enabled=false");

    @Test
    void endpointOnlyWhenExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=wasmer")
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(WasmerEndpoint.class);
                    WasmerEndpoint.WasmerDescriptor d =
                            ctx.getBean(WasmerEndpoint.class).wasmer();
                    assertThat(d.version().full()).isEqualTo("7.4.2");
                    assertThat(d.backends()).containsEntry("cranelift", true).containsEntry("llvm", false);
                    assertThat(d.modules())
                            .extracting(WasmerEndpoint.ModuleDescriptor::name)
                            .containsExactly("add", "counter", "spin");
                    assertThat(ctx.getBean(WasmerEndpoint.class).module("add").exports())
                            .containsEntry("add", "(i32, i32) -> (i32)");
                    assertThat(ctx.getBean(WasmerEndpoint.class).module("missing"))
                            .isNull();
                });
    }

    @Test
    void notWhenNotExposed() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(WasmerEndpoint.class));
    }
}
