package dev.wasmerffm.sample;

import dev.wasmerffm.CompileException;
import dev.wasmerffm.DeadlineExceededException;
import dev.wasmerffm.LinkException;
import dev.wasmerffm.MeteringExhaustedException;
import dev.wasmerffm.NoSuchExportException;
import dev.wasmerffm.TrapException;
import dev.wasmerffm.WasmArgumentException;
import dev.wasmerffm.extism.PluginException;
import dev.wasmerffm.pool.PoolExhaustedException;
import dev.wasmerffm.pool.UnknownModuleException;
import dev.wasmerffm.pool.WasmImportException;
import dev.wasmerffm.pool.WasmModuleLoadException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Wasmer's typed exceptions as problem details: 422 for what the code did, 504 for a plugin that did not answer in
 * time (the app serves on: 503 would say it does not), 503 with Retry-After when every instance of a module is busy,
 * 404 and 400 for what was asked.
 */
@RestControllerAdvice
class ApiErrors {

    @ExceptionHandler(MeteringExhaustedException.class)
    ProblemDetail outOfPoints(MeteringExhaustedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Metering limit reached", e.getMessage());
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ProblemDetail tooSlow(DeadlineExceededException e) {
        return problem(HttpStatus.GATEWAY_TIMEOUT, "Plugin call timed out", e.getMessage());
    }

    /** 503 with Retry-After: every instance is busy now, a retry a moment later may find one free. */
    @ExceptionHandler(PoolExhaustedException.class)
    ResponseEntity<ProblemDetail> busy(PoolExhaustedException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem(
                        HttpStatus.SERVICE_UNAVAILABLE, "All instances of '" + e.module() + "' busy", e.getMessage()));
    }

    @ExceptionHandler(PluginException.class)
    ProblemDetail pluginError(PluginException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "Plugin error", e.pluginMessage());
    }

    @ExceptionHandler(TrapException.class)
    ProblemDetail trapped(TrapException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "WebAssembly trap: " + e.kind(), e.trapMessage());
    }

    @ExceptionHandler({UnknownModuleException.class, NoSuchExportException.class})
    ProblemDetail notFound(RuntimeException e) {
        return problem(HttpStatus.NOT_FOUND, "No such plugin or function", e.getMessage());
    }

    @ExceptionHandler({
        WasmArgumentException.class,
        ArithmeticException.class,
        CompileException.class,
        LinkException.class,
        WasmModuleLoadException.class,
        WasmImportException.class
    })
    ProblemDetail badRequest(RuntimeException e) {
        return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        return p;
    }
}
