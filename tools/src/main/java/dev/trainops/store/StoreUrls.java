package dev.trainops.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What may be said about a JDBC URL in a message or a log line: the kind of database, and for
 * PostgreSQL its host, port and database, never the query string (where a password or a token may
 * ride) nor a user.
 */
final class StoreUrls {
    /** Any JDBC URL inside a longer text, up to the first blank, quote or closing bracket. */
    private static final Pattern JDBC_URL = Pattern.compile("jdbc:[A-Za-z0-9]+:[^\\s\"'()\\[\\]<>]*");

    private StoreUrls() {
    }

    /** "the SQLite store at FILE" or "the PostgreSQL store at HOST:PORT/DB". */
    static String describe(String url) {
        if (url.startsWith("jdbc:sqlite:")) {
            return "the SQLite store at " + withoutQuery(url.substring("jdbc:sqlite:".length()));
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "the PostgreSQL store at " + postgresTarget(url);
        }
        return "the store";
    }

    /** The scheme the URL starts with ("jdbc:mysql:"), for saying what is wrong without repeating it. */
    static String scheme(String url) {
        Matcher m = Pattern.compile("^(jdbc:[A-Za-z0-9]+:|[A-Za-z][A-Za-z0-9+.-]*:)").matcher(url);
        return m.find() ? "'" + m.group(1) + "'" : "no scheme";
    }

    /** Every JDBC URL in {@code text} replaced by its description. */
    static String redactUrls(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = JDBC_URL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(describe(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The value of {@code name} in the URL's query string, or null. */
    static String queryValue(String url, String name) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : url.substring(q + 1).split("[&;]")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** host:port/db of {@code jdbc:postgresql://[user:pass@]host[:port][,host2...]/db?query}, or db of {@code jdbc:postgresql:db}. */
    private static String postgresTarget(String url) {
        String rest = withoutQuery(url.substring("jdbc:postgresql:".length()));
        if (!rest.startsWith("//")) {
            return rest.isEmpty() ? "(default host)" : "localhost/" + rest;
        }
        rest = rest.substring(2);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : rest.substring(slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        return authority + database;
    }

    private static String withoutQuery(String s) {
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q);
    }
}
