package dev.trainops.names;

/** A trainops batch id: {@code tb-} and 12 hex digits, as {@code submit_batch_training} hands them out. */
public record BatchId(String value) {
    private static final NameRule RULE = NameRule.of("^tb-[0-9a-f]{12}$", "is not a trainops batch id",
            "Batch ids look like tb-3f9a2c1b7e4d (from submit_batch_training).");

    public BatchId {
        RULE.require(value, "a batch id is tb- and 12 lowercase hex digits");
    }

    public static boolean isValid(String raw) {
        return RULE.matches(raw);
    }

    /** The batch id in {@code raw} (trimmed), or INVALID_ARGUMENT naming {@code argument}. */
    public static BatchId parse(String argument, String raw) {
        return new BatchId(RULE.parse(argument, raw));
    }

    @Override
    public String toString() {
        return value;
    }
}
