package dev.wasmerffm.spring.boot.autoconfigure;

import dev.wasmerffm.pool.WasmModuleException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a module that did not load, an import no bean provides as declared, or a {@code @WasmModule} interface that
 * does not match its module: the exception names the module and says what to change.
 */
class WasmModuleFailureAnalyzer extends AbstractFailureAnalyzer<WasmModuleException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WasmModuleException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.fix(), cause);
    }
}
