package dev.trainops.names;

import static dev.trainops.names.InvalidArgument.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchIdTest {
    @Test
    void aBatchIdIsTbAndTwelveLowercaseHexDigits() {
        assertThat(BatchId.isValid("tb-3f9a2c1b7e4d")).isTrue();
        assertThat(BatchId.isValid("tj-3f9a2c1b7e4d")).isFalse();
        assertThat(BatchId.isValid("tb-3f9a2c1b7e4d0")).isFalse();
        assertThat(BatchId.isValid(null)).isFalse();
    }

    @Test
    void parsingTrimsTheArgument() {
        assertThat(BatchId.parse("batch_id", "tb-3f9a2c1b7e4d\n").value()).isEqualTo("tb-3f9a2c1b7e4d");
    }

    @Test
    void anInvalidBatchIdIsAnInvalidArgumentNamingTheArgumentAndWhereIdsComeFrom() {
        assertRefused(() -> BatchId.parse("batch_id", "batch-7"), "batch_id",
                "Argument 'batch_id' is not a trainops batch id (got 'batch-7').",
                "Batch ids look like tb-3f9a2c1b7e4d (from submit_batch_training).");
    }

    @Test
    void theConstructorRefusesWhatParseWouldRefuse() {
        assertThatThrownBy(() -> new BatchId("tb-")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a batch id is tb- and 12 lowercase hex digits, not tb-");
    }
}
