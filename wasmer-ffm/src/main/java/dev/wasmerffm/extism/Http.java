package dev.wasmerffm.extism;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plugin's {@code http_request}, through the JDK's {@link HttpClient}: refused unless the URL's host matches a glob
 * of the allow-list (none by default), bounded in time (the whole exchange) and in response size, redirects not
 * followed (a redirect could leave the allowed hosts).
 */
final class Http {

    /** One client for every plugin: it owns a selector thread and a connection pool. */
    private static final class Shared {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** What came back: the status, the headers (names in lower case, values joined by ", ") and the body. */
    record Response(int status, Map<String, String> headers, byte[] body) {}

    private Http() {}

    /**
     * Whether {@code host} matches one of {@code globs}, as Extism matches its {@code allowed_hosts}: {@code *} is
     * any run of characters (dots included), {@code ?} any one character; compared in lower case, as host names are.
     */
    static boolean allowed(List<String> globs, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String g : globs) {
            if (glob(g.toLowerCase(Locale.ROOT), 0, h, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = s.length(); k >= si; k--) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || c != '?' && c != s.charAt(si)) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    /**
     * Sends the request a plugin described ({@code {"url", "method", "headers"}}) with {@code body} (null for none).
     *
     * @throws PluginException if the URL is invalid or its host not allowed, a header cannot be set, the exchange
     *         fails or takes longer than {@code timeout}, or the response is larger than {@code maxBytes}
     * @throws InterruptedException if the call's deadline interrupted it
     */
    static Response send(Map<?, ?> request, byte[] body, List<String> allowedHosts, long maxBytes, Duration timeout)
            throws InterruptedException {
        if (!(request.get("url") instanceof String url)) {
            throw new PluginException("the HTTP request has no \"url\" string");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new PluginException("invalid URL " + url + ": " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new PluginException("HTTP request to " + url + " is not allowed: only http and https URLs are");
        }
        if (uri.getHost() == null || !allowed(allowedHosts, uri.getHost())) {
            throw new PluginException(
                    "HTTP request to " + url + " is not allowed: its host is not in allowed hosts " + allowedHosts);
        }
        String method = request.get("method") instanceof String m ? m.toUpperCase(Locale.ROOT) : "GET";
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        if (request.get("headers") instanceof Map<?, ?> headers) {
            for (Map.Entry<?, ?> h : headers.entrySet()) {
                try {
                    b.header(String.valueOf(h.getKey()), String.valueOf(h.getValue()));
                } catch (IllegalArgumentException e) {
                    throw new PluginException("HTTP header " + h.getKey() + " cannot be set: " + e.getMessage());
                }
            }
        }
        HttpRequest req;
        try {
            req = b.method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new PluginException("invalid HTTP request to " + url + ": " + e.getMessage());
        }
        CompletableFuture<HttpResponse<byte[]>> f = Shared.CLIENT.sendAsync(req, info -> new Limited(maxBytes, url));
        try {
            HttpResponse<byte[]> r = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            Map<String, String> headers = new TreeMap<>();
            r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            return new Response(r.statusCode(), headers, r.body());
        } catch (TimeoutException e) {
            throw new PluginException("HTTP request to " + url + " took longer than " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PluginException p) {
                throw p;
            }
            if (cause instanceof java.net.http.HttpTimeoutException) { // the request's own timeout won the race
                throw new PluginException("HTTP request to " + url + " took longer than " + timeout);
            }
            throw new PluginException("HTTP request to " + url + " failed: " + cause);
        } finally {
            f.cancel(true); // a no-op once done; otherwise (deadline, timeout) stops the exchange
        }
    }

    /** Collects a body up to {@code max} bytes; past that it cancels the exchange. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final long max;
        private final String url;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Limited(long max, String url) {
            this.max = max;
            this.url = url;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buf.size() + (long) b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new PluginException(
                            "HTTP response from " + url + " exceeds the maximum of " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buf.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buf.toByteArray());
        }
    }

    /** A timeout no longer than {@code limit} nor the call's time left ({@code deadlineNanos}, 0 for none). */
    static Duration timeout(Duration limit, long deadlineNanos) {
        if (deadlineNanos == 0) {
            return limit;
        }
        long left = Math.max(1, deadlineNanos - System.nanoTime());
        return left < limit.toNanos() ? Duration.ofNanos(left) : limit;
    }
}
