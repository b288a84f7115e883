package dev.trainops.catalog;

import java.util.Objects;

/**
 * What the caller of a tool lends it for one call. Only a tool that declares
 * {@link Tool.Feature#REPORTS_PROGRESS} reads it; {@link #NONE} is a call nobody watches.
 *
 * @param progress where the tool reports its steps as it goes
 */
public record CallContext(Progress progress) {
    public static final CallContext NONE = new CallContext(Progress.NONE);

    public CallContext {
        Objects.requireNonNull(progress, "progress must not be null");
    }
}
