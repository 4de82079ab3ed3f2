package dev.wasmerffm;

/**
 * One wasm frame of a trap's stack trace.
 *
 * @param funcIndex index of the function in its module
 * @param funcOffset byte offset of the trapping instruction in the function body
 * @param moduleOffset byte offset of the trapping instruction in the module binary
 * @param funcName the function's name from the module's name section, or null
 * @param moduleName the module's name, or null
 */
public record TrapFrame(int funcIndex, long funcOffset, long moduleOffset, String funcName, String moduleName) {

    @Override
    public String toString() {
        return (moduleName == null ? "" : moduleName + "!") + (funcName == null ? "func[" + funcIndex + "]" : funcName)
                + "@0x" + Long.toHexString(moduleOffset);
    }
}
