package dev.wasmerffm.spring.boot.testplugins.extism;

import dev.wasmerffm.spring.boot.annotation.WasmFunction;

/** The functions the Go and Rust PDK test plugins (wasmer-ffm/src/test/extism) both export, with Java types. */
public interface PdkPlugin {

    /** What {@code count_vowels} outputs as JSON. */
    record Count(int count, int total, String vowels) {}

    /** What {@code greet_json} reads as JSON. */
    record Greeting(String name, int age) {}

    /** What {@code greet_json} outputs as JSON. */
    record Reply(String message, int nextAge) {}

    @WasmFunction("count_vowels")
    Count countVowels(String text);

    @WasmFunction("greet_json")
    Reply greet(Greeting greeting);

    byte[] echo(byte[] data);

    String fail(String why);

    @WasmFunction("call_host")
    String callHost(String text);

    @WasmFunction("http_get")
    String httpGet(String url);

    void spin();
}
