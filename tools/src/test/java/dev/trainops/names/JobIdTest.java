package dev.trainops.names;

import static dev.trainops.names.InvalidArgument.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import org.junit.jupiter.api.Test;

class JobIdTest {
    @Test
    void aJobIdIsTjAndTwelveLowercaseHexDigits() {
        assertThat(JobId.isValid("tj-3f9a2c1b7e4d")).isTrue();
        assertThat(JobId.isValid("tj-3F9A2C1B7E4D")).isFalse();
        assertThat(JobId.isValid("tj-3f9a2c1b7e4")).isFalse();
        assertThat(JobId.isValid("tb-3f9a2c1b7e4d")).isFalse();
        assertThat(JobId.isValid(" tj-3f9a2c1b7e4d")).isFalse();
        assertThat(JobId.isValid(null)).isFalse();
    }

    @Test
    void parsingTrimsTheArgument() {
        assertThat(JobId.parse("job_id", "  tj-3f9a2c1b7e4d ")).isEqualTo(new JobId("tj-3f9a2c1b7e4d"));
    }

    @Test
    void anInvalidJobIdIsAnInvalidArgumentNamingTheArgumentAndWhereIdsComeFrom() {
        assertRefused(() -> JobId.parse("job_id", "job-42"), "job_id",
                "Argument 'job_id' is not a trainops job id (got 'job-42').",
                "Job ids look like tj-3f9a2c1b7e4d (from queue_training_job or get_job_queue_status).");
    }

    @Test
    void aMissingJobIdIsInvalidWhenRequiredAndEmptyWhenOptional() {
        assertThatThrownBy(() -> JobId.parse("job_id", null)).hasMessage("Argument 'job_id' is not a trainops job id (got '').");
        assertThat(JobId.parseOptional("job_id", " ")).isEmpty();
        assertThat(JobId.parseOptional("job_id", "tj-3f9a2c1b7e4d")).contains(new JobId("tj-3f9a2c1b7e4d"));
        assertThatThrownBy(() -> JobId.parseOptional("job_id", "tj-x")).isInstanceOf(ToolException.class);
    }

    @Test
    void theConstructorRefusesWhatParseWouldRefuse() {
        assertThatThrownBy(() -> new JobId("tj-'; DROP")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a job id is tj- and 12 lowercase hex digits, not tj-'; DROP");
    }
}
