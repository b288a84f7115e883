package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A normal stop is quiet: the packaged server over stdio, after initialize and a tool call, stops
 * with exit status 0 and no ERROR, exception or stack trace on stderr, whether its client closes
 * stdin or it gets SIGTERM (Process.destroy()), and also when stdin closes while it is still starting.
 */
class CleanStopIT {
    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"clean-stop\",\"version\":\"1\"}}}";
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    /** get_gpu_availability as request {@code id}. */
    static String call(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"get_gpu_availability\","
                + "\"arguments\":{}}}";
    }

    @TempDir
    Path dataDir;

    @Test
    void closingStdinAfterACallStopsWithStatusZeroAndNoErrorOnStderr() throws Exception {
        Session s = afterACall();

        s.process.getOutputStream().close();

        s.assertQuietExit();
    }

    @Test
    void sigtermAfterACallStopsWithStatusZeroAndNoErrorOnStderr() throws Exception {
        Session s = afterACall();

        s.process.destroy();

        s.assertQuietExit();
    }

    @Test
    void closingStdinWhileTheSandboxIsStillStartingStopsQuietly() throws Exception {
        Session s = start();
        s.send(INITIALIZE);
        s.awaitAnswer(1);

        s.process.getOutputStream().close();

        s.assertQuietExit();
    }

    /** A session that was initialised and answered a tool call on the sandbox. */
    Session afterACall() throws Exception {
        Session s = start();
        s.send(INITIALIZE);
        s.awaitAnswer(1);
        s.send(INITIALIZED);
        assertThat(s.callUntilTheSandboxAnswers()).contains("\"result\"").doesNotContain("\"isError\":true");
        return s;
    }

    Session start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SandboxServers.java(), "-jar", System.getProperty("trainops.jar"), "serve", "--sandbox",
                "--config-dir", System.getProperty("trainops.configDir"), "--data-dir", dataDir.resolve("data").toString());
        Path stderr = dataDir.resolve("stderr.log");
        pb.redirectError(stderr.toFile());
        return new Session(pb.start(), stderr);
    }

    static final class Session {
        final Process process;
        final Path stderr;
        final BufferedReader out;
        final OutputStream in;

        Session(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = process.getOutputStream();
        }

        void send(String line) throws Exception {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** get_gpu_availability until it answers (the sandbox seeds in the background; a busy machine may take a while). */
        String callUntilTheSandboxAnswers() throws Exception {
            String answer = "";
            for (int id = 2; id < 10; id++) {
                send(call(id));
                answer = awaitAnswer(id);
                if (!answer.contains("UPSTREAM_UNAVAILABLE")) {
                    return answer;
                }
            }
            return answer;
        }

        /** The answer to request {@code id} (blocking; the process's own timeouts bound it). */
        String awaitAnswer(int id) throws Exception {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.contains("\"id\":" + id + ",") || line.contains("\"id\":" + id + "}")) {
                    return line;
                }
            }
            throw new AssertionError("the server closed stdout before answering request " + id + "; stderr:\n" + Files.readString(stderr));
        }

        void assertQuietExit() throws Exception {
            boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String log = Files.readString(stderr);
            assertThat(exited).as("exited within 60 s; stderr:\n" + log).isTrue();
            assertThat(process.exitValue()).as("exit status; stderr:\n" + log).isZero();
            List<String> bad = log.lines().filter(l -> l.contains("ERROR") || l.contains("Exception") || l.startsWith("\tat ")
                    || l.contains("Client is closed")).toList();
            assertThat(bad).as("stderr:\n" + log).isEmpty();
        }
    }
}
