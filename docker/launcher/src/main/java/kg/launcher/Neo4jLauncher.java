package kg.launcher;

import static org.neo4j.configuration.GraphDatabaseSettings.SYSTEM_DATABASE_NAME;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Runs an embedded Neo4j community DBMS that serves Bolt on 127.0.0.1 until it gets SIGTERM.
 *
 * <p>Usage: {@code java -jar kg-neo4j-launcher.jar [--data-dir DIR] [--port PORT]}. The options
 * fall back to the environment variables {@code KG_NEO4J_DATA} and {@code KG_NEO4J_PORT}, then
 * to {@code ~/.cache/kg/neo4j/data} and 7687. Authentication is always on: the first start of a
 * data directory gives the built-in user {@code neo4j} the password in {@code NEO4J_PASSWORD}
 * and, when {@code NEO4J_USER} names another user, creates that user with the same password
 * (every user of the community edition has full rights). Later starts keep the stored users.
 */
public final class Neo4jLauncher {
    private static final String PREFIX = "kg-neo4j-launcher: ";
    private static final String MARKER = "kg-users-initialized";
    private static final long PAGE_CACHE_BYTES = 512L * 1024 * 1024;

    private Neo4jLauncher() {}

    public static void main(String[] args) {
        try {
            Map<String, String> options = parseOptions(args);
            Path home = Path.of(options.getOrDefault("--data-dir",
                    env("KG_NEO4J_DATA", System.getProperty("user.home") + "/.cache/kg/neo4j/data")))
                    .toAbsolutePath();
            int port = Integer.parseInt(options.getOrDefault("--port", env("KG_NEO4J_PORT", "7687")));
            run(home, port);
        } catch (Exception e) {
            e.printStackTrace();
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            System.err.println(PREFIX + "failed: " + cause.getMessage());
            System.exit(1);
        }
    }

    private static void run(Path home, int port) throws Exception {
        Files.createDirectories(home);
        Path marker = home.resolve(MARKER);
        if (!Files.exists(marker)) {
            // First start: set the password while Bolt is still closed, so no client ever sees
            // the default neo4j/neo4j account.
            String user = env("NEO4J_USER", "neo4j");
            String password = env("NEO4J_PASSWORD", "");
            if (password.isEmpty()) {
                throw new IllegalStateException("NEO4J_PASSWORD must be set for the first start");
            }
            System.out.println(PREFIX + "initialising " + home + " for user " + user);
            DatabaseManagementService bootstrap = builder(home, false, port).build();
            try {
                initialiseUsers(bootstrap.database(SYSTEM_DATABASE_NAME), user, password);
            } finally {
                bootstrap.shutdown();
            }
            Files.writeString(marker, user + "\n");
        }

        DatabaseManagementService dbms = builder(home, true, port).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(PREFIX + "shutting down");
            dbms.shutdown();
            System.out.println(PREFIX + "stopped");
        }, "kg-neo4j-shutdown"));
        awaitListening(port);
        String version = dbms.database(SYSTEM_DATABASE_NAME).executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS version", Map.of(),
                result -> (String) result.next().get("version"));
        System.out.printf("%sready bolt://127.0.0.1:%d (Neo4j %s, data %s)%n", PREFIX, port, version, home);
        new CountDownLatch(1).await();
    }

    private static DatabaseManagementServiceBuilder builder(Path home, boolean bolt, int port) {
        return new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, bolt)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, PAGE_CACHE_BYTES)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt otherwise idles 5 s twice while shutting down.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1));
    }

    private static void initialiseUsers(GraphDatabaseService system, String user, String password) {
        Map<String, Boolean> changeRequired = system.executeTransactionally(
                "SHOW USERS YIELD user, passwordChangeRequired", Map.of(), result -> {
                    Map<String, Boolean> users = new HashMap<>();
                    result.forEachRemaining(row ->
                            users.put((String) row.get("user"), (Boolean) row.get("passwordChangeRequired")));
                    return users;
                });
        Map<String, Object> params = Map.of("password", password);
        if (Boolean.TRUE.equals(changeRequired.get("neo4j"))) {
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", params);
        }
        if (!changeRequired.containsKey(user)) {
            String name = "`" + user.replace("`", "``") + "`";
            system.executeTransactionally("CREATE USER " + name + " SET PASSWORD $password CHANGE NOT REQUIRED", params);
        }
    }

    private static void awaitListening(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        }
    }

    private static Map<String, String> parseOptions(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!(args[i].equals("--data-dir") || args[i].equals("--port")) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: [--data-dir DIR] [--port PORT], got " + args[i]);
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
