package dev.wasmerffm.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmerffm.pool.PoolExhaustedException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

class ApiErrorsTest {

    @Test
    void poolExhaustionIs503WithRetryAfterNamingTheModuleWaitAndSize() {
        ResponseEntity<ProblemDetail> r =
                new ApiErrors().busy(new PoolExhaustedException("calc", Duration.ofSeconds(2), 4));
        assertThat(r.getStatusCode().value()).isEqualTo(503);
        assertThat(r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        ProblemDetail body = r.getBody();
        assertThat(body).isNotNull();
        assertThat(body.getTitle()).isEqualTo("All instances of 'calc' busy");
        assertThat(body.getDetail())
                .isEqualTo("no instance of module 'calc' free within 2000 ms (pool size 4, all in use)");
    }
}
