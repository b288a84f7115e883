package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Creating the PriorityClasses at start: two replicas starting together both find a class missing
 * and both create it; the one that loses (409 AlreadyExists) finds it in place instead of logging a
 * failure. Any other refusal still fails.
 */
class PriorityClassesTest {
    static final String PATH = "/apis/scheduling.k8s.io/v1/priorityclasses";

    final KubernetesMockServer server = new KubernetesMockServer(false);
    KubernetesClient client;

    @BeforeEach
    void start() {
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void aClassAnotherReplicaCreatedMeanwhileIsInPlace() {
        PriorityConfig config = PriorityConfig.defaults();
        for (Priority p : Priority.values()) {
            String name = config.spec(p).name();
            server.expect().get().withPath(PATH + "/" + name).andReturn(404, "").always();
            server.expect().post().withPath(PATH).andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"AlreadyExists\",\"code\":409}").always();
        }
        List<String> lines = PriorityClasses.ensure(client, config);
        assertThat(lines).hasSize(Priority.values().length)
                .allSatisfy(line -> assertThat(line).endsWith("in place (created by another replica meanwhile)"));
    }

    @Test
    void anyOtherRefusalStillFails() {
        PriorityConfig config = PriorityConfig.defaults();
        for (Priority p : Priority.values()) {
            server.expect().get().withPath(PATH + "/" + config.spec(p).name()).andReturn(404, "").always();
        }
        server.expect().post().withPath(PATH).andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Forbidden\",\"code\":403}").always();
        assertThatThrownBy(() -> PriorityClasses.ensure(client, config)).isInstanceOf(KubernetesClientException.class);
    }
}
