package dev.trainops.server;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A Jetty server with daemon threads and one connector on the options' bind address and port. */
record Jetty(Server server, ServerConnector connector) {

    static Jetty listening(String threadName, int maxThreads, int minThreads, HttpOptions options) {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, minThreads);
        threads.setName(threadName);
        threads.setDaemon(true);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.bind());
        connector.setPort(options.port());
        HttpLimits.DEFAULTS.harden(connector);
        server.addConnector(connector);
        return new Jetty(server, connector);
    }
}
