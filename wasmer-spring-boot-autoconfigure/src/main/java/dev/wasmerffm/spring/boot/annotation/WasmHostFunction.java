package dev.wasmerffm.spring.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean the import {@code module.name} of every pooled instance whose module imports it.
 * Parameters are {@code int}, {@code long}, {@code float} or {@code double} (i32, i64, f32, f64), plus optionally one
 * {@link dev.wasmerffm.HostCall} parameter anywhere, which gives the calling instance and its memory; the result is
 * {@code void} or one of those four types. Signatures are checked against the modules' imports at startup. What the
 * method throws traps the wasm call and comes back as the cause of the {@link dev.wasmerffm.TrapException}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WasmHostFunction {

    /** The import's module name. */
    String module() default "env";

    /** The import's name; the method's name when empty. */
    String name() default "";
}
