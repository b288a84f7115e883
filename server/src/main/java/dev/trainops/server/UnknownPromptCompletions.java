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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code completion/complete} for a prompt this server does not have answers no values, as the MCP
 * conformance suite asks ("completion support can be minimal or return empty arrays ... the
 * endpoint must respond correctly"), where the SDK (2.1) answers invalid params before any handler
 * runs. Below the SDK, such a request's reference is rewritten to a fixed resource
 * ({@value #FIXED_URI}), for which the SDK answers an empty completion; every other message passes
 * untouched. An unknown prompt's name is never echoed (docs/decisions.md, "Completions for an
 * unknown prompt").
 */
final class UnknownPromptCompletions {
    static final String FIXED_URI = "trainops://pricing";
    /** Bodies larger than this are passed on unread: a completion request is a few hundred bytes. */
    static final int MAX_INSPECTED = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Supplier<Set<String>> prompts;

    /** @param prompts the names of the prompts the server has (read when a request arrives) */
    UnknownPromptCompletions(Supplier<Set<String>> prompts) {
        this.prompts = prompts;
    }

    /** {@code message} with an unknown prompt reference replaced, or {@code message} itself. */
    String rewrite(String message) {
        if (!message.contains("completion/complete")) {
            return message;
        }
        JsonNode root;
        try {
            root = JSON.readTree(message);
        } catch (RuntimeException e) {
            return message; // the SDK answers the parse error
        }
        if (!(root instanceof ObjectNode msg) || !"completion/complete".equals(msg.path("method").asString(""))
                || !(msg.path("params") instanceof ObjectNode params) || !(params.path("ref") instanceof ObjectNode ref)
                || !"ref/prompt".equals(ref.path("type").asString("")) || !ref.path("name").isString()
                || prompts.get().contains(ref.path("name").asString())) {
            return message;
        }
        ObjectNode fixed = JSON.createObjectNode();
        fixed.put("type", "ref/resource");
        fixed.put("uri", FIXED_URI);
        params.set("ref", fixed);
        return JSON.writeValueAsString(msg);
    }

    /** The same, for each POST to the MCP endpoint over Streamable HTTP. */
    Filter httpFilter() {
        return new Filter() {
            @Override
            public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
                HttpServletRequest request = (HttpServletRequest) req;
                if (!"POST".equals(request.getMethod())) {
                    chain.doFilter(req, res);
                    return;
                }
                InputStream in = request.getInputStream();
                byte[] head = in.readNBytes(MAX_INSPECTED + 1);
                if (head.length > MAX_INSPECTED) {
                    chain.doFilter(new Body(request, new SequenceInputStream(new ByteArrayInputStream(head), in), -1), res);
                    return;
                }
                byte[] body = rewrite(new String(head, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                chain.doFilter(new Body(request, new ByteArrayInputStream(body), body.length), res);
            }
        };
    }

    /** The same, for each line (one JSON-RPC message) read over stdio. */
    InputStream lines(InputStream in) {
        return new InputStream() {
            private byte[] line = new byte[0];
            private int next;

            @Override
            public int read() throws IOException {
                return fill() ? line[next++] & 0xff : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, line.length - next);
                System.arraycopy(line, next, buf, off, n);
                next += n;
                return n;
            }

            @Override
            public int available() {
                return line.length - next;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }

            /** Reads the next line when this one is used up; false at end of input. */
            private boolean fill() throws IOException {
                if (next < line.length) {
                    return true;
                }
                java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    buf.write(b);
                    if (b == '\n') {
                        break;
                    }
                }
                if (buf.size() == 0) {
                    return false;
                }
                byte[] raw = buf.toByteArray();
                if (raw.length > MAX_INSPECTED) {
                    line = raw;
                } else {
                    String text = new String(raw, StandardCharsets.UTF_8);
                    boolean newline = text.endsWith("\n");
                    String body = newline ? text.substring(0, text.length() - 1) : text;
                    String rewritten = rewrite(body);
                    line = rewritten == body ? raw : (rewritten + (newline ? "\n" : "")).getBytes(StandardCharsets.UTF_8);
                }
                next = 0;
                return true;
            }
        };
    }

    /** A request whose body is read from {@code body}. */
    private static final class Body extends HttpServletRequestWrapper {
        private final ServletInputStream stream;
        private final int length;

        Body(HttpServletRequest request, InputStream body, int length) {
            super(request);
            this.length = length;
            this.stream = new ServletInputStream() {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    int b = body.read();
                    finished = b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = body.read(buf, off, len);
                    finished = n < 0;
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return finished;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the MCP endpoint reads its body blocking");
                }
            };
        }

        @Override
        public ServletInputStream getInputStream() {
            return stream;
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(stream, StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return length >= 0 ? length : super.getContentLength();
        }

        @Override
        public long getContentLengthLong() {
            return length >= 0 ? length : super.getContentLengthLong();
        }
    }
}
