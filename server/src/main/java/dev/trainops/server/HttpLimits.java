package dev.trainops.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the HTTP transport takes from a client before the MCP SDK sees it (issue 14, "Bad input at
 * scale"; docs/security.md, "Input limits"): a body of at most {@code maxRequestBytes} (413
 * beyond), one JSON-RPC 2.0 message per request (not JSON: 400 with -32700; a batch, or JSON that
 * is not JSON-RPC 2.0: 400 with -32600), at most {@code maxSessions} live sessions (a new
 * {@code initialize} beyond them: 503; the sessions there are unaffected), and a client that goes
 * quiet for {@code idleTimeout}, mid-headers or mid-body, is cut off, so a stalled client cannot
 * hold a thread. Every refusal is a JSON-RPC error object with
 * {@code id: null}; nothing of the server's internals is in it.
 *
 * @param maxRequestBytes the largest request body accepted
 * @param maxSessions     the most MCP sessions alive at once
 * @param idleTimeout     a connection quiet this long is closed (60 s; the SDK's keep-alive, every 30 s, keeps a quiet SSE stream open)
 * @param bodyDeadline    a request body still arriving this long after its first read is refused 408 (30 s): a client that
 *                        trickles a byte now and then, never quiet for the idle timeout, cannot hold a thread for long either
 */
public record HttpLimits(int maxRequestBytes, int maxSessions, Duration idleTimeout, Duration bodyDeadline) {
    public static final Duration BODY_DEADLINE = Duration.ofSeconds(30);
    public static final HttpLimits DEFAULTS = new HttpLimits(1 << 20, 1000, Duration.ofSeconds(60));

    public HttpLimits(int maxRequestBytes, int maxSessions, Duration idleTimeout) {
        this(maxRequestBytes, maxSessions, idleTimeout, BODY_DEADLINE);
    }
    /** The SDK sweeps a session idle for a sweep interval (30 min by default); one idle twice that no longer counts. */
    static final Duration SESSION_IDLE = Duration.ofMinutes(60);

    public HttpLimits {
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("max request bytes must be at least 1024, was " + maxRequestBytes);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive, was " + idleTimeout);
        }
        if (bodyDeadline == null || bodyDeadline.isNegative() || bodyDeadline.isZero()) {
            throw new IllegalArgumentException("body deadline must be positive, was " + bodyDeadline);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max sessions must be at least 1, was " + maxSessions);
        }
    }

    /**
     * The idle timeout on a connector. No minimum data rate: Jetty measures it from the start of
     * the request, so on a loaded machine a small body read a few milliseconds late falls below
     * any useful rate and is refused 408.
     */
    void harden(ServerConnector connector) {
        connector.setIdleTimeout(idleTimeout.toMillis());
        HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
        if (http != null) {
            http.getHttpConfiguration().setIdleTimeout(idleTimeout.toMillis());
        }
    }

    /** The filter in front of {@code /mcp}. */
    Filter filter(Clock clock) {
        return new Guard(this, clock);
    }

    private static final class Guard implements Filter {
        private static final String SESSION_HEADER = "Mcp-Session-Id";
        private static final JsonMapper JSON = JsonMapper.builder().build();

        private final HttpLimits limits;
        private final Clock clock;
        /** Live sessions as this filter saw them start, by id, with when each was last used. */
        private final Map<String, Long> sessions = new ConcurrentHashMap<>();

        Guard(HttpLimits limits, Clock clock) {
            this.limits = limits;
            this.clock = clock;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            HttpServletResponse response = (HttpServletResponse) res;
            String session = request.getHeader(SESSION_HEADER);
            if ("DELETE".equals(request.getMethod())) {
                chain.doFilter(req, res);
                if (session != null && response.getStatus() < 300) {
                    sessions.remove(session);
                }
                return;
            }
            if (!"POST".equals(request.getMethod())) {
                touch(session);
                chain.doFilter(req, res);
                return;
            }
            long declared = request.getContentLengthLong();
            if (declared > limits.maxRequestBytes) {
                refuse(response, 413, -32600, tooLarge(declared + " bytes"));
                return;
            }
            byte[] body;
            try {
                body = read(request.getInputStream(), limits.maxRequestBytes, limits.bodyDeadline);
            } catch (IOException slowOrGone) {
                // idle timeout or below the minimum data rate: answer if the client still listens, say nothing of why inside
                if (!response.isCommitted()) {
                    refuse(response, 408, -32600, "The request body did not arrive in time. Send it at once.");
                }
                return;
            }
            if (body == null) {
                drain(request.getInputStream(), 4L * limits.maxRequestBytes, limits.bodyDeadline);
                refuse(response, 413, -32600, tooLarge("more than " + limits.maxRequestBytes + " bytes"));
                return;
            }
            JsonNode message;
            try {
                message = JSON.readTree(body);
            } catch (tools.jackson.core.exc.StreamConstraintsException e) {
                refuse(response, 400, -32600, "Invalid Request: the message nests too deep or holds a value too long to read.");
                return;
            } catch (JacksonException e) {
                refuse(response, 400, -32700, "Parse error: the request body is not JSON. Send one JSON-RPC 2.0 message as JSON.");
                return;
            }
            String invalid = invalid(message);
            if (invalid != null) {
                refuse(response, 400, -32600, "Invalid Request: " + invalid);
                return;
            }
            boolean initialize = session == null && "initialize".equals(message.path("method").asString(""));
            if (initialize && live() >= limits.maxSessions) {
                response.setHeader("Retry-After", "60");
                refuse(response, 503, -32000, "This server holds " + limits.maxSessions + " MCP sessions, its limit. Close a session you no "
                        + "longer use (DELETE /mcp with its Mcp-Session-Id) or retry later.");
                return;
            }
            try {
                chain.doFilter(new Buffered(request, body), res);
            } catch (IOException | ServletException | RuntimeException e) {
                // the SDK failed on a message that passed the checks above: a JSON-RPC error, not a servlet error page with its cause
                if (response.isCommitted()) {
                    throw e;
                }
                response.reset();
                refuse(response, 500, -32603, "Internal error while handling the message.");
                return;
            }
            String started = initialize ? response.getHeader(SESSION_HEADER) : null;
            if (started != null) {
                sessions.put(started, clock.millis());
            } else if (session != null && response.getStatus() == 404) {
                sessions.remove(session);
            } else {
                touch(session);
            }
        }

        private void touch(String session) {
            if (session != null) {
                sessions.computeIfPresent(session, (k, v) -> clock.millis());
            }
        }

        private int live() {
            long oldest = clock.millis() - SESSION_IDLE.toMillis();
            sessions.values().removeIf(lastUsed -> lastUsed < oldest);
            return sessions.size();
        }

        private String tooLarge(String size) {
            return "The request body is " + size + "; the limit is " + limits.maxRequestBytes + " bytes. Send smaller arguments.";
        }

        /** Why {@code message} is not one JSON-RPC 2.0 message, or null. */
        private static String invalid(JsonNode message) {
            if (message.isArray()) {
                return "batches are not supported; send one JSON-RPC message per request.";
            }
            if (!message.isObject()) {
                return "the body must be a JSON-RPC 2.0 message (a JSON object).";
            }
            if (!"2.0".equals(message.path("jsonrpc").asString(null))) {
                return "\"jsonrpc\" must be \"2.0\".";
            }
            JsonNode id = message.get("id");
            if (id != null && !id.isString() && !id.isIntegralNumber()) {
                return "\"id\" must be a string or an integer.";
            }
            JsonNode method = message.get("method");
            if (method != null) {
                if (!method.isString() || method.asString().isEmpty()) {
                    return "\"method\" must be a non-empty string.";
                }
                JsonNode params = message.get("params");
                return params == null || params.isObject() ? null : "\"params\" must be an object.";
            }
            if (id == null || (message.get("result") == null) == (message.get("error") == null)) {
                return "a message needs a \"method\" (a request or notification), or an \"id\" with a \"result\" or an \"error\" (a response).";
            }
            return null;
        }

        /** The body, or null when it is longer than {@code max}. */
        /**
         * At most {@code max + 1} bytes, or null when there are more; an IOException when the body is
         * still arriving {@code deadline} after the first read (checked between reads, so a stalled
         * read still ends at the idle timeout: at most deadline plus idle timeout in all).
         */
        private static byte[] read(InputStream in, int max, Duration deadline) throws IOException {
            long until = System.nanoTime() + deadline.toNanos();
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, max + 1L - body.size()))) > 0) {
                body.write(buffer, 0, n);
                if (body.size() > max) {
                    return null;
                }
                if (System.nanoTime() - until > 0) {
                    throw new IOException("the request body did not arrive within " + deadline.toSeconds() + " s");
                }
            }
            return body.toByteArray();
        }

        /**
         * Reads and drops the rest of a body of undeclared length that is over the limit, up to {@code bound} bytes and
         * {@code deadline}, so the client has sent it all when the 413 arrives: a connection closed under a client still
         * writing can lose the answer (the client sees a reset). Beyond the bound, Jetty closes the connection as before.
         */
        private static void drain(InputStream in, long bound, Duration deadline) {
            long until = System.nanoTime() + deadline.toNanos();
            byte[] buffer = new byte[8192];
            long left = bound;
            try {
                int n;
                while (left > 0 && System.nanoTime() - until < 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                    left -= n;
                }
            } catch (IOException gone) {
                // the client stopped sending or went away: answer anyway
            }
        }

        private static void refuse(HttpServletResponse response, int status, int code, String message) throws IOException {
            response.setStatus(status);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Map<String, Object> error = new java.util.LinkedHashMap<>();
            error.put("jsonrpc", "2.0");
            error.put("id", null);
            error.put("error", Map.of("code", code, "message", message));
            response.getWriter().write(JSON.writeValueAsString(error));
        }
    }

    /** The request with its body already read: the SDK reads it again from here. */
    private static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
