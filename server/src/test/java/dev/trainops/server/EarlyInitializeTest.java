package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hand-written {@code initialize} answer is the SDK server's own answer, for every protocol
 * version (supported or not) and id shape, and the client sees it once (docs/architecture.md, "Start-up").
 */
class EarlyInitializeTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String VERSION = "1.2.3-test";

    static String initialize(String id, String protocolVersion) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + protocolVersion
                + "\",\"capabilities\":{\"roots\":{\"listChanged\":true}},\"clientInfo\":{\"name\":\"c \\\"q\\\"\",\"version\":\"0\"}}}\n";
    }

    @Test
    void theHandWrittenAnswerEqualsTheSdksForEveryProtocolVersionAndIdShape() throws Exception {
        List<String> versions = List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2023-01-01", "2099-12-31", "");
        List<String> ids = List.of("0", "7", "9007199254740993", "\"abc\"", "\"a \\\"quoted\\\" \\\\ \\u00e9 \\n id\"", "\"\"");
        for (String version : versions) {
            for (String id : ids) {
                String line = initialize(id, version);
                EarlyInitialize.Reply mine = EarlyInitialize.reply(line, VERSION);
                assertThat(mine).as(line).isNotNull();
                JsonNode sdk = JSON.readTree(sdkAnswer(line));
                assertThat(JSON.readTree(mine.line())).as(line).isEqualTo(sdk);
            }
        }
    }

    @Test
    void theSupportedVersionsAreTheSdks() {
        // what McpAsyncServer negotiates from (the stdio transport's list); the newest is the fallback
        assertThat(EarlyInitialize.PROTOCOL_VERSIONS).isEqualTo(new io.modelcontextprotocol.server.transport.StdioServerTransportProvider(
                TrainopsMcpServer.jsonMapper()).protocolVersions());
    }

    @Test
    void anythingButAnInitializeRequestIsLeftToTheSdk() {
        for (String line : List.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n",
                "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}\n",
                "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}} x\n",
                "{\"jsonrpc\":\"2.0\",\"id\":01,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n",
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\\q\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}\n",
                "not json\n")) {
            assertThat(EarlyInitialize.reply(line, VERSION)).as(line).isNull();
        }
    }

    @Test
    void aFirstLineThatIsNotInitializeReachesTheServerAsItCameAndNothingIsWritten() throws Exception {
        byte[] sent = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n{\"next\":1}\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(sent);

        EarlyInitialize early = EarlyInitialize.answer(in, out, VERSION);

        assertThat(early.answered()).isFalse();
        assertThat(out.size()).isZero();
        assertThat(early.input(in).readAllBytes()).isEqualTo(sent);
        assertThat(early.output(out)).isSameAs(out);
    }

    @Test
    void theClientSeesOneInitializeAnswerAndTheServerAnswersWhatFollows() throws Exception {
        String init = initialize("\"x\\\"1\"", "2025-06-18");
        PipedOutputStream client = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(client, 1 << 16);
        client.write(init.getBytes(StandardCharsets.UTF_8));
        client.flush();
        Lines out = new Lines();

        EarlyInitialize early = EarlyInitialize.answer(serverIn, out, VERSION);
        assertThat(early.answered()).isTrue();
        assertThat(out.lines()).hasSize(1);
        String handWritten = out.lines().get(0);

        TrainopsMcpServer.Deferred server = TrainopsMcpServer.stdioDeferred(VERSION, dev.trainops.catalog.PromptLibrary.empty(), new JobEventNotifier(), early.input(serverIn),
                early.output(out));
        try {
            server.awaitFirstAnswer(Duration.ofSeconds(30));
            server.release();
            client.write(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":\"x\\\"1\",\"method\":\"ping\"}\n").getBytes(StandardCharsets.UTF_8));
            client.flush();
            out.awaitLines(2);

            List<String> lines = out.lines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo(handWritten);
            JsonNode ping = JSON.readTree(lines.get(1));
            assertThat(ping.get("id").asString()).isEqualTo("x\"1");
            assertThat(ping.get("result").isObject()).isTrue();
            assertThat(ping.get("result").size()).as("ping's empty result, not a second initialize answer").isZero();
        } finally {
            client.close();
            server.server().closeGracefully();
        }
    }

    @Test
    void onlyTheAnswerToTheIdIsDropped() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = new EarlyInitialize.DropAnswer(sink, new java.math.BigDecimal("7"));

        out.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"id\":7}}\n".getBytes(StandardCharsets.UTF_8));
        out.write("{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}\n{\"jsonrpc\":\"2.0\",\"id\":7,".getBytes(StandardCharsets.UTF_8));
        out.write("\"result\":{}}\n{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n".getBytes(StandardCharsets.UTF_8));

        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"id\":7}}\n"
                        + "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}\n"
                        + "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n");
    }

    /** The SDK server's answer to {@code line} as the first thing it reads over stdio. */
    static String sdkAnswer(String line) throws Exception {
        Lines out = new Lines();
        TrainopsMcpServer.Deferred server = TrainopsMcpServer.stdioDeferred(VERSION, dev.trainops.catalog.PromptLibrary.empty(), new JobEventNotifier(),
                new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), out);
        try {
            out.awaitLines(1);
            return out.lines().get(0);
        } finally {
            server.release();
            server.server().closeGracefully();
        }
    }

    /** What the server wrote, in whole lines; waits (bounded) for a number of them. */
    static final class Lines extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized List<String> lines() {
            String all = bytes.toString(StandardCharsets.UTF_8);
            int end = all.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(all.substring(0, end).split("\n", -1));
        }

        synchronized void awaitLines(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lines().size() < n && System.nanoTime() < deadline) {
                wait(100);
            }
        }
    }
}
