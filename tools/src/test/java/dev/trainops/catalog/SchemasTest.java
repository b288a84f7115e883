package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.gpu.GpuAvailability;
import dev.trainops.gpu.GpuAvailabilityRequest;
import dev.trainops.queue.BatchRequest;
import dev.trainops.queue.QueueRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemasTest {

    @Test
    void inputSchemaIsDraft2020WithSnakeCaseOptionalArgumentsAndNoExtras() {
        Map<String, Object> schema = Schemas.input(GpuAvailabilityRequest.class);

        assertThat(schema).containsEntry("$schema", Schemas.DIALECT).containsEntry("type", "object");
        assertThat(schema).containsEntry("additionalProperties", false);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) schema.get("properties");
        assertThat(properties).containsOnlyKeys("gpu_type", "min_memory_gib", "namespace", "max_nodes");
        assertThat(String.valueOf(properties.get("min_memory_gib").get("minimum"))).isEqualTo("0");
        assertThat(String.valueOf(properties.get("min_memory_gib").get("maximum"))).isEqualTo("1024");
        assertThat(properties.get("min_memory_gib")).doesNotContainKey("maxLength");
        assertThat(properties.get("gpu_type")).containsEntry("maxLength", ArgumentBinder.MAX_STRING_LENGTH);
        assertThat(schema).doesNotContainKey("required");
    }

    @Test
    void outputSchemaMarksNullableFieldsAndRequiresTheRest() {
        Map<String, Object> schema = Schemas.output(GpuAvailability.class);
        assertThat(schema).containsEntry("$schema", Schemas.DIALECT);
        @SuppressWarnings("unchecked")
        List<String> required = (List<String>) schema.get("required");
        assertThat(required).contains("stale", "pools", "nodes").doesNotContain("as_of", "stale_reason");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) schema.get("properties");
        assertThat(properties.get("as_of").get("type")).isEqualTo(List.of("string", "null"));
    }

    /**
     * A {@code Map<String, String>} argument (queue_training_job's params) is an object of strings,
     * as exported at build time: {@code additionalProperties: false} there forbade every key, so a
     * client that validates its arguments could not send params at all.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aMapArgumentIsAnObjectOfStringsNotAnObjectWithoutKeys() {
        Map<String, Object> strings = Map.of("type", "string", "maxLength", ArgumentBinder.MAX_STRING_LENGTH);
        Map<String, Object> queue = Schemas.input(QueueRequest.class);
        Map<String, Object> params = ((Map<String, Map<String, Object>>) queue.get("properties")).get("params");
        assertThat(params).containsEntry("type", "object").containsEntry("additionalProperties", strings);
        assertThat(queue).containsEntry("additionalProperties", false);

        Map<String, Object> jobs = ((Map<String, Map<String, Object>>) Schemas.input(BatchRequest.class).get("properties")).get("jobs");
        Map<String, Object> item = (Map<String, Object>) jobs.get("items");
        assertThat(item).containsEntry("additionalProperties", false);
        assertThat(((Map<String, Map<String, Object>>) item.get("properties")).get("params")).containsEntry("additionalProperties", strings);
        assertThat(Schemas.generateInput(QueueRequest.class)).as("the exported schema is the generated one").isEqualTo(queue);
    }
}
