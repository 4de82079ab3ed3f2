package dev.wasmerffm.spring.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java interface as the typed face of a registered module: the starter makes a bean of it whose methods call
 * the module's exports through the instance pool. Interfaces in the application's auto-configuration packages are
 * found by themselves; {@link dev.wasmerffm.spring.boot.interop.WasmModuleInterfaces#create} makes one by hand.
 *
 * <p>Each method calls the export of its name (or of its {@link WasmFunction}). Parameters and results are
 * {@code int}, {@code long}, {@code float}, {@code double} (i32, i64, f32, f64) or, by the byte convention,
 * {@code String} (UTF-8), {@code byte[]} or {@code ByteBuffer}:
 * <ul>
 * <li>the module exports its {@code memory}, {@code alloc: (i32 size) -> i32 ptr} and
 * {@code dealloc: (i32 ptr, i32 size) -> ()};</li>
 * <li>a bytes parameter becomes two i32 parameters, {@code ptr} and {@code len}, of memory the caller allocated with
 * {@code alloc} and filled;</li>
 * <li>a bytes result is one i64, {@code ptr << 32 | len}, of memory the module allocated with its {@code alloc};</li>
 * <li>after the call the caller frees, with {@code dealloc}, the result and then the parameters in reverse order
 * (last allocated first, so a stack allocator is enough).</li>
 * </ul>
 * <p>A method of {@code int[]}, {@code long[]}, {@code float[]} and {@code double[]} is a batch: it applies its export
 * to every row (element {@code k} of each parameter) as one
 * {@link dev.wasmerffm.pool.WasmInstancePool#batch} and returns the column of the export's one result
 * ({@code void} for an export without results). Its columns must be of equal length; a trapping row throws
 * {@link dev.wasmerffm.BatchTrapException} naming the row; the module must be unmetered.
 *
 * <p>Every method is checked against the module's exports at startup; a mismatch fails startup naming the method, the
 * export and both signatures.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WasmModule {

    /** The registered module's name (its file name without extension). */
    String value();
}
