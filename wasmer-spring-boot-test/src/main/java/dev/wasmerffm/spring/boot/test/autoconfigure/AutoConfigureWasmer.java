package dev.wasmerffm.spring.boot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Adds the Wasmer auto-configuration to a test, as Spring Boot's {@code @AutoConfigure...} annotations do: a slice
 * such as {@code @WebMvcTest} gets the real engine, module registry, instance pool and {@code @WasmModule} interface
 * beans, and every {@link WasmTestModule} bean is registered as a module. The auto-configurations are listed in
 * {@code META-INF/spring/dev.wasmerffm.spring.boot.test.autoconfigure.AutoConfigureWasmer.imports}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
public @interface AutoConfigureWasmer {}
