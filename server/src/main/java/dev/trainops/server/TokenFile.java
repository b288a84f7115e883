package dev.trainops.server;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --auth-token-file}: static bearer tokens, each with who it is (DESIGN.md, "Identity and
 * tenancy"). One token a line, either {@code TOKEN} alone (an admin, so single-user set-ups keep
 * working) or {@code TOKEN subject=NAME role=viewer|member|admin teams=team-a,team-b}; blank lines
 * and {@code #} comments are skipped.
 *
 * <p>Only the tokens' SHA-256 digests are kept, and a presented token is compared with every one of
 * them in constant time. The file is read again when its modification time or size changes
 * (checked at most every {@link #RECHECK} on a request), so tokens rotate without a restart; a new
 * file that does not parse keeps the tokens in force and logs what to fix. No message ever holds a
 * token.
 */
public final class TokenFile {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
    static final Duration RECHECK = Duration.ofSeconds(2);
    static final int MIN_LENGTH = 16;

    private record Entry(byte[] digest, Principal principal) {
    }

    private record Snapshot(List<Entry> entries, Instant modified, long size) {
    }

    private final Path file;
    private final Clock clock;
    private volatile Snapshot current;
    private volatile Instant checked;
    private Instant rejectedModified;
    private long rejectedSize = -1;

    private TokenFile(Path file, Clock clock, Snapshot first) {
        this.file = file;
        this.clock = clock;
        this.current = first;
        this.checked = clock.instant();
    }

    /**
     * Reads {@code file}; throws {@link IllegalArgumentException} naming the file, the line and the
     * fix when it cannot be used.
     */
    public static TokenFile load(Path file, Clock clock) {
        return new TokenFile(file, clock, read(file));
    }

    /** A token file of bare tokens (admins), for tests and the embedded set-ups that pass tokens directly. */
    static TokenFile ofAdminTokens(Set<String> tokens, Clock clock) {
        List<Entry> entries = new ArrayList<>();
        for (String token : tokens) {
            entries.add(new Entry(digest(token), Principal.admin(bareSubject(token))));
        }
        return new TokenFile(null, clock, new Snapshot(List.copyOf(entries), Instant.EPOCH, -1));
    }

    /** Who {@code presented} is, or empty when it is no token of this file. */
    public Optional<Principal> principal(String presented) {
        reloadIfChanged();
        byte[] p = digest(presented);
        Principal found = null;
        for (Entry e : current.entries()) {
            // constant-time per token, and every token is compared
            if (MessageDigest.isEqual(p, e.digest()) && found == null) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    /** How many tokens are in force. */
    int size() {
        return current.entries().size();
    }

    private void reloadIfChanged() {
        if (file == null) {
            return;
        }
        Instant now = clock.instant();
        if (now.isBefore(checked.plus(RECHECK))) {
            return;
        }
        synchronized (this) {
            if (now.isBefore(checked.plus(RECHECK))) {
                return;
            }
            checked = now;
            Instant modified;
            long size;
            try {
                BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
                modified = attrs.lastModifiedTime().toInstant();
                size = attrs.size();
            } catch (IOException e) {
                log.error("--auth-token-file {} cannot be read ({}); the tokens read before stay in force", file, e.getClass().getSimpleName());
                return;
            }
            Snapshot old = current;
            if (modified.equals(old.modified()) && size == old.size()
                    || modified.equals(rejectedModified) && size == rejectedSize) {
                return;
            }
            try {
                current = read(file);
                rejectedModified = null;
                rejectedSize = -1;
                log.info("--auth-token-file {} read again: {} tokens", file, current.entries().size());
            } catch (IllegalArgumentException e) {
                rejectedModified = modified;
                rejectedSize = size;
                log.error("{} The {} tokens read before stay in force.", e.getMessage(), old.entries().size());
            }
        }
    }

    private static Snapshot read(Path file) {
        BasicFileAttributes attrs;
        List<String> lines;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read --auth-token-file " + file + "; check that it exists and is readable.");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "--auth-token-file " + file + " line " + (i + 1) + ": ";
            String[] fields = line.split("\\s+");
            String token = fields[0];
            if (token.contains("=")) {
                throw new IllegalArgumentException(where + "a line starts with the token, then subject=, role= and teams=; "
                        + "write TOKEN subject=NAME role=member teams=team-a.");
            }
            if (token.length() < MIN_LENGTH) {
                throw new IllegalArgumentException(where + "the token is shorter than " + MIN_LENGTH + " characters; use a long "
                        + "random token (for example: openssl rand -hex 32).");
            }
            if (!seen.add(token)) {
                throw new IllegalArgumentException(where + "the token is already on an earlier line; give each identity its own token.");
            }
            entries.add(new Entry(digest(token), fields.length == 1 ? Principal.admin(bareSubject(token)) : identity(fields, where)));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("--auth-token-file " + file + " holds no token; add one a line "
                    + "(TOKEN, or TOKEN subject=NAME role=member teams=team-a).");
        }
        return new Snapshot(List.copyOf(entries), attrs.lastModifiedTime().toInstant(), attrs.size());
    }

    private static Principal identity(String[] fields, String where) {
        String subject = null;
        Role role = null;
        Set<String> teams = new LinkedHashSet<>();
        for (int f = 1; f < fields.length; f++) {
            String field = fields[f];
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            switch (key) {
                case "subject" -> {
                    if (value.isBlank()) {
                        throw new IllegalArgumentException(where + "subject= is empty; name who the token is, e.g. subject=alice.");
                    }
                    subject = value;
                }
                case "role" -> {
                    try {
                        role = Role.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + "role must be viewer, member or admin, was '" + value + "'.");
                    }
                }
                case "teams" -> {
                    for (String team : value.split(",")) {
                        if (!team.isBlank()) {
                            teams.add(team.strip());
                        }
                    }
                }
                default -> throw new IllegalArgumentException(where + "unknown field '" + key + "'; the fields are subject=, role= "
                        + "and teams= (TOKEN subject=NAME role=member teams=team-a,team-b).");
            }
        }
        if (subject == null) {
            throw new IllegalArgumentException(where + "subject= is missing; write TOKEN subject=NAME role=member teams=team-a.");
        }
        if (role == null) {
            throw new IllegalArgumentException(where + "role= is missing; add role=viewer, role=member or role=admin.");
        }
        if (role != Role.ADMIN && teams.isEmpty()) {
            throw new IllegalArgumentException(where + "a " + role.wireName() + " needs teams=; add teams=team-a (comma-separated).");
        }
        return new Principal(subject, teams, role);
    }

    /** A bare token's subject: {@code token-} and the first 8 hex digits of its SHA-256, stable across edits, never the token. */
    static String bareSubject(String token) {
        return "token-" + HexFormat.of().formatHex(digest(token), 0, 4);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
