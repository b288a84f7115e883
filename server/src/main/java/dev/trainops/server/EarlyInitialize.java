package dev.trainops.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code initialize} answer over stdio, written before picocli, Jackson and the MCP SDK are
 * loaded (docs/architecture.md, "Start-up"). Loading those is most of the CPU a launch spends
 * before it can answer, so {@code serve} reads the first line itself; when it is an
 * {@code initialize} request it answers at once with what the SDK server would answer (the same
 * protocol version negotiation, capabilities, server info and instructions; a test compares the
 * two), then hands the same line to the SDK server and drops the SDK's own answer to that id, so
 * the client sees one answer. Any other first line goes to the SDK untouched. Only
 * {@code java.*} classes are used here.
 */
public final class EarlyInitialize {
    /** The protocol versions the SDK's stdio transport accepts, oldest first (McpServerTransportProviderBase). */
    static final List<String> PROTOCOL_VERSIONS = List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25");
    /** A first line longer than this is not looked at: it goes to the SDK as it came. */
    private static final int MAX_LINE = 64 * 1024;

    private final byte[] firstLine;
    private final Object answeredId;

    private EarlyInitialize(byte[] firstLine, Object answeredId) {
        this.firstLine = firstLine;
        this.answeredId = answeredId;
    }

    /**
     * Reads the first line of {@code in} (up to and including its newline, nothing more) and, if it
     * is an {@code initialize} request, writes the answer to {@code out} and flushes it.
     */
    public static EarlyInitialize answer(InputStream in, OutputStream out, String version) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n' || line.size() > MAX_LINE) {
                break;
            }
        }
        byte[] bytes = line.toByteArray();
        Reply reply = b == '\n' ? reply(new String(bytes, StandardCharsets.UTF_8), version) : null;
        if (reply == null) {
            return new EarlyInitialize(bytes, null);
        }
        out.write(reply.line().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new EarlyInitialize(bytes, reply.id());
    }

    /** An answer line (with its newline) and the request id it answers (a String or a BigDecimal). */
    record Reply(Object id, String line) {
    }

    /** Whether the first line was answered here. */
    public boolean answered() {
        return answeredId != null;
    }

    /** What the SDK server reads: the first line again, then the rest of {@code rest}. */
    public InputStream input(InputStream rest) {
        return new SequenceInputStream(new ByteArrayInputStream(firstLine), rest);
    }

    /** Where the SDK server writes: {@code out}, less its own answer to the initialize answered here. */
    public OutputStream output(OutputStream out) {
        return answered() ? new DropAnswer(out, answeredId) : out;
    }

    /**
     * The answer to a JSON-RPC {@code initialize} request, or null when
     * {@code line} is anything else (not JSON, a notification, another method, no params, no
     * protocol version): those are the SDK's to answer.
     */
    static Reply reply(String line, String version) {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!(parsed instanceof Map<?, ?> request) || !"2.0".equals(request.get("jsonrpc")) || !"initialize".equals(request.get("method"))
                || !(request.get("params") instanceof Map<?, ?> params) || !(params.get("protocolVersion") instanceof String asked)) {
            return null;
        }
        Object id = request.get("id");
        if (!(id instanceof String) && !(id instanceof BigDecimal)) {
            return null;
        }
        // McpAsyncServer: the client's version when supported, else the newest the server has
        String negotiated = PROTOCOL_VERSIONS.contains(asked) ? asked : PROTOCOL_VERSIONS.get(PROTOCOL_VERSIONS.size() - 1);
        // the capabilities TrainopsMcpServer declares over stdio (prompts, completions, resources.subscribe), in the SDK's field order
        return new Reply(id, "{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(id) + ",\"result\":{\"protocolVersion\":" + Json.write(negotiated)
                + ",\"capabilities\":{\"completions\":{},\"logging\":{},\"prompts\":{\"listChanged\":false},\"resources\":{\"subscribe\":true,"
                + "\"listChanged\":false},\"tools\":{\"listChanged\":false}},\"serverInfo\":{\"name\":" + Json.write(TrainopsMcpServer.NAME)
                + ",\"version\":" + Json.write(version) + "},\"instructions\":" + Json.write(TrainopsMcpServer.INSTRUCTIONS) + "}}\n");
    }

    /** Drops the first line written that is a response to {@code id}; writes everything else through. */
    static final class DropAnswer extends OutputStream {
        private final OutputStream out;
        private final Object id;
        private ByteArrayOutputStream pending = new ByteArrayOutputStream(512);

        DropAnswer(OutputStream out, Object id) {
            this.out = out;
            this.id = id;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (pending == null) {
                out.write(b, off, len);
                return;
            }
            for (int i = off; i < off + len; i++) {
                if (pending == null) {
                    out.write(b, i, off + len - i);
                    return;
                }
                pending.write(b[i]);
                if (b[i] == '\n') {
                    lineDone();
                }
            }
        }

        /** A whole line is pending: drop it if it is the answer to the id, else pass it on and keep looking. */
        private void lineDone() throws IOException {
            byte[] line = pending.toByteArray();
            pending.reset();
            if (isAnswerTo(new String(line, StandardCharsets.UTF_8))) {
                pending = null;
            } else {
                out.write(line);
            }
        }

        private boolean isAnswerTo(String line) {
            try {
                return Json.parse(line) instanceof Map<?, ?> m && m.get("method") == null && id.equals(m.get("id"));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * Just enough JSON: objects (later duplicate keys win, as with Jackson), arrays, strings with
     * every escape, numbers (as BigDecimal with trailing zeros stripped, so 1 and 1.0 are one id),
     * true, false, null. Anything malformed is an IllegalArgumentException.
     */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            Object v = p.value();
            p.space();
            if (p.i != p.s.length()) {
                throw new IllegalArgumentException("trailing text at " + p.i);
            }
            return v;
        }

        private Object value() {
            space();
            if (i >= s.length()) {
                throw new IllegalArgumentException("end of text");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new HashMap<>();
            i++;
            space();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                space();
                if (peek() != '"') {
                    throw new IllegalArgumentException("expected a key at " + i);
                }
                String key = string();
                space();
                expect(':');
                m.put(key, value());
                space();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> a = new java.util.ArrayList<>();
            i++;
            space();
            if (peek() == ']') {
                i++;
                return a;
            }
            while (true) {
                a.add(value());
                space();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return a;
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length()) {
                    throw new IllegalArgumentException("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("control character in a string at " + (i - 1));
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = i < s.length() ? s.charAt(i++) : 0;
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw new IllegalArgumentException("short \\u escape");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw new IllegalArgumentException("bad \\u escape at " + i);
                        }
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape at " + (i - 1));
                }
            }
        }

        private BigDecimal number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String text = s.substring(start, i);
            // JSON's grammar, which BigDecimal alone would loosen (+1, .5, 01)
            if (!text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                throw new IllegalArgumentException("bad value at " + start);
            }
            BigDecimal n = new BigDecimal(text).stripTrailingZeros();
            return n.signum() == 0 ? BigDecimal.ZERO : n;
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw new IllegalArgumentException("bad value at " + i);
            }
            i += word.length();
            return value;
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("end of text");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void space() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        /** A string or a number as JSON text: strings escaped as JSON requires (quote, backslash, control characters). */
        static String write(Object v) {
            if (v instanceof BigDecimal n) {
                return n.scale() <= 0 ? n.toBigInteger().toString() : n.toString();
            }
            String str = (String) v;
            StringBuilder out = new StringBuilder(str.length() + 2).append('"');
            for (int k = 0; k < str.length(); k++) {
                char c = str.charAt(k);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }
}
