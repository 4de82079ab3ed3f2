package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.pool.WasmInstancePool;
import dev.wasmerffm.pool.WasmModules;
import dev.wasmerffm.spring.boot.annotation.WasmModule;
import dev.wasmerffm.spring.boot.interop.PluginPayloads;
import dev.wasmerffm.spring.boot.interop.WasmModuleInterfaces;
import java.util.Objects;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers a bean for every {@link WasmModule} interface in the application's auto-configuration packages (those of
 * its {@code @SpringBootApplication}), as Spring Data does for repositories, named like the interface
 * ({@code mathPlugin} for {@code MathPlugin}) unless a bean of that name exists.
 */
final class WasmModuleInterfacesRegistrar implements ImportBeanDefinitionRegistrar {

    private final BeanFactory beanFactory;
    private final Environment environment;
    private final ResourceLoader resourceLoader;

    /** Spring passes these to an import registrar's constructor, before it registers anything. */
    WasmModuleInterfacesRegistrar(BeanFactory beanFactory, Environment environment, ResourceLoader resourceLoader) {
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.resourceLoader = resourceLoader;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        if (!AutoConfigurationPackages.has(beanFactory)) {
            return;
        }
        ClassPathScanningCandidateComponentProvider scanner =
                new ClassPathScanningCandidateComponentProvider(false, environment) {
                    @Override
                    protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
                        return definition.getMetadata().isInterface()
                                && definition.getMetadata().isIndependent();
                    }
                };
        scanner.setResourceLoader(resourceLoader);
        scanner.addIncludeFilter(new AnnotationTypeFilter(WasmModule.class));
        for (String pkg : AutoConfigurationPackages.get(beanFactory)) {
            for (BeanDefinition found : scanner.findCandidateComponents(pkg)) {
                register(
                        ClassUtils.resolveClassName(found.getBeanClassName(), resourceLoader.getClassLoader()),
                        registry);
            }
        }
    }

    private void register(Class<?> type, BeanDefinitionRegistry registry) {
        String name = ClassUtils.getShortNameAsProperty(type);
        if (registry.containsBeanDefinition(name)) {
            return;
        }
        // a factory method, not an instance supplier: ahead-of-time processing can generate code for it
        RootBeanDefinition definition = new RootBeanDefinition(WasmModuleInterfaces.class);
        definition.setFactoryMethodName("create");
        // the overload taking plugin payloads: resolved here, since ahead-of-time processing cannot choose
        definition.setResolvedFactoryMethod(Objects.requireNonNull(ReflectionUtils.findMethod(
                WasmModuleInterfaces.class,
                "create",
                Class.class,
                WasmModules.class,
                WasmInstancePool.class,
                PluginPayloads.class)));
        definition.getConstructorArgumentValues().addIndexedArgumentValue(0, type);
        definition.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
        definition.setTargetType(type);
        registry.registerBeanDefinition(name, definition);
    }
}
