import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The Java example of rules_distill: a tiny HTTP service for a distroless image, on the JDK's own
 * com.sun.net.httpserver (no dependencies).
 *
 * <p>GET / answers "Hello World!". The port is 8080 unless the PORT environment variable says
 * otherwise. Each request is logged to stdout as {@code "GET / HTTP/1.1" 200}. SIGTERM and SIGINT
 * stop the server, giving requests in flight a second to finish.
 */
public final class Server {
  private static final int DEFAULT_PORT = 8080;

  private Server() {}

  public static void main(String[] args) throws IOException {
    int port = port(System.getenv("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", Server::handle);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("shutting down");
                  server.stop(1);
                }));
    server.start();
    System.out.println("listening on " + server.getAddress());
  }

  private static int port(String value) {
    if (value == null || value.isEmpty()) {
      return DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(value);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    System.err.println("server: PORT must be a port number, not \"" + value + "\"");
    System.exit(2);
    return -1;
  }

  private static void handle(HttpExchange exchange) throws IOException {
    try {
      String method = exchange.getRequestMethod();
      int status = 200;
      String body = "Hello World!";
      if (!"/".equals(exchange.getRequestURI().getPath())) {
        status = 404;
        body = "404 page not found\n";
      } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
        status = 405;
        body = "method not allowed\n";
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      if ("HEAD".equals(method)) {
        exchange.sendResponseHeaders(status, -1);
      } else {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
      System.out.printf(
          "%s - \"%s %s %s\" %d%n",
          exchange.getRemoteAddress().getAddress().getHostAddress(),
          method,
          exchange.getRequestURI(),
          exchange.getProtocol(),
          status);
    } finally {
      exchange.close();
    }
  }
}
