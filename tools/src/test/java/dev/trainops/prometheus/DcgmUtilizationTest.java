package dev.trainops.prometheus;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.gpu.NodeReading;
import dev.trainops.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readers of DCGM utilisation against refreshes: each refresh publishes one immutable snapshot, and
 * a reading of a node is taken from one snapshot, whatever refresh runs meanwhile.
 */
class DcgmUtilizationTest {
    final WireMockServer prometheus = new WireMockServer(options().dynamicPort());
    DcgmUtilization dcgm;

    @BeforeEach
    void start() {
        prometheus.start();
        PrometheusClient client = new PrometheusClient(new PrometheusClient.Config(URI.create(prometheus.baseUrl() + "/"), null,
                Duration.ofSeconds(20))); // generous: the first request to a cold WireMock on a loaded machine
        dcgm = new DcgmUtilization(client, new MutableClock(Instant.parse("2026-11-30T12:00:00Z")));
    }

    @AfterEach
    void stop() {
        prometheus.stop();
    }

    /** One GPU on node h100-a-1 at {@code util} percent with {@code usedMib} of 80,000 MiB used. */
    void serve(int util, int usedMib) {
        series("DCGM_FI_DEV_GPU_UTIL", util);
        series("DCGM_FI_DEV_FB_USED", usedMib);
        series("DCGM_FI_DEV_FB_FREE", 80_000 - usedMib);
    }

    void series(String name, int value) {
        prometheus.stubFor(get(urlPathEqualTo("/api/v1/query")).withQueryParam("query", containing(name))
                .willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\""
                        + name + "\",\"gpu\":\"0\",\"Hostname\":\"h100-a-1\"},\"value\":[1796040000.1,\"" + value + "\"]}]}}")));
    }

    @Test
    void aReadingTakenBeforeARefreshKeepsTheFiguresOfItsOwnRead() {
        serve(10, 8_000);
        dcgm.refresh();
        assertThat(dcgm.up()).isTrue();
        NodeReading before = dcgm.node("h100-a-1");

        serve(90, 72_000);
        dcgm.refresh();
        assertThat(dcgm.up()).isTrue();

        assertThat(before.percent()).hasValue(10.0);
        assertThat(before.memoryRatio()).hasValue(0.1);
        assertThat(dcgm.node("h100-a-1").percent()).hasValue(90.0);
        assertThat(dcgm.node("h100-a-1").memoryRatio()).hasValue(0.9);
        assertThat(dcgm.node("elsewhere")).isEqualTo(NodeReading.UNKNOWN);
    }

    @Test
    void aPublishedSnapshotCannotBeChangedByItsReaders() {
        serve(10, 8_000);
        dcgm.refresh();
        DcgmUtilization.Snapshot snapshot = dcgm.snapshot();

        assertThatThrownBy(() -> snapshot.byNode().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> snapshot.byPod().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(dcgm.snapshot()).isSameAs(snapshot); // nothing refreshed: the same published read
    }

    @Test
    void readersDuringRefreshesSeeBothFiguresOfANodeFromOneRead() throws Exception {
        serve(10, 8_000);
        dcgm.refresh();
        assertThat(dcgm.up()).isTrue();
        AtomicBoolean refreshing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> mixed = new ConcurrentLinkedQueue<>();
        List<Thread> readers = List.of(reader(refreshing, mixed), reader(refreshing, mixed));
        readers.forEach(Thread::start);
        try {
            for (int i = 0; i < 100; i++) {
                if (i % 2 == 0) {
                    serve(90, 72_000);
                } else {
                    serve(10, 8_000);
                }
                dcgm.refresh();
                assertThat(dcgm.up()).isTrue();
            }
        } finally {
            refreshing.set(false);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertThat(mixed).isEmpty();
    }

    private Thread reader(AtomicBoolean refreshing, ConcurrentLinkedQueue<String> mixed) {
        return new Thread(() -> {
            while (refreshing.get()) {
                NodeReading r = dcgm.node("h100-a-1");
                // the two reads served: 10% with 0.1 of memory used, 90% with 0.9; never a figure missing
                if (r.percent().isEmpty() || r.memoryRatio().isEmpty()
                        || Math.abs(r.percent().getAsDouble() / 100 - r.memoryRatio().getAsDouble()) > 1e-9) {
                    mixed.add(r.toString());
                }
            }
        }, "dcgm-reader");
    }
}
