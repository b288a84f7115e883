package dev.trainops.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @Test
    void entriesAreReadBackNewestFirstAndFilteredAndARolledBackChangeLeavesNoEntry(@TempDir Path dir) throws Exception {
        try (Store store = Store.sqlite(dir)) {
            AuditLog log = new AuditLog(store);
            Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
            log.append(new AuditEntry(t0, "alice", "member", Set.of("team-a"), "queue_training_job", "team-a", "{\"team\":\"team-a\"}", "OK", ""));
            log.append(new AuditEntry(t0.plusSeconds(60), "bob", "member", Set.of("team-b"), "cancel_training_job", "team-b", "{}",
                    "NOT_FOUND", "No job q-1."));
            try {
                store.inTransaction(0, c -> {
                    log.append(c, new AuditEntry(t0.plusSeconds(120), "carol", "admin", Set.of(), "cancel_training_job", "team-a", "{}", "OK", ""));
                    throw new IllegalStateException("the change failed");
                });
            } catch (IllegalStateException expected) {
                // the change and its entry roll back together
            }

            List<AuditEntry> all = log.list(null, null, null, null, 10);
            assertThat(all).extracting(AuditEntry::subject).containsExactly("bob", "alice");
            assertThat(all.get(1).teams()).containsExactly("team-a");
            assertThat(log.list(t0.plusSeconds(30), null, null, null, 10)).extracting(AuditEntry::subject).containsExactly("bob");
            assertThat(log.list(null, "team-a", null, null, 10)).extracting(AuditEntry::tool).containsExactly("queue_training_job");
            assertThat(log.list(null, null, "bob", "cancel_training_job", 10)).extracting(AuditEntry::outcome).containsExactly("NOT_FOUND");
        }
    }
}
