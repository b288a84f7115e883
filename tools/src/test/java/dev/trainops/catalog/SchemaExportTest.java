package dev.trainops.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaExportTest {
    @TempDir
    Path out;

    record Answer(String name, int count) {
    }

    /** Refers to itself: victools cannot inline it, so it has no schema. */
    record Tree(String name, List<Tree> children) {
    }

    @Test
    void aRecordWhoseSchemaCannotBeGeneratedFailsTheExportNamingTheRecordAndWhy() {
        assertThatThrownBy(() -> SchemaExport.export(List.of(Answer.class, Tree.class), out))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 record(s) have no schema")
                .hasMessageContaining(Tree.class.getName() + ": ")
                .hasMessageContaining("circular reference")
                .message().doesNotContain(Answer.class.getName());
    }

    @Test
    void everyJsonShapedRecordIsWrittenAndMachineryHoldingFunctionsOrClassesIsPassedOver() throws Exception {
        int written = SchemaExport.export(List.of(Answer.class, Tool.class, CallContext.class, String.class), out);

        assertThat(written).isEqualTo(1);
        assertThat(Files.readString(out.resolve("in").resolve(Answer.class.getName() + ".json"))).contains("\"count\"");
        assertThat(out.resolve("out").resolve(Answer.class.getName() + ".json")).exists();
        assertThat(out.resolve("in").resolve(Tool.class.getName() + ".json")).doesNotExist();
        assertThat(SchemaExport.jsonShaped(Tool.class)).isFalse();
        assertThat(SchemaExport.jsonShaped(CallContext.class)).isFalse();
        assertThat(SchemaExport.jsonShaped(Answer.class)).isTrue();
    }
}
