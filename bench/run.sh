#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# rules_distill's benchmarks, side by side in one run on the same inputs (see bench/README.md):
#
#   P1  layer build of a file tree (an unpacked JRE topped up with generated files) at several
#       sizes: distill layer vs the shell pipeline (tar | tee >(sha256sum) | pigz | sha256sum) at
#       the same gzip level, vs crane append, vs umoci insert; zstd too
#   P2  incremental rebuild after an edit of the Flask example's app.py, warm Bazel server:
#       wall time and actions executed
#   P3  the image and layout actions with a 10 MB layer vs the largest P1 layer
#   P4  peak RSS of distill layer
#   P5  remote cache: bazel clean --expunge, then the same build against nginx (WebDAV): actions
#       run locally, bytes uploaded per image
#
# Every command runs --runs times, the cases of one size interleaved; the medians, the ratios the
# targets are about and a table are printed, and written as JSON (bench/results/latest.json; the
# P1 chart goes to docs/bench/p1.png). A missed target is reported, not an error: the benchmarks
# are not timed tests. A benchmark that breaks (a command fails, a digest is wrong, an image
# action reads a blob, a cached rebuild runs an action) fails the run.
#
# Bazel runs in a copy of this checkout with its own output base (P2, P5), never in the checkout.
#
# Usage: bench/run.sh [--smoke] [--runs N] [--sizes "50 200 500 1000"] [--only p1,p2,p3,p4,p5]
#                     [--out FILE] [--chart FILE] [--keep]
#   --smoke  CI mode: tiny trees, one run, a one-layer image instead of the Flask example, P5
#            with `bazel clean` instead of `clean --expunge`, the Go benchmarks once each; checks
#            that every benchmark works (< 2 minutes), writes bench/results/smoke.json
#   --keep   keep the work directory (printed)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../tests/lib/env.sh
source "$repo/tests/lib/env.sh"
# shellcheck source=../tests/lib/cleanup.sh
source "$repo/tests/lib/cleanup.sh"
# shellcheck source=../tests/lib/net.sh
source "$repo/tests/lib/net.sh"

smoke=""
runs=""
sizes=""
only="p1,p2,p3,p4,p5"
out=""
chart=""
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --runs) runs="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --only) only="$2"; shift ;;
    --out) out="$2"; shift ;;
    --chart) chart="$2"; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$smoke" ]; then
  : "${runs:=1}" "${sizes:=3 12}" "${out:=$repo/bench/results/smoke.json}"
  p3_small=10 p2_runs=2 p3_runs=5
  clean=(clean) # smoke: keep the server and the external repositories (seconds, not a minute)
else
  : "${runs:=3}" "${sizes:=50 200 500 1000}" "${out:=$repo/bench/results/latest.json}" "${chart:=$repo/docs/bench/p1.png}"
  p3_small=10 p2_runs=5 p3_runs=20
  clean=(clean --expunge)
fi
read -r -a sizes <<<"$sizes"

die() {
  echo "bench/run.sh: FAIL: $*" >&2
  exit 1
}
want() { [[ ",$only," == *",$1,"* ]]; }
say() { echo "==> [${SECONDS}s] $*"; }

for tool in go bazel pigz zstd crane umoci skopeo nginx curl jq /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing: run tests/setup.sh"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-bench.XXXXXX")"
remove_work() {
  if [ -n "$keep" ]; then
    echo "kept: $work" >&2
    return 0
  fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
defer remove_work
mkdir -p "$work/bin"
# The P1 outputs go to memory (tmpfs) when there is room: then the disk writeback of other
# processes does not decide the timings. The trees are read from the page cache either way.
o="$work/out"
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt 4000000 ]; then
  o="$(mktemp -d /dev/shm/rules_distill-bench.XXXXXX)"
  defer rm -rf "$o"
fi
mkdir -p "$o"
tsv="$work/measurements.tsv"
meta="$work/meta.tsv"
: >"$tsv"

# record BENCH CASE SIZE_MB METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }
fact() { printf '%s\t%s\n' "$1" "$2" >>"$meta"; }

# measure BENCH CASE SIZE_MB CMD...: runs CMD, records wall_s and cpu_s (user + sys, children
# included); leaves the peak RSS in MiB in $maxrss_mb and the wall time in $wall_s.
measure() {
  local bench="$1" case="$2" size="$3" t0 t1 u s m
  shift 3
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >"$work/cmd.log" 2>&1; then
    tail -n 20 "$work/cmd.log" >&2
    die "$bench $case ($size MB): '$*' failed"
  fi
  t1=$(date +%s%N)
  read -r u s m <"$work/time"
  wall_s=$(awk -v us=$(((t1 - t0) / 1000)) 'BEGIN { printf "%.4f", us / 1e6 }')
  maxrss_mb=$(awk -v kb="$m" 'BEGIN { printf "%.1f", kb / 1024 }')
  record "$bench" "$case" "$size" wall_s "$wall_s"
  record "$bench" "$case" "$size" cpu_s "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
}

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.2f", b / 1e6 }'; }

say "building distill and the bench tools"
(cd "$repo" && go build -trimpath -o "$work/bin/" ./tools/cmd/distill ./bench/cmd/gentree ./bench/cmd/report ./bench/cmd/chart)
distill="$work/bin/distill"
export SOURCE_DATE_EPOCH=0
if [ -n "$smoke" ]; then
  say "Go benchmarks, once each on a 4 MB tree, and their determinism test"
  (cd "$repo" && BENCH_TREE_MB=4 go test -count=1 -run . -bench . -benchtime 1x ./bench/ >"$work/gobench.log" 2>&1) ||
    { cat "$work/gobench.log" >&2; die "go test -bench ./bench failed"; }
  grep -c '^BenchmarkWrite/' "$work/gobench.log" | grep -qx 7 || { cat "$work/gobench.log" >&2; die "the Go benchmarks did not all run"; }
fi

fact date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
fact mode "$([ -n "$smoke" ] && echo smoke || echo full)"
fact runs "$runs"
fact cores "$(nproc)"
fact cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
fact load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
fact versions "$(go env GOVERSION), $(pigz --version 2>&1), zstd $(zstd -V | grep -o 'v[0-9.]*'), crane $(crane version), umoci $(umoci --version | awk '{ print $3 }'), $(tar --version | head -n 1)"

# The seed of the P1 trees: an unpacked JRE, when the machine has one.
seed=""
for d in /usr/lib/jvm/default-java /usr/lib/jvm/java-17-openjdk-amd64; do
  if [ -d "$d" ]; then
    seed="$(readlink -f "$d")"
    break
  fi
done
fact seed "${seed:-none (generated files only)}"
fact outputs "$(df -P "$o" | awk 'NR == 2 { print $1 }')"

# check_layer BLOB DESC: the descriptor's digest, size and diffID are the blob's.
check_layer() {
  local blob="$1" desc="$2" digest diffid size
  digest="sha256:$(sha256sum "$blob" | cut -d' ' -f1)"
  size="$(stat -c %s "$blob")"
  case "$blob" in
    *.zst) diffid="sha256:$(zstd -dc "$blob" | sha256sum | cut -d' ' -f1)" ;;
    *) diffid="sha256:$(gzip -dc "$blob" | sha256sum | cut -d' ' -f1)" ;;
  esac
  grep -q "\"digest\":\"$digest\"" "$desc" || die "$blob: digest $digest is not the one in $desc: $(cat "$desc")"
  grep -q "\"size\":${size}[,}]" "$desc" || die "$blob: size $size is not the one in $desc: $(cat "$desc")"
  grep -q "\"diffID\":\"$diffid\"" "$desc" || die "$blob: diffID $diffid is not the one in $desc: $(cat "$desc")"
}

# P1 and P4, per tree size: every case once per run, the cases of a run one after the other.
largest=""
if want p1 || want p4 || want p3; then
  for size in "${sizes[@]}"; do
    say "P1/P4: $size MB tree ($runs runs)"
    t="$work/p1-$size"
    mkdir -p "$t"
    "$work/bin/gentree" --size-mb "$size" ${seed:+--seed "$seed"} --out "$t/tree" --entries "$t/entries.json" >/dev/null
    for ((run = 1; run <= runs; run++)); do
      for level in 1 6; do
        measure P1 "distill-gzip$level" "$size" "$distill" layer --entries "$t/entries.json" --level "$level" \
          --output "$o/distill.tar.gz" --descriptor "$o/distill.json"
        record P4 "distill-gzip$level" "$size" maxrss_mb "$maxrss_mb"
        record P1 "distill-gzip$level" "$size" blob_mb "$(mb "$o/distill.tar.gz")"
        if [ "$run" -eq 1 ]; then check_layer "$o/distill.tar.gz" "$o/distill.json"; fi
        if [ "$level" -eq 6 ]; then cp "$o/distill.tar.gz" "$t/layer.tar.gz" && cp "$o/distill.json" "$t/layer.json"; fi
        # One pass, both digests, all cores: the practical limit.
        # shellcheck disable=SC2016 # expanded by the inner bash
        measure P1 "pipeline-gzip$level" "$size" bash -c 'tar --sort=name -cf - -C "$1" . | tee >(sha256sum >"$2.diffid") | pigz -"$3" | tee "$2" | sha256sum >"$2.digest"' \
          pipeline "$t/tree" "$o/pipeline.tar.gz" "$level"
        record P1 "pipeline-gzip$level" "$size" blob_mb "$(mb "$o/pipeline.tar.gz")"
      done
      measure P1 distill-zstd3 "$size" "$distill" layer --entries "$t/entries.json" --compression zstd --level 3 \
        --output "$o/distill.tar.zst" --descriptor "$o/distill.json"
      record P4 distill-zstd3 "$size" maxrss_mb "$maxrss_mb"
      record P1 distill-zstd3 "$size" blob_mb "$(mb "$o/distill.tar.zst")"
      if [ "$run" -eq 1 ]; then check_layer "$o/distill.tar.zst" "$o/distill.json"; fi
      # shellcheck disable=SC2016 # expanded by the inner bash
      measure P1 pipeline-zstd3 "$size" bash -c 'tar --sort=name -cf - -C "$1" . | tee >(sha256sum >"$2.diffid") | zstd -q -3 -T0 | tee "$2" | sha256sum >"$2.digest"' \
        pipeline "$t/tree" "$o/pipeline.tar.zst"
      record P1 pipeline-zstd3 "$size" blob_mb "$(mb "$o/pipeline.tar.zst")"
      # crane append takes a tarball: time the tar too, and the sum.
      measure P1 tar "$size" tar --sort=name -cf "$o/tree.tar" -C "$t/tree" .
      tar_s="$wall_s"
      measure P1 crane-append "$size" crane append --new_layer "$o/tree.tar" --oci-empty-base -t bench/p1:latest -o "$o/crane.tar"
      record P1 tar+crane-append "$size" wall_s "$(awk -v a="$tar_s" -v b="$wall_s" 'BEGIN { printf "%.4f", a + b }')"
      record P1 crane-append "$size" blob_mb "$(tar -tvf "$o/crane.tar" | awk '/\.tar\.gz$/ { printf "%.2f", $3 / 1e6 }')"
      if [ "$run" -eq 1 ] && [ "$size" = "${sizes[0]}" ]; then
        crane validate --tarball "$o/crane.tar" >"$work/cmd.log" 2>&1 || die "crane append wrote an invalid image: $(cat "$work/cmd.log")"
      fi
      rm -rf "$o/umoci" && umoci init --layout "$o/umoci" && umoci new --image "$o/umoci:bench"
      measure P1 umoci-insert "$size" umoci insert --image "$o/umoci:bench" "$t/tree" /opt/tree
      record P1 umoci-insert "$size" blob_mb "$(find "$o/umoci/blobs" -type f -size +100k -printf '%s\n' | awk '{ s += $1 } END { printf "%.2f", s / 1e6 }')"
      rm -f "$o"/*.tar "$o"/*.tar.* "$o"/*.json
    done
    rm -rf "$t/tree" "$o/umoci"
    largest="$size"
  done
fi

# P3: the image action (descriptors only) and the layout action (hard links) with a 10 MB
# layer and with the largest P1 layer, runs interleaved.
if want p3; then
  say "P3: image and layout actions, $p3_small MB vs ${largest:-?} MB layer ($p3_runs runs)"
  [ -n "$largest" ] || die "P3 needs a P1 size (--sizes)"
  small="$work/p1-$p3_small"
  if [ ! -f "$small/layer.tar.gz" ]; then
    mkdir -p "$small"
    "$work/bin/gentree" --size-mb "$p3_small" ${seed:+--seed "$seed"} --out "$small/tree" --entries "$small/entries.json" >/dev/null
    "$distill" layer --entries "$small/entries.json" --output "$small/layer.tar.gz" --descriptor "$small/layer.json"
    rm -rf "$small/tree"
  fi
  for size in "$p3_small" "$largest"; do
    d="$work/p1-$size"
    printf '{"base":null,"layers":["%s"],"entrypoint":["/opt/tree/seed/bin/java"],"cmd":null,"env":[],"user":"65532","workdir":"","exposedPorts":[],"labels":{},"annotations":{},"os":"linux","architecture":"amd64","variant":""}\n' \
      "$d/layer.json" >"$d/spec.json"
  done
  for ((run = 1; run <= p3_runs; run++)); do
    for size in "$p3_small" "$largest"; do
      d="$work/p1-$size"
      rm -f "$d/config.json" "$d/manifest.json" "$d/image.json" "$d/digest"
      measure P3 distill-image "$size" "$distill" image --spec "$d/spec.json" --config-out "$d/config.json" \
        --manifest-out "$d/manifest.json" --descriptor-out "$d/image.json" --digest-out "$d/digest"
      rm -rf "$d/layout"
      measure P3 distill-layout "$size" "$distill" layout --image "$d/image.json" --config "$d/config.json" \
        --manifest "$d/manifest.json" --blob "$d/layer.tar.gz" --ref-name latest --output "$d/layout"
    done
  done
  # The layout holds the blob itself (a hard link), not a copy.
  d="$work/p1-$largest"
  [ "$(stat -c %i "$d/layout/blobs/sha256/$(sed 's/.*"digest":"sha256:\([0-9a-f]*\)".*/\1/' "$d/layer.json")")" = "$(stat -c %i "$d/layer.tar.gz")" ] ||
    die "P3: the layout copied the layer blob instead of hard-linking it"
  skopeo inspect "oci:$d/layout:latest" >/dev/null 2>"$work/cmd.log" || die "P3: skopeo cannot read the layout: $(cat "$work/cmd.log")"
fi

# P2 and P5 build in a copy of the checkout with their own output base.
ws="$work/ws"
ob="$work/output_base"
bazel_started=""
wsbazel() { (cd "$ws" && bazel --output_base="$ob" "$@"); }
shutdown_bazel() { [ -z "$bazel_started" ] || wsbazel shutdown >/dev/null 2>&1 || true; }
defer shutdown_bazel

# processes LOG: prints "TOTAL INTERNAL REMOTE_HITS" from Bazel's "INFO: N processes: ..." line
# (0 0 0 when nothing ran).
processes() {
  local line
  line="$(grep -E '^INFO: [0-9]+ process(es)?' "$1" | tail -n 1 || true)"
  awk -v l="$line" 'BEGIN {
    n = split(l, w, /[ :,.]+/); total = w[2] + 0; internal = 0; remote = 0
    for (i = 3; i < n; i++) {
      if (w[i + 1] == "internal") internal = w[i] + 0
      if (w[i + 1] == "remote" && w[i + 2] == "cache") remote = w[i] + 0
    }
    print total, internal, remote
  }'
}

if want p2 || want p5; then
  say "copying the checkout to $ws"
  mkdir -p "$ws"
  tar -C "$repo" --exclude='./bazel-*' --exclude=./.git --exclude=./bench/results -cf - . | tar -C "$ws" -xf -
  if [ -n "$smoke" ]; then
    # A one-layer image from scratch: the same actions as the Flask example's app, in seconds.
    target=//benchws:image
    app="$ws/benchws/app.py"
    mkdir -p "$ws/benchws"
    printf 'print("hello")\n' >"$app"
    cat >"$ws/benchws/BUILD.bazel" <<'EOF'
load("//rules:defs.bzl", "distroless_image", "image_layer")

image_layer(
    name = "app",
    files = {"app.py": "/app/app.py"},
)

distroless_image(
    name = "image",
    layers = [":app"],
    entrypoint = ["/app/app.py"],
)
EOF
  else
    target=//examples/flask:image
    app="$ws/examples/flask/app.py"
  fi
  fact p2_p5_target "$target"
  bazel_started=1
fi

# P5 first, while the output base is fresh: build with the remote cache (everything runs and is
# uploaded), bazel clean --expunge (smoke: bazel clean), build again: everything must come from
# the cache.
if want p5; then
  say "P5: remote cache (nginx WebDAV on 127.0.0.1), $target"
  n="$work/nginx"
  mkdir -p "$n/cache" "$n/tmp"
  chmod 0755 "$work" # nginx's workers (www-data) reach $n through it
  port="$(free_port)"
  user_line=""
  if [ "$(id -u)" -eq 0 ]; then
    user_line="user www-data;"
    chown www-data "$n/cache" "$n/tmp"
  fi
  cat >"$n/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $n/nginx.pid;
error_log $n/error.log;
events {}
http {
  log_format bench '\$request_method \$uri \$status \$content_length \$body_bytes_sent';
  access_log $n/access.log bench;
  client_body_temp_path $n/tmp;
  proxy_temp_path $n/tmp;
  fastcgi_temp_path $n/tmp;
  uwsgi_temp_path $n/tmp;
  scgi_temp_path $n/tmp;
  server {
    listen 127.0.0.1:$port;
    root $n/cache;
    client_max_body_size 0;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
EOF
  nginx -p "$n" -c "$n/nginx.conf" -g 'daemon off;' >"$n/stdout.log" 2>&1 &
  nginx_pid=$!
  stop_nginx() { kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; }
  defer stop_nginx
  sleep 0.5
  curl -fsS -X PUT --data-binary ok "http://127.0.0.1:$port/probe" >/dev/null || die "P5: nginx did not start: $(cat "$n/error.log" "$n/stdout.log")"
  : >"$n/access.log"
  cache=(--remote_cache="http://127.0.0.1:$port" --disk_cache= --color=no --curses=no)
  t0=$(date +%s%N)
  wsbazel build "${cache[@]}" "$target" "$target.digest" >"$work/p5-cold.log" 2>&1 || { tail -n 30 "$work/p5-cold.log"; die "P5: cold build of $target failed"; }
  t1=$(date +%s%N)
  record P5 cold-build 0 wall_s "$(awk -v us=$(((t1 - t0) / 1000)) 'BEGIN { printf "%.3f", us / 1e6 }')"
  read -r total internal remote < <(processes "$work/p5-cold.log")
  record P5 cold-build 0 actions "$((total - internal - remote))"
  # Uploads: PUT bodies; the same CAS key PUT twice is a duplicate upload.
  awk '$1 == "PUT" && $3 ~ /^2/ { b += $4; n++; if ($2 ~ /^\/cas\//) { if (seen[$2]++) { db += $4; dn++ } cas += $4 } else ac += $4 }
    END { printf "%d %d %d %d %d\n", b, n, cas, db, dn }' "$n/access.log" >"$work/p5-uploads"
  read -r up_bytes up_puts up_cas dup_bytes dup_puts <"$work/p5-uploads"
  layout="$ws/bazel-bin/${target#//}"
  layout="${layout/://}"
  [ -f "$layout/index.json" ] || die "P5: no layout at $layout"
  image_bytes=$(find "$layout/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  record P5 uploaded 0 mb "$(awk -v b="$up_bytes" 'BEGIN { printf "%.2f", b / 1e6 }')"
  record P5 uploaded 0 puts "$up_puts"
  record P5 uploaded-cas 0 mb "$(awk -v b="$up_cas" 'BEGIN { printf "%.2f", b / 1e6 }')"
  record P5 uploaded-twice 0 mb "$(awk -v b="$dup_bytes" 'BEGIN { printf "%.2f", b / 1e6 }')"
  record P5 uploaded-twice 0 puts "$dup_puts"
  record P5 image 0 mb "$(awk -v b="$image_bytes" 'BEGIN { printf "%.2f", b / 1e6 }')"
  record P5 uploaded-per-image-byte 0 ratio "$(awk -v u="$up_bytes" -v i="$image_bytes" 'BEGIN { printf "%.3f", u / i }')"
  # An edit of the app, rebuilt against the same cache: what does one more image upload?
  printf '# bench edit for P5\n' >>"$app"
  : >"$n/access.log"
  wsbazel build "${cache[@]}" "$target" "$target.digest" >"$work/p5-edit.log" 2>&1 || { tail -n 30 "$work/p5-edit.log"; die "P5: build of $target after an edit failed"; }
  read -r total internal remote < <(processes "$work/p5-edit.log")
  record P5 edit-rebuild 0 actions "$((total - internal - remote))"
  awk '$1 == "PUT" && $3 ~ /^2/ { b += $4; n++ } END { printf "%.3f %d\n", b / 1e6, n }' "$n/access.log" >"$work/p5-uploads"
  read -r edit_mb edit_puts <"$work/p5-uploads"
  record P5 edit-rebuild 0 uploaded_mb "$edit_mb"
  record P5 edit-rebuild 0 puts "$edit_puts"
  fact p5_processes_edit "$(grep -E '^INFO: [0-9]+ process' "$work/p5-edit.log")"
  digest_cold="$(cat "$layout.digest")"
  wsbazel "${clean[@]}" >/dev/null 2>&1
  : >"$n/access.log"
  t0=$(date +%s%N)
  wsbazel build "${cache[@]}" --execution_log_json_file="$work/p5-exec.json" "$target" "$target.digest" >"$work/p5-cached.log" 2>&1 ||
    { tail -n 30 "$work/p5-cached.log"; die "P5: cached build of $target failed"; }
  t1=$(date +%s%N)
  record P5 cached-build 0 wall_s "$(awk -v us=$(((t1 - t0) / 1000)) 'BEGIN { printf "%.3f", us / 1e6 }')"
  read -r total internal remote < <(processes "$work/p5-cached.log")
  local_actions=$((total - internal - remote))
  record P5 cached-build 0 local_actions "$local_actions"
  awk '$1 == "GET" && $3 == 200 { b += $5; n++ } END { printf "%.3f %d\n", b / 1e6, n }' "$n/access.log" >"$work/p5-downloads"
  read -r down_mb down_gets <"$work/p5-downloads"
  record P5 cached-build 0 downloaded_mb "$down_mb"
  record P5 cached-build 0 gets "$down_gets"
  record P5 cached-build 0 remote_hits "$remote"
  [ "$(cat "$layout.digest")" = "$digest_cold" ] || die "P5: the cached build gave $(cat "$layout.digest"), the cold build $digest_cold"
  [ "$remote" -gt 0 ] || die "P5: the rebuild after clean --expunge had no remote cache hit: $(grep -E '^INFO: [0-9]+ process' "$work/p5-cached.log")"
  # Which ran locally, by mnemonic (the execution log lists every spawn).
  jq -r 'select(.remoteCacheHit != true) | .mnemonic' "$work/p5-exec.json" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }' >"$work/p5-local"
  fact p5_local_by_mnemonic "$(cat "$work/p5-local")"
  # DistillLayout runs locally by design (no-remote: hard links, milliseconds); every other
  # action must come from the cache.
  cacheable=$(jq -r 'select(.remoteCacheHit != true and .mnemonic != "DistillLayout") | .mnemonic' "$work/p5-exec.json" | wc -l)
  record P5 cached-build 0 local_cacheable_actions "$cacheable"
  [ "$cacheable" -eq 0 ] || die "P5: after clean --expunge, $cacheable remote-cacheable actions ran locally: $(cat "$work/p5-local")"
  fact p5_processes_cached "$(grep -E '^INFO: [0-9]+ process' "$work/p5-cached.log")"
  fact p5_processes_cold "$(grep -E '^INFO: [0-9]+ process' "$work/p5-cold.log")"
  stop_nginx
fi

# P2: edit the app, rebuild with the warm server; count the actions that ran.
if want p2; then
  say "P2: incremental rebuild of $target after an edit of ${app#"$ws/"} ($p2_runs runs)"
  common=(--color=no --curses=no --disk_cache= --remote_cache=)
  wsbazel build "${common[@]}" "$target" >"$work/p2-warmup.log" 2>&1 || { tail -n 30 "$work/p2-warmup.log"; die "P2: build of $target failed"; }
  before="$(sha256sum "$app")"
  for ((run = 1; run <= p2_runs; run++)); do
    printf '# bench edit %d\n' "$run" >>"$app"
    t0=$(date +%s%N)
    wsbazel build "${common[@]}" "$target" >"$work/p2.log" 2>&1 || { tail -n 30 "$work/p2.log"; die "P2: rebuild of $target failed"; }
    t1=$(date +%s%N)
    record P2 "${target#//}" 0 wall_s "$(awk -v us=$(((t1 - t0) / 1000)) 'BEGIN { printf "%.3f", us / 1e6 }')"
    read -r total internal remote < <(processes "$work/p2.log")
    record P2 "${target#//}" 0 actions "$((total - internal - remote))"
    # Bazel's own view: its elapsed time (without the client's start) and the critical path.
    sed -nE 's/^INFO: Elapsed time: ([0-9.]+)s, Critical Path: ([0-9.]+)s.*/\1 \2/p' "$work/p2.log" >"$work/p2-times"
    read -r elapsed critical <"$work/p2-times" || die "P2: no 'Elapsed time' line in Bazel's output"
    record P2 "${target#//}" 0 bazel_elapsed_s "$elapsed"
    record P2 "${target#//}" 0 critical_path_s "$critical"
    [ "$((total - internal - remote))" -gt 0 ] || die "P2: the edit of ${app#"$ws/"} ran no action: $(grep -E '^INFO: ' "$work/p2.log" | tail -n 3)"
  done
  [ "$before" != "$(sha256sum "$app")" ] || die "P2: app not edited"
  # The layout action hard-links the layer blobs Bazel built: count the layers it copied.
  layout="$ws/bazel-bin/${target#//}"
  layout="${layout/://}"
  manifest="$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$layout/index.json")"
  copies=0 layers=0
  for digest in $(jq -r '.layers[].digest | sub("sha256:"; "")' "$layout/blobs/sha256/$manifest"); do
    layers=$((layers + 1))
    [ "$(stat -c %h "$layout/blobs/sha256/$digest")" -ge 2 ] || copies=$((copies + 1))
  done
  [ "$layers" -gt 0 ] || die "P2: the layout of $target has no layers"
  [ "$copies" -eq 0 ] || die "P2: the layout action copied $copies of the $layers layer blobs of $target instead of hard-linking them (sandboxed?)"
  record P3 bazel-layout-of-"${target#//}" 0 copied_layers "$copies"
  record P3 bazel-layout-of-"${target#//}" 0 layers "$layers"
  fact p2_processes "$(grep -E '^INFO: [0-9]+ process' "$work/p2.log")"
  # The image action reads descriptors only: no layer blob among its inputs.
  wsbazel aquery --color=no --curses=no "mnemonic('DistillImage', $target)" --output=text >"$work/aquery.txt" 2>/dev/null ||
    die "P2: bazel aquery failed"
  grep -q 'Mnemonic: DistillImage' "$work/aquery.txt" || die "P2: aquery found no DistillImage action for $target"
  if grep -E '^ *Inputs: ' "$work/aquery.txt" | grep -qE '/layer\.tar(\.gz|\.zst)?[],]'; then
    die "P2: the DistillImage action of $target reads a layer blob: $(grep -E '^ *Inputs: ' "$work/aquery.txt")"
  fi
fi

fact load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$(dirname "$out")"
say "results"
"$work/bin/report" --in "$tsv" --meta "$meta" --out "$out"
echo "wrote $out"
if want p1; then
  png="${chart:-$work/p1.png}"
  "$work/bin/chart" --in "$out" --out "$png"
  [ -s "$png" ] || die "no chart at $png"
  echo "wrote $png"
fi
