package dev.wasmerffm.spring.boot.testplugins.text;

import dev.wasmerffm.spring.boot.annotation.WasmFunction;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import java.nio.ByteBuffer;

/** The text module through a Java interface: strings, bytes and buffers by the byte convention, ints as they are. */
@WasmModule("text")
public interface TextPlugin {

    String shout(String text);

    @WasmFunction("shout")
    byte[] shoutBytes(byte[] text);

    @WasmFunction("shout")
    ByteBuffer shoutBuffer(ByteBuffer text);

    int quadruple(int x);

    /** Its export returns a block outside memory. */
    @WasmFunction("broken")
    String broken(String text);

    /** The allocator's top: back at its start when every call freed what it allocated. */
    int depth();

    default String shoutTwice(String text) {
        return shout(shout(text)) + "!";
    }
}
