package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    static final String ADMIN = "admin-token-0123456789abcdef";
    static final String ALICE = "alice-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdef00";

    @TempDir
    Path dir;
    final TestClock clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));

    Path write(String text) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aBareTokenIsAnAdminWhoseSubjectIsAHashNotTheToken() throws Exception {
        TokenFile tokens = TokenFile.load(write("# admins\n\n" + ADMIN + "\n"), clock);
        Principal p = tokens.principal(ADMIN).orElseThrow();
        assertThat(p.role()).isEqualTo(Role.ADMIN);
        assertThat(p.subject()).matches("token-[0-9a-f]{8}").doesNotContain(ADMIN.substring(0, 8));
        assertThat(p.subject()).isEqualTo(TokenFile.bareSubject(ADMIN));
    }

    @Test
    void aTokenWithFieldsIsThatIdentity() throws Exception {
        TokenFile tokens = TokenFile.load(write(ALICE + " subject=alice role=member teams=team-a,team-b\n"
                + "   " + BOB + "\tsubject=bob  role=viewer teams=team-b   \n"), clock);
        assertThat(tokens.principal(ALICE)).contains(new Principal("alice", Set.of("team-a", "team-b"), Role.MEMBER));
        assertThat(tokens.principal(BOB)).contains(new Principal("bob", Set.of("team-b"), Role.VIEWER));
        assertThat(tokens.principal("not-a-token-0123456789")).isEmpty();
        assertThat(tokens.principal(ALICE + "x")).isEmpty();
        assertThat(tokens.size()).isEqualTo(2);
    }

    @Test
    void anAdminWithFieldsNeedsNoTeams() throws Exception {
        TokenFile tokens = TokenFile.load(write(ADMIN + " subject=ops role=admin\n"), clock);
        assertThat(tokens.principal(ADMIN)).contains(Principal.admin("ops"));
    }

    @Test
    void badLinesNameTheFileTheLineAndTheFixAndNeverTheToken() throws Exception {
        assertError("# ok\n" + ALICE + " subject=alice role=boss teams=a\n", "line 2: role must be viewer, member or admin, was 'boss'.");
        assertError(ALICE + " role=member teams=a\n", "line 1: subject= is missing; write TOKEN subject=NAME role=member teams=team-a.");
        assertError(ALICE + " subject=alice teams=a\n", "line 1: role= is missing; add role=viewer, role=member or role=admin.");
        assertError(ALICE + " subject=alice role=member\n", "line 1: a member needs teams=; add teams=team-a (comma-separated).");
        assertError(ALICE + " subject=alice role=member team=a\n", "line 1: unknown field 'team'; the fields are subject=, role= and teams=");
        assertError("\n\nshort subject=a role=admin\n", "line 3: the token is shorter than 16 characters; use a long random token "
                + "(for example: openssl rand -hex 32).");
        assertError("subject=alice " + ALICE + "\n", "line 1: a line starts with the token");
        assertError(ALICE + "\n" + ALICE + " subject=a role=admin\n", "line 2: the token is already on an earlier line");
        assertError("# nothing\n\n", "holds no token; add one a line");
        assertThatThrownBy(() -> TokenFile.load(dir.resolve("missing"), clock))
                .hasMessage("Cannot read --auth-token-file " + dir.resolve("missing") + "; check that it exists and is readable.");
    }

    private void assertError(String text, String expected) throws Exception {
        Path file = write(text);
        assertThatThrownBy(() -> TokenFile.load(file, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--auth-token-file " + file)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ALICE).doesNotContain("short subject"));
    }

    @Test
    void aChangedFileIsReadAgainWithoutARestartAtMostEveryTwoSeconds() throws Exception {
        Path file = write(ALICE + " subject=alice role=member teams=team-a\n");
        TokenFile tokens = TokenFile.load(file, clock);
        Files.writeString(file, BOB + " subject=bob role=viewer teams=team-b\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-02T10:00:05Z")));
        // within the recheck interval the old tokens still hold
        clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.principal(ALICE)).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(tokens.principal(ALICE)).isEmpty();
        assertThat(tokens.principal(BOB)).contains(new Principal("bob", Set.of("team-b"), Role.VIEWER));
    }

    @Test
    void aBrokenNewFileKeepsTheTokensInForce() throws Exception {
        Path file = write(ALICE + " subject=alice role=member teams=team-a\n");
        TokenFile tokens = TokenFile.load(file, clock);
        Files.writeString(file, BOB + " subject=bob role=superuser teams=team-b\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-02T10:00:05Z")));
        clock.advance(Duration.ofSeconds(3));
        assertThat(tokens.principal(ALICE)).isPresent();
        assertThat(tokens.principal(BOB)).isEmpty();
        // fixed: read again
        Files.writeString(file, BOB + " subject=bob role=viewer teams=team-b\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-02T10:00:09Z")));
        clock.advance(Duration.ofSeconds(3));
        assertThat(tokens.principal(BOB)).isPresent();
        assertThat(tokens.principal(ALICE)).isEmpty();
        // deleted: the tokens read before stay
        Files.delete(file);
        clock.advance(Duration.ofSeconds(3));
        assertThat(tokens.principal(BOB)).isPresent();
    }
}
