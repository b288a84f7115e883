package dev.trainops.rbac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Issue 15's least privilege, both ways: every request trainops made is allowed by a role in
 * deploy/ ({@link Verdict#missing}), and every grant of those roles was needed by some request
 * ({@link Verdict#unused}). docs/decisions.md, "Least privilege, recorded and checked".
 */
final class LeastPrivilege {
    private LeastPrivilege() {
    }

    /** What is wrong, each line naming the verb, group and resource, the file, and the fix; both empty when the roles fit. */
    record Verdict(List<String> missing, List<String> unused) {
        Verdict {
            missing = List.copyOf(missing);
            unused = List.copyOf(unused);
        }

        boolean ok() {
            return missing.isEmpty() && unused.isEmpty();
        }
    }

    static Verdict compare(Collection<ApiRequest> requests, List<Grant> grants, List<String> files) {
        Map<String, String> missing = new LinkedHashMap<>();
        Set<Grant> used = new LinkedHashSet<>();
        for (ApiRequest request : requests) {
            for (Permission p : request.permissions()) {
                List<Grant> allowing = grants.stream().filter(g -> g.allows(p)).toList();
                used.addAll(allowing);
                if (allowing.isEmpty()) {
                    String key = p.what() + (p.namespace() == null ? "" : " (namespaced)");
                    missing.putIfAbsent(key, "nothing in " + String.join(" or ", files) + " allows '" + p.what() + "' " + p.scope()
                            + ", which trainops requested (" + request + "); add it to the rules of the role it belongs to");
                }
            }
        }
        List<String> unused = new ArrayList<>();
        for (Grant g : grants) {
            if (!used.contains(g)) {
                unused.add(g.file() + ": " + g.role() + " grants '" + g.what() + "'" + (g.resourceNames().isEmpty() ? ""
                        : " on " + g.resourceNames()) + ", which no recorded request needed; remove it, or add the end-to-end test that "
                        + "makes the request");
            }
        }
        return new Verdict(new ArrayList<>(missing.values()), unused);
    }

    /** Every distinct request recorded under {@code dir} ({@code *.tsv}, one file per server process). */
    static List<ApiRequest> recorded(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Set<String> lines = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted().toList()) {
                Files.readAllLines(f).stream().filter(l -> !l.isBlank()).forEach(lines::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the recorded requests in " + dir + ": " + e.getMessage(), e);
        }
        return lines.stream().map(ApiRequest::parse).toList();
    }
}
