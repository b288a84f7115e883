package dev.trainops.queue;

import java.security.SecureRandom;

/** Random ids for queue jobs (tj-...) and batches (tb-...): a prefix and 12 hex digits. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String random(String prefix) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        StringBuilder sb = new StringBuilder(prefix);
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }
}
