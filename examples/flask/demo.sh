#!/usr/bin/env bash
# The seed's story in one command, on a fresh Debian/Ubuntu machine: build the Flask "Hello World!"
# service on the distroless python3 image with Bazel, run it with podman, ask it for its page,
# show its size and digest, show that nobody gets a shell in it, and show its request log.
# Installs what it needs first (tests/setup.sh). Nothing outside a temporary podman store changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/setup.sh
# shellcheck source=tests/lib/env.sh
source tests/lib/env.sh
# shellcheck source=tests/lib/net.sh
source tests/lib/net.sh
# shellcheck source=tests/lib/podman.sh
source tests/lib/podman.sh
trap run_deferred EXIT

echo "==> bazel build //examples/flask:image.tar //examples/flask:kubernetes"
bazel build //examples/flask:image //examples/flask:image.tar //examples/flask:image.digest //examples/flask:kubernetes
digest=$(cat bazel-bin/examples/flask/image.digest)

echo "==> podman load"
podman_setup
podman load -i bazel-bin/examples/flask/image.tar | tail -n 1

# Flask listens on 5000, as in the seed; the podman setup shares the host's network.
port=5000
if port_in_use "$port"; then
  echo "port $port is taken on this machine: stop what listens there and run me again" >&2
  exit 1
fi
id=$(podman run -d bazel/examples/flask:image)
stop_app() { podman rm --force --time 0 "$id" >/dev/null 2>&1 || true; }
defer stop_app
wait_http "http://127.0.0.1:$port/" 30

echo "==> curl http://127.0.0.1:$port/"
answer=$(curl -fsS "http://127.0.0.1:$port/")
echo "$answer"

echo "==> podman exec $id /bin/sh   (there is no shell in a distroless image)"
if podman exec "$id" /bin/sh -c true >/dev/null 2>&1; then
  echo "unexpected: /bin/sh ran inside the image" >&2
  exit 1
fi
podman exec "$id" /bin/sh -c true 2>&1 | sed 's/^/    /' || true

echo "==> podman logs $id   (the request lines still reach the log)"
podman logs "$id" 2>&1 | sed 's/^/    /'

compressed=$(jq '[.layers[].size] | add' bazel-bin/examples/flask/image_/manifest.json)
echo "==> image"
echo "    digest:           $digest"
echo "    compressed size:  $compressed bytes ($(awk -v b="$compressed" 'BEGIN { printf "%.2f", b / 1000000 }') MB; the seed's was 23.36 MB)"
echo "    user:             $(podman image inspect --format '{{.Config.User}}' bazel/examples/flask:image) (nonroot)"
echo "    kubernetes.yaml:  bazel-bin/examples/flask/kubernetes.yaml (image pinned by digest, hardened pod)"
[[ "$answer" == "Hello World!" ]]
