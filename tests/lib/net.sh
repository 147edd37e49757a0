# shellcheck shell=bash
# Loopback helpers: find a free port, wait for an HTTP endpoint.
[ -n "${_RULES_DISTILL_NET_SH:-}" ] && return 0
_RULES_DISTILL_NET_SH=1

# port_in_use PORT: true when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: prints a port on 127.0.0.1 that nothing listens on now. Another process can still
# take it before the caller binds it: callers retry when their server fails to start.
free_port() {
  local port tries
  for ((tries = 0; tries < 100; tries++)); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  echo "free_port: no free port found on 127.0.0.1" >&2
  return 1
}

# wait_http URL [SECONDS] [PID]: waits until URL answers a 2xx (default 30 s). With PID, gives up
# as soon as that process is gone.
wait_http() {
  local url="$1" seconds="${2:-30}" pid="${3:-}" deadline
  deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "wait_http: process $pid exited before $url answered" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "wait_http: $url did not answer within ${seconds}s" >&2
  return 1
}
