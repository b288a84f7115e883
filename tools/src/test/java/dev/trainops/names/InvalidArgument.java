package dev.trainops.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The one shape of a refused name: INVALID_ARGUMENT, naming the argument, with this message and this fix. */
final class InvalidArgument {
    private InvalidArgument() {
    }

    static void assertRefused(ThrowingCallable parse, String argument, String message, String fix) {
        assertThatThrownBy(parse).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.hint()).isEqualTo(fix);
            assertThat(e.details()).containsEntry("argument", argument);
        });
    }
}
