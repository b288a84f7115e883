package dev.trainops.app.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fabric8 client's system properties, pointed at a mock API server for an in-process server's
 * own client (the bench's HTTP load, and tests that start the whole server).
 */
public final class KubeClientProperties {
    private static final List<String> NAMES = List.of("kubernetes.master", "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount",
            "kubernetes.trust.certificates", "kubernetes.namespace");

    private KubeClientProperties() {
    }

    /** Points them at {@code url}; returns what they were, for {@link #restore}. */
    public static Map<String, String> pointAt(String url) {
        Map<String, String> saved = new HashMap<>();
        NAMES.forEach(p -> saved.put(p, System.getProperty(p)));
        System.setProperty("kubernetes.master", url);
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        System.setProperty("kubernetes.trust.certificates", "true");
        System.setProperty("kubernetes.namespace", "default");
        return saved;
    }

    public static void restore(Map<String, String> saved) {
        saved.forEach((p, v) -> {
            if (v == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, v);
            }
        });
    }
}
