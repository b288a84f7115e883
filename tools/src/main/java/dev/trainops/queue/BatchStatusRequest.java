package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Arguments of get_batch_status. */
public record BatchStatusRequest(@JsonPropertyDescription("The batch id from submit_batch_training (tb-...).") String batchId) {
}
