#!/usr/bin/env bash
# The bad-input corpus (testdata/README.md) through the real distill CLI: each case asserts the
# exact one-line error distill prints and that no output was left behind (the output directory of
# the case stays empty); the valid cases assert their outputs and notes. The corpus is generated
# at test time by testdata/gen (deterministically: the first case checks that two runs agree).
# BUILD-level cases (shell-form entrypoints, duplicate image paths, and a lock whose sha256 does
# not match the mirror's .deb) are in tests/bad_input/run.sh, which needs Bazel.
#
#   bash tests/bad_input/corpus.sh    # prints one line per case, then "corpus: N passed, N failed"
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
# shellcheck source=tests/lib/env.sh
source tests/lib/env.sh

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() {
  echo "ok   $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1"
  shift
  for line in "$@"; do echo "    $line"; done
  failed=$((failed + 1))
}
summary() {
  echo "corpus: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}

if ! go build -o "$work/distill" ./tools/cmd/distill || ! go build -o "$work/gen" ./testdata/gen; then
  fail "build distill and testdata/gen"
  summary
  exit 1
fi
corpus=$work/corpus
if ! "$work/gen" -out "$corpus" || ! "$work/gen" -out "$work/again"; then
  fail "generate the corpus"
  summary
  exit 1
fi
if diff -r "$corpus" "$work/again" >/dev/null; then
  pass "corpus: generated twice, byte-identical ($(find "$corpus" -type f | wc -l) files)"
else
  fail "corpus: two runs of testdata/gen differ" "$(diff -rq "$corpus" "$work/again" | head -n 5)"
fi

# The signed test archives, served on a free port of 127.0.0.1.
"$work/gen" -serve "$corpus/archive" -port-file "$work/port" &
server_pid=$!
for _ in $(seq 100); do
  [[ -s $work/port ]] && break
  sleep 0.1
done
port=$(cat "$work/port" 2>/dev/null)
if [[ -z $port ]]; then
  fail "start the archive server"
  summary
  exit 1
fi

# run NAME ARGS...: runs distill ARGS in the corpus directory with @OUT@ replaced by a fresh,
# empty output directory of the case; sets status, errline (the one "distill CMD: ..." line
# that is not a note), errlines (how many such lines), notes and out.
run() {
  local name=$1 a args=()
  shift
  out=$work/out/$name
  mkdir -p "$out"
  for a in "$@"; do args+=("${a//@OUT@/$out}"); done
  (cd "$corpus" && "$work/distill" "${args[@]}") >"$work/stdout" 2>"$work/stderr"
  status=$?
  errline=$(grep -E '^distill [a-z-]+: ' "$work/stderr" | grep -v ': note: ' | head -n 1)
  errlines=$(grep -E '^distill [a-z-]+: ' "$work/stderr" | grep -vc ': note: ')
  notes=$(grep -E ': note: ' "$work/stderr")
}

# fails NAME WANT ARGS...: distill must exit 1 with exactly the one error line WANT (@PORT@ is
# the archive server's port) and leave the case's output directory empty.
fails() {
  local name=$1 want=${2//@PORT@/$port}
  shift 2
  run "$name" "$@"
  local left
  left=$(ls -A "$out")
  if [[ $status -ne 1 ]]; then
    fail "$name: exit status $status, want 1" "$(tail -n 3 "$work/stderr")"
  elif [[ $errlines -ne 1 || $errline != "$want" ]]; then
    fail "$name: wrong error" "want: $want" "got:  $errline" "($errlines error lines)"
  elif [[ -n $left ]]; then
    fail "$name: failed but left output behind: $left"
  else
    pass "$name: $errline"
  fi
}

# succeeds NAME NOTE OUTPUTS ARGS...: distill must exit 0, print the note line NOTE (or no note
# when NOTE is empty) and write every file of OUTPUTS (space-separated names in @OUT@).
succeeds() {
  local name=$1 note=$2 outputs=$3 f missing=
  shift 3
  run "$name" "$@"
  for f in $outputs; do [[ -s $out/$f ]] || missing+=" $f"; done
  if [[ $status -ne 0 ]]; then
    fail "$name: exit status $status, want 0" "$(tail -n 3 "$work/stderr")"
  elif [[ $notes != "$note" ]]; then
    fail "$name: wrong notes" "want: $note" "got:  $notes"
  elif [[ -n $missing ]]; then
    fail "$name: missing outputs:$missing"
  else
    pass "$name${note:+: $note}"
  fi
}

deb_layer() { # DEB: the deb-layer command line of the case
  echo deb-layer --deb "debs/$1.deb" --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
}

# --- Debian packages through distill deb-layer ---
# shellcheck disable=SC2046 # deb_layer's words are the arguments
{
  succeeds deb/hello "" "layer.tar.gz layer.json" $(deb_layer hello)
  succeeds deb/hello-plain-data "" "layer.tar.gz layer.json" $(deb_layer hello-data)
  succeeds deb/hello-xz-data "" "layer.tar.gz layer.json" $(deb_layer hello-data-xz)
  succeeds deb/hello-zstd-data "" "layer.tar.gz layer.json" $(deb_layer hello-data-zst)
  succeeds deb/setuid "distill deb-layer: note: hello: setuid file usr/bin/su (mode 4755)" "layer.tar.gz layer.json" $(deb_layer setuid)
  fails deb/dotdot 'distill deb-layer: hello: entry "./usr/../../etc/passwd": ".." element in name: it would leave the image root' $(deb_layer dotdot)
  fails deb/absolute 'distill deb-layer: hello: entry "/etc/passwd": absolute name: data.tar names are relative to the root' $(deb_layer absolute)
  fails deb/symlink-escape 'distill deb-layer: hello: entry "./usr/bin/shadow": symlink to "../../../etc/shadow" leaves the image root from "usr/bin/shadow"' $(deb_layer symlink-escape)
  fails deb/symlink-escape-absolute 'distill deb-layer: hello: entry "./usr/bin/shadow": symlink to "/../../etc/shadow" leaves the image root from "usr/bin/shadow"' $(deb_layer symlink-escape-absolute)
  fails deb/hardlink-escape 'distill deb-layer: hello: entry "./usr/bin/passwd": hardlink to "../etc/passwd": ".." element in name: it would leave the image root' $(deb_layer hardlink-escape)
  fails deb/hardlink-dangling 'distill deb-layer: hello: entry "./usr/bin/passwd": hardlink to "./etc/passwd", which is not an earlier entry of the package' $(deb_layer hardlink-dangling)
  fails deb/char-device 'distill deb-layer: hello: entry "./dev/mem": character device: an image layer takes no devices' $(deb_layer char-device)
  fails deb/block-device 'distill deb-layer: hello: entry "./dev/sda": block device: an image layer takes no devices' $(deb_layer block-device)
  fails deb/fifo 'distill deb-layer: hello: entry "./usr/bin/pipe": FIFO: an image layer takes no FIFOs' $(deb_layer fifo)
  fails deb/same-path-twice 'distill deb-layer: hello: entry "./usr/bin/x": goes to "usr/bin/x", as entry "./usr/bin/x" does (file of 4 bytes mode 0644 owner 0:0, now file of 4 bytes mode 0644 owner 0:0)' $(deb_layer same-path-twice)
  fails deb/not-a-deb 'distill deb-layer: debs/not-a-deb.deb: not a Debian package: no ar archive magic (starts with "PK\x03\x04 a z")' $(deb_layer not-a-deb)
  fails deb/truncated 'distill deb-layer: debs/truncated.deb: ar member "data.tar.gz" declares 152 bytes, but only 112 are left: truncated' $(deb_layer truncated)
  fails deb/truncated-member 'distill deb-layer: hello: data.tar.gz: truncated at the start: unexpected EOF' $(deb_layer truncated-member)
  fails deb/garbled-header 'distill deb-layer: debs/garbled-header.deb: ar member header at offset 8: garbled: terminator "XX", want "`\n"' $(deb_layer garbled-header)
  fails deb/garbled-data 'distill deb-layer: hello: data.tar.gz: garbled at the start: flate: corrupt input before offset 41' $(deb_layer garbled-data)
  fails deb/wrong-magic-xz 'distill deb-layer: hello: data.tar.xz: not xz data (starts with 1f 8b 08 00 00 00, want fd 37 7a 58 5a 00): wrong compression or garbled' $(deb_layer wrong-magic-xz)
  fails deb/wrong-magic-zstd 'distill deb-layer: debs/wrong-magic-zst.deb: control.tar.zst: not zstd data (starts with fd 37 7a 58, want 28 b5 2f fd): wrong compression or garbled' $(deb_layer wrong-magic-zst)
  fails deb/bzip2 'distill deb-layer: debs/bzip2.deb: member "data.tar.bz2": compression bz2 is not supported (gzip, xz, zstd or none)' $(deb_layer bzip2)
  fails deb/huge-ar-member 'distill deb-layer: debs/huge-ar-member.deb: ar member "data.tar.gz" declares 9999999999 bytes, but only 152 are left: truncated' $(deb_layer huge-ar-member)
  fails deb/huge-control-file 'distill deb-layer: debs/huge-control.deb: control.tar: entry "./control" is 8589934591 bytes, more than the 67108864 accepted' $(deb_layer huge-control)
  fails deb/huge-data-entry 'distill deb-layer: hello: entry "./usr/bin/huge": path "usr/bin/huge": data.tar.gz: truncated after entry "./usr/bin/huge": unexpected EOF' $(deb_layer huge-data-entry)
  fails deb/huge-xz-dictionary 'distill deb-layer: hello: data.tar.xz: xz block at offset 12 declares a 4095 MiB dictionary, more than the 128 MiB accepted: garbled or hostile' $(deb_layer huge-xz-dictionary)
}

# --- the signed archive through distill lock: signatures, hashes, resolution ---
lock_args() { # ROOT MANIFEST
  echo lock --manifest "manifests/$2.yaml" --output @OUT@/packages.lock.json --keyring archive/keyring.gpg --mirror "debian=http://127.0.0.1:$port/$1"
}
# shellcheck disable=SC2046
{
  succeeds lock/good "" packages.lock.json $(lock_args good hello)
  fails lock/tampered-inrelease 'distill lock: InRelease debian/bookworm: bad signature by key 37F65AF7AA184B47 (the file was changed after it was signed) (from http://127.0.0.1:@PORT@/tampered-inrelease)' $(lock_args tampered-inrelease hello)
  fails lock/tampered-packages 'distill lock: Packages debian/bookworm/main/amd64: dists/bookworm/main/binary-amd64/Packages from http://127.0.0.1:@PORT@/tampered-packages: size 1786 and sha256 ff0ba8b92836de7312f360e701e94913e4def1cf8c31249c5d15ac3b4ce35cc6, but the Release says size 1786 and sha256 db821402d789dbd368340e7d1be3a6dd435d26ebaa601ce8c1eac5e8f63300a8' $(lock_args tampered-packages hello)
  fails lock/unsigned 'distill lock: InRelease debian/bookworm: not signed: not an OpenPGP clearsigned message (from http://127.0.0.1:@PORT@/unsigned)' $(lock_args unsigned hello)
  fails lock/unknown-key 'distill lock: InRelease debian/bookworm: signature by unknown key C9EA3111C80285EE (from http://127.0.0.1:@PORT@/unknown-key)' $(lock_args unknown-key hello)
  fails lock/expired 'distill lock: InRelease debian/bookworm: the Release expired on Sat, 17 May 2025 09:00:00 UTC (Valid-Until): the mirror serves stale metadata (a snapshot mirror needs the Valid-Until check turned off) (from http://127.0.0.1:@PORT@/expired)' $(lock_args expired hello)
  fails lock/unsatisfiable-missing 'distill lock: amd64: needs-missing → nothere: no candidate' $(lock_args good missing)
  fails lock/unsatisfiable-version 'distill lock: amd64: needs-newer → hello (>= 2.0): only 1.0-1 in debian/bookworm' $(lock_args good version)
}

# A dependency cycle is legal in Debian (libc6 <-> libgcc-s1): it resolves to both packages,
# each depending on the other, and a package depending on itself to itself alone.
# shellcheck disable=SC2046
{
  succeeds lock/cycle "" packages.lock.json $(lock_args good cycle)
  got=$(jq -c '[.packages[] | [.name, .depends]]' "$out/packages.lock.json" 2>&1)
  want='[["cyc-a",["cyc-b"]],["cyc-b",["cyc-a"]]]'
  if [[ $got == "$want" ]]; then pass "lock/cycle: locks $got"; else fail "lock/cycle: lock holds $got, want $want"; fi
  succeeds lock/self-dependency "" packages.lock.json $(lock_args good self)
  got=$(jq -c '[.packages[] | [.name, .depends]]' "$out/packages.lock.json" 2>&1)
  want='[["loop-self",[]]]'
  if [[ $got == "$want" ]]; then pass "lock/self-dependency: locks $got"; else fail "lock/self-dependency: lock holds $got, want $want"; fi
}

# --- image paths and specs through distill layer and distill image ---
layer_args() { # ENTRIES
  echo layer --entries "layer/$1.json" --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
}
image_args() { # SPEC
  echo image --spec "image/$1.json" --config-out @OUT@/config.json --manifest-out @OUT@/manifest.json --descriptor-out @OUT@/image.json --digest-out @OUT@/digest
}
# distill layer resolves src paths from its working directory: run it in layer/.
# shellcheck disable=SC2046
{
  corpus_root=$corpus
  corpus=$corpus_root/layer
  succeeds layer/same-content-twice "" "layer.tar.gz layer.json" layer --entries duplicate-same.json --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
  fails layer/different-content-same-path 'distill layer: path "app/x" declared twice differently: file from "a.txt" mode 0644 owner 0:0 and file from "b.txt" mode 0644 owner 0:0' layer --entries duplicate.json --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
  fails layer/escape 'distill layer: entry 0 (path "app/../../etc/passwd"): ".." path element escapes the image root' layer --entries escape.json --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
  fails layer/file-under-file 'distill layer: path "app/x" (file): parent "app" is a file, not a dir' layer --entries file-under-file.json --output @OUT@/layer.tar.gz --descriptor @OUT@/layer.json
  corpus=$corpus_root
  succeeds image/exec-entrypoint "" "config.json manifest.json image.json digest" $(image_args exec-entrypoint)
  fails image/shell-entrypoint 'distill image: parsing spec image/shell-entrypoint.json: json: cannot unmarshal string into Go struct field Spec.entrypoint of type []string' $(image_args shell-entrypoint)
}

summary
