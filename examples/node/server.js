// The Node.js example of rules_distill: a tiny HTTP service for a distroless image, on node's own
// http module (no dependencies, no npm).
//
// GET / answers "Hello World!". The port is 8080 unless the PORT environment variable says
// otherwise. Each request is logged to stdout as `"GET / HTTP/1.1" 200`. SIGTERM and SIGINT stop
// the server gracefully (node as PID 1 would otherwise ignore them).
"use strict";

const http = require("node:http");

const DEFAULT_PORT = 8080;

function port(value) {
  if (value === undefined || value === "") {
    return DEFAULT_PORT;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n >= 65536) {
    console.error(`server: PORT must be a port number, not "${value}"`);
    process.exit(2);
  }
  return n;
}

function handle(req, res) {
  let status = 200;
  let body = "Hello World!";
  const path = req.url.split("?")[0];
  if (path !== "/") {
    status = 404;
    body = "404 page not found\n";
  } else if (req.method !== "GET" && req.method !== "HEAD") {
    status = 405;
    body = "method not allowed\n";
    res.setHeader("Allow", "GET, HEAD");
  }
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
  console.log(`${req.socket.remoteAddress} - "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status}`);
}

const server = http.createServer(handle);
server.on("error", (err) => {
  console.error(`server: ${err.message}`);
  process.exit(1);
});
server.listen(port(process.env.PORT), () => {
  console.log(`listening on :${server.address().port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    console.log(`received ${signal}, shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
