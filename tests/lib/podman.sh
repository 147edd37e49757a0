# shellcheck shell=bash
# podman with a private configuration and storage, in the only setup that runs on these hosts
# (podman 4.3): runtime runc, storage driver vfs, cgroup manager cgroupfs, events logged to a
# file, host network, nofile/nproc limited to 1024. Nothing in /etc or /var/lib/containers is
# written or read for images and containers.
#
#   podman_setup      writes containers.conf and storage.conf under a new temporary directory,
#                     exports PODMAN_ROOT, CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and removes
#                     it all at exit (see cleanup.sh)
#   podman_cleanup    removes every container and image of that storage, then the directory
#
# After podman_setup, plain `podman load -i x.tar`, `podman run -d --user 65532 IMAGE`,
# `podman logs ID`, `podman exec ID /bin/sh` work as usual.
[ -n "${_RULES_DISTILL_PODMAN_SH:-}" ] && return 0
_RULES_DISTILL_PODMAN_SH=1

# shellcheck source-path=SCRIPTDIR source=cleanup.sh
source "$(dirname "${BASH_SOURCE[0]}")/cleanup.sh"

podman_setup() {
  command -v podman >/dev/null || {
    echo "podman_setup: no podman on PATH: run tests/setup.sh" >&2
    return 1
  }
  command -v runc >/dev/null || {
    echo "podman_setup: no runc on PATH: run tests/setup.sh" >&2
    return 1
  }
  PODMAN_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-podman.XXXXXX")"
  mkdir -p "$PODMAN_ROOT"/{graph,run,tmp,networks}
  defer podman_cleanup

  cat >"$PODMAN_ROOT/containers.conf" <<CONF
[containers]
netns = "host"
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PODMAN_ROOT/events.log"
tmp_dir = "$PODMAN_ROOT/tmp"
volume_path = "$PODMAN_ROOT/graph/volumes"

[engine.runtimes]
runc = ["$(command -v runc)"]

[network]
network_config_dir = "$PODMAN_ROOT/networks"
CONF
  cat >"$PODMAN_ROOT/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$PODMAN_ROOT/graph"
runroot = "$PODMAN_ROOT/run"
CONF
  CONTAINERS_CONF="$PODMAN_ROOT/containers.conf"
  CONTAINERS_STORAGE_CONF="$PODMAN_ROOT/storage.conf"
  export PODMAN_ROOT CONTAINERS_CONF CONTAINERS_STORAGE_CONF
}

podman_cleanup() {
  [ -n "${PODMAN_ROOT:-}" ] && [ -d "$PODMAN_ROOT" ] || return 0
  podman rm --all --force --time 0 >/dev/null 2>&1 || true
  podman rmi --all --force >/dev/null 2>&1 || true
  # Whatever podman left mounted (a container's /dev/shm) must go before the files can.
  local mnt
  while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v root="$PODMAN_ROOT" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  rm -rf "$PODMAN_ROOT"
  unset PODMAN_ROOT CONTAINERS_CONF CONTAINERS_STORAGE_CONF
}
