package dev.wasmerffm.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Reports a refused {@code wasmer.*} value as it was written ({@code -1MB}, not the bound {@code -1048576B}) and
 * where: the origin Spring Boot tracks (a file and line) or, where it tracks none, the property source, naming the
 * command-line argument. Ahead of Spring Boot's own analyzer, which shows the bound value and no origin for
 * command-line arguments.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class WasmerPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException> {

    private final Environment environment;

    WasmerPropertyFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(
            Throwable rootFailure, InvalidConfigurationPropertyValueException cause) {
        String name = cause.getName();
        if (!name.startsWith("wasmer.") || !ConfigurationPropertyName.isValid(name)) {
            return null;
        }
        ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(key);
            if (property != null) {
                return analysis(cause, property.getValue(), origin(source, property));
            }
        }
        return analysis(cause, cause.getValue(), "not set: the value is the default");
    }

    private static String origin(ConfigurationPropertySource source, ConfigurationProperty property) {
        Origin origin = property.getOrigin();
        if (origin instanceof PropertySourceOrigin p
                && CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME.equals(
                        p.getPropertySource().getName())) {
            return "command line argument '--" + p.getPropertyName() + "=" + property.getValue() + "'";
        }
        if (origin != null) {
            return origin.toString();
        }
        return "property source '"
                + (source.getUnderlyingSource() instanceof PropertySource<?> s ? s.getName() : source) + "'";
    }

    private static FailureAnalysis analysis(
            InvalidConfigurationPropertyValueException cause, @Nullable Object value, String origin) {
        return new FailureAnalysis(
                "Invalid value '" + value + "' for configuration property '" + cause.getName() + "'.\n\n"
                        + "    Origin: " + origin + "\n"
                        + "    Reason: " + (cause.getReason() != null ? cause.getReason() : "refused"),
                "Change " + cause.getName() + " where it is set (above), as the reason says.",
                cause);
    }
}
