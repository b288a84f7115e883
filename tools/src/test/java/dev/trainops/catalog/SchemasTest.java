package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.gpu.GpuAvailability;
import dev.trainops.gpu.GpuAvailabilityRequest;
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
}
