package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.WasmerLibrary;
import java.nio.file.Path;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.NativeDetector;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Loads libwasmer on a background thread as soon as the environment is known, while Spring builds the context: the
 * load (checking and hashing the 40 MB library at every start, then linking the first downcall) is most of what the
 * starter adds to startup, and it needs none of the context. The auto-configuration's own load then waits for this one
 * or finds it done. Boot's {@code BackgroundPreinitializer} cannot do it: it does not see {@code wasmer.library-path}.
 *
 * <p>Skipped as Boot skips its own preinitialization: on one processor, in a native image, or with the system property
 * {@code spring.backgroundpreinitializer.ignore=true}; and when {@code wasmer.enabled=false}. A failure here is
 * dropped: the auto-configuration loads again and reports it.
 */
final class WasmerLibraryPreloader implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    /** Boot's switch for all background preinitialization. */
    static final String IGNORE_PROPERTY = "spring.backgroundpreinitializer.ignore";

    /** The name of the thread that loads. */
    static final String THREAD = "wasmer-preload";

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        if (WasmerLibrary.isLoaded()
                || Boolean.getBoolean(IGNORE_PROPERTY)
                || NativeDetector.inNativeImage()
                || Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        ConfigurableEnvironment environment = event.getEnvironment();
        Path libraryPath;
        try {
            Binder binder = Binder.get(environment);
            if (!binder.bind("wasmer.enabled", Boolean.class).orElse(true)) {
                return;
            }
            libraryPath = binder.bind("wasmer.library-path", Path.class).orElse(null);
        } catch (RuntimeException badValue) { // reported with its origin when the properties are bound
            return;
        }
        Thread.ofPlatform().name(THREAD).daemon().start(() -> {
            try {
                PropertiesWasmerSettings.loadLibrary(libraryPath);
            } catch (Throwable dropped) { // the auto-configuration's load throws it again, as a startup failure
            }
        });
    }
}
