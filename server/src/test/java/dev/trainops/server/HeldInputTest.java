package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Over stdio, initialize passes at once and every later request waits until the catalog is registered. */
class HeldInputTest {

    @Test
    void theFirstLinePassesAtOnceAndTheNextWaitsUntilTheCatalogIsRegistered() throws Exception {
        TrainopsMcpServer.HeldInput in = new TrainopsMcpServer.HeldInput(new ByteArrayInputStream(
                "{\"method\":\"initialize\"}\n{\"method\":\"tools/list\"}\n".getBytes(StandardCharsets.UTF_8)));
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));

        assertThat(reader.readLine()).isEqualTo("{\"method\":\"initialize\"}");
        assertThat(in.available()).isZero();
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        // it cannot complete before open(): nothing else releases the read
        assertThat(next).isNotDone();

        in.open();

        assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("{\"method\":\"tools/list\"}");
    }

    @Test
    void theFirstAnswerIsSignalledOnceItsLineIsComplete() throws Exception {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        TrainopsMcpServer.FirstAnswer out = new TrainopsMcpServer.FirstAnswer(sink);

        out.write("{\"id\":1,".getBytes(StandardCharsets.UTF_8));
        assertThat(out.written.getCount()).isEqualTo(1);
        out.write("\"result\":{}}\n".getBytes(StandardCharsets.UTF_8));

        assertThat(out.written.getCount()).isZero();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("{\"id\":1,\"result\":{}}\n");
    }
}
