#!/usr/bin/env bash
# Builds //examples/go:image with Bazel, loads it into podman, runs it as a container and asks it
# for its page: the whole story of rules_distill in one command, on a fresh Debian/Ubuntu machine.
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

echo "==> bazel build //examples/go:image.tar"
bazel build //examples/go:image //examples/go:image.tar //examples/go:image.digest
digest=$(cat bazel-bin/examples/go/image.digest)
tarball=bazel-bin/examples/go/image.tar

echo "==> podman load"
podman_setup
podman load -i "$tarball" | tail -n 1

port=$(free_port)
id=$(podman run -d -e PORT="$port" bazel/examples/go:image)
stop_app() { podman rm --force --time 0 "$id" >/dev/null 2>&1 || true; }
defer stop_app
wait_http "http://127.0.0.1:$port/" 30

echo "==> curl http://127.0.0.1:$port/"
answer=$(curl -fsS "http://127.0.0.1:$port/")
echo "$answer"

echo "==> podman exec $id /bin/sh   (there is no shell in a distroless image)"
if podman exec "$id" /bin/sh -c true 2>&1 | sed 's/^/    /'; then :; fi
if podman exec "$id" /bin/sh -c true >/dev/null 2>&1; then
  echo "unexpected: /bin/sh ran inside the image" >&2
  exit 1
fi

echo "==> podman logs (the app's request lines still reach stdout)"
podman logs "$id" | sed 's/^/    /'

layers=$(jq '[.layers[].size] | add' bazel-bin/examples/go/image_/manifest.json)
echo "==> image"
echo "    digest:            $digest"
echo "    compressed size:   $layers bytes ($((layers / 1024)) KiB of layers)"
echo "    uncompressed size: $(podman image inspect --format '{{.Size}}' bazel/examples/go:image) bytes"
[[ "$answer" == "Hello World!" ]]
