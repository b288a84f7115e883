package dev.trainops.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes the URL, the user and the password of one store out of a driver's or a library's message:
 * those are passed through from places we do not control (a PostgreSQL error quoting the user, a
 * Flyway error naming the URL).
 */
final class Redactor {
    private final String url;
    private final List<String> users = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();

    Redactor(String url, String user, String password) {
        this.url = url;
        addIfPresent(users, user);
        addIfPresent(users, StoreUrls.queryValue(url, "user"));
        addIfPresent(secrets, password);
        addIfPresent(secrets, StoreUrls.queryValue(url, "password"));
        addIfPresent(secrets, StoreUrls.queryValue(url, "sslpassword"));
    }

    private static void addIfPresent(List<String> to, String value) {
        if (value != null && !value.isEmpty()) {
            to.add(value);
        }
    }

    String redact(String message) {
        if (message == null) {
            return "no reason given";
        }
        String out = message;
        if (url != null && !url.isEmpty()) {
            out = out.replace(url, StoreUrls.describe(url));
        }
        out = StoreUrls.redactUrls(out);
        for (String secret : secrets) {
            out = out.replace(secret, "****");
        }
        for (String user : users) {
            // PostgreSQL quotes the user ("password authentication failed for user \"bob\""); a bare
            // replace would also hit words that contain a short name
            out = out.replace("\"" + user + "\"", "\"****\"");
        }
        return out;
    }
}
