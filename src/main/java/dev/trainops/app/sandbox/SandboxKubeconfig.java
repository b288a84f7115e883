package dev.trainops.app.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The kubeconfig {@code --sandbox-kubeconfig FILE} writes for the sandbox's embedded API server, so kubectl and other
 * clients can use the demo cluster while trainops runs (README, "Use kubectl with the sandbox"): context
 * {@code trainops-sandbox}, namespace {@code team-a}, no credentials (the mock checks none; it listens on the loopback
 * address only). Written with mode 0600 once the server listens, removed when it stops; a file trainops did not
 * write (its first line says who did) is never overwritten, so a mistyped path cannot replace a real
 * {@code ~/.kube/config}.
 */
public final class SandboxKubeconfig implements AutoCloseable {
    public static final String OPTION = "--sandbox-kubeconfig";
    public static final String CONTEXT = "trainops-sandbox";
    static final String NAMESPACE = "team-a";
    /** The first line of every file this class writes: how it knows a file it may replace. */
    static final String MARKER = "# Written by trainops for its sandbox's API server (" + OPTION + "); removed when trainops stops.";

    private final Path file;
    private final String content;

    private SandboxKubeconfig(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /**
     * Fails, naming the option and what to do, when {@code file} exists and trainops did not write it, or is not a
     * regular file. Called when the options are read, so the mistake shows before anything starts.
     */
    public static void checkWritable(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(OPTION + " " + file + " is a directory; give the path of a file, e.g. "
                    + OPTION + " /tmp/trainops.kubeconfig.");
        }
        if (Files.exists(file) && !writtenByTrainops(file)) {
            throw new IllegalArgumentException(OPTION + " " + file + " exists and trainops did not write it; trainops will not "
                    + "overwrite it (it could be your own kubeconfig). Give a new path, e.g. " + OPTION + " /tmp/trainops.kubeconfig.");
        }
    }

    /** Whether {@code file} starts with the line trainops writes (an unreadable file is not trainops's). */
    static boolean writtenByTrainops(Path file) {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.findFirst().map(MARKER::equals).orElse(false);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Writes the kubeconfig for the API server at {@code server} (e.g. {@code http://127.0.0.1:43117}), mode 0600. */
    static SandboxKubeconfig write(Path file, String server) throws IOException {
        checkWritable(file);
        String content = render(server);
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        // written beside it and moved into place, so no reader sees half a file and the mode is 0600 from the start
        Path tmp = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, ".trainops-kubeconfig", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".trainops-kubeconfig", ".tmp");
        try {
            Files.writeString(tmp, content);
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new SandboxKubeconfig(absolute, content);
    }

    static String render(String server) {
        return String.join("\n", List.of(
                MARKER,
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: " + CONTEXT,
                "  cluster:",
                "    server: " + server,
                "contexts:",
                "- name: " + CONTEXT,
                "  context:",
                "    cluster: " + CONTEXT,
                "    user: " + CONTEXT,
                "    namespace: " + NAMESPACE,
                "current-context: " + CONTEXT,
                "users:",
                "- name: " + CONTEXT,
                "  user: {}",
                "preferences: {}",
                ""));
    }

    Path file() {
        return file;
    }

    /** Removes the file, unless something else has replaced it since. */
    @Override
    public void close() throws IOException {
        try {
            if (Files.readString(file).equals(content)) {
                Files.delete(file);
            }
        } catch (NoSuchFileException gone) {
            // removed by someone else already
        }
    }
}
