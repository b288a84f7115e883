package dev.trainops.server;

/** Whether the server can answer from current data ({@code /readyz}), and why not. */
public record Readiness(boolean ready, String detail) {
}
