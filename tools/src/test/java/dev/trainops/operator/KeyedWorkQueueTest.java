package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyedWorkQueueTest {
    private final KeyedWorkQueue queue = new KeyedWorkQueue();

    @Test
    void aKeyAddedTwiceWhileWaitingIsHandedOutOnce() {
        queue.add("team-a/x");
        queue.add("team-b/y");
        queue.add("team-a/x");
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.poll()).contains("team-a/x");
        assertThat(queue.poll()).contains("team-b/y");
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void aKeyBeingProcessedIsNotHandedOutAgainButComesBackWhenAddedMeanwhile() {
        queue.add("team-a/x");
        assertThat(queue.poll()).contains("team-a/x");
        queue.add("team-a/x");
        assertThat(queue.poll()).as("still being processed").isEmpty();
        queue.done("team-a/x", false);
        assertThat(queue.poll()).as("added while processed: once more").contains("team-a/x");
        queue.done("team-a/x", false);
        assertThat(queue.poll()).isEmpty();
    }

    @Test
    void aFailedReconcileIsRetriedAtTheBack() {
        queue.add("team-a/x");
        queue.add("team-a/y");
        assertThat(queue.poll()).contains("team-a/x");
        queue.done("team-a/x", true);
        assertThat(queue.poll()).contains("team-a/y");
        assertThat(queue.poll()).contains("team-a/x");
    }

    @Test
    void keysAreNamespaceSlashName() {
        assertThat(KeyedWorkQueue.key("team-a", "mnist")).isEqualTo("team-a/mnist");
    }
}
