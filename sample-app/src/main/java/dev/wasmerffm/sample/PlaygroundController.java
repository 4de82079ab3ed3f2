package dev.wasmerffm.sample;

import dev.wasmerffm.Instance;
import dev.wasmerffm.Module;
import dev.wasmerffm.Store;
import dev.wasmerffm.cache.ModuleCache;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Runs pasted WAT: compiled through the (metered, memory-capped) cache, run in a fresh store. */
@RestController
public class PlaygroundController {

    private final ModuleCache cache;

    PlaygroundController(ModuleCache cache) {
        this.cache = cache;
    }

    /** A module as WAT, the function to call and its arguments. */
    record PlaygroundRequest(String wat, String function, List<Number> args) {}

    @PostMapping("/playground")
    PluginController.CallResult run(@RequestBody PlaygroundRequest request) {
        Module module = cache.get(request.wat().getBytes(StandardCharsets.UTF_8));
        try (Store store = new Store(module);
                Instance instance = Instance.create(store, module)) {
            return PluginController.CallResult.of(instance, instance.func(request.function()), request.args());
        }
    }
}
