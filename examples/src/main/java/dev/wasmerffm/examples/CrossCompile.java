package dev.wasmerffm.examples;

import dev.wasmerffm.ArtifactKey;
import dev.wasmerffm.CompileException;
import dev.wasmerffm.Config;
import dev.wasmerffm.Engine;
import dev.wasmerffm.Module;
import dev.wasmerffm.Target;

/** Compile for another machine (here 64-bit ARM Linux) and ship the artifact; this host refuses to run it. */
public final class CrossCompile {

    private CrossCompile() {}

    /** Prints the artifact size and the host's refusal. */
    public static void main(String[] args) {
        String wat = "(module (func (export \"f\") (result i32) i32.const 1))";
        ArtifactKey key = ArtifactKey.random();
        byte[] artifact;
        try (Engine arm = new Engine(new Config().target(Target.of("aarch64-unknown-linux-gnu")));
                Module module = Module.compile(arm, wat)) {
            artifact = module.serialize(key);
            System.out.println("aarch64 artifact: " + artifact.length + " bytes");
        }
        try (Engine host = new Engine()) {
            Module.deserialize(host, artifact, key, Module.identityOf(wat.getBytes()))
                    .close();
            System.out.println("unexpectedly loaded on this host");
        } catch (CompileException e) {
            System.out.println("refused on this host: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
