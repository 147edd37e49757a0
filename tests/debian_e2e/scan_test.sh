#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# What scanners see in the images of tests/debian: every package of the lock and nothing else.
#
#   - //tests/debian:packages_amd64.tar and :python3_amd64.tar build and pass crane validate;
#   - packages_amd64 has one layer per locked amd64 package; /var/lib/dpkg/status.d/<pkg> is the
#     control file of the package's .deb byte for byte, <pkg>.md5sums its md5sums (and absent when
#     the .deb has none); /usr/share/doc keeps <pkg>/copyright (or the .deb's doc symlink) and
#     nothing else; no man pages, no /bin/sh, no dpkg;
#   - syft lists exactly the locked amd64 packages at their locked versions, with purls
#     pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12.N[&upstream=SOURCE] (distro: ID of
#     base-files' /etc/os-release, version: its /etc/debian_version); SPDX names the same purls;
#   - the python3_amd64 image (the closure of python3.11-minimal) holds exactly that closure and
#     runs under podman: python prints 3.11.x, and has no shell to run.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/podman.sh
source "$DE_REPO/tests/lib/podman.sh"

NAME=scan_test
LOCK="$DE_REPO/tests/debian/packages.lock.json"
ARCH=amd64

command -v syft >/dev/null || fail "syft on PATH" "no syft in $RULES_DISTILL_BIN: run tests/setup.sh"
command -v crane >/dev/null || fail "crane on PATH" "no crane in $RULES_DISTILL_BIN: run tests/setup.sh"
command -v dpkg-deb >/dev/null || fail "dpkg-deb on PATH" "dpkg-deb is missing"

tmp=""
e2e_tmpdir tmp scan
cd "$DE_REPO"

e2e_step "building the images"
e2e_run "bazel build packages_amd64.tar python3_amd64.tar" "$tmp/build.log" \
  bazel build //tests/debian:packages_amd64.tar //tests/debian:python3_amd64.tar
bin="$(bazel info bazel-bin 2>/dev/null)"
debs="$(bazel info output_base 2>/dev/null)/external/debian12_test/debs"
# Kept aside: another build in this checkout must not change them under the test.
cp "$bin/tests/debian/packages_amd64.tar" "$bin/tests/debian/python3_amd64.tar" "$tmp/"
chmod u+w "$tmp"/*.tar
pkgs_tar="$tmp/packages_amd64.tar"
py_tar="$tmp/python3_amd64.tar"

assert_succeeds "crane validate --tarball packages_amd64.tar" crane validate --tarball "$pkgs_tar"
assert_succeeds "crane validate --tarball python3_amd64.tar" crane validate --tarball "$py_tar"

# The lock's view: "name version architecture filename" of every amd64 package, sorted by name.
jq -r --arg arch "$ARCH" \
  '.packages[] | select(.for_architecture == $arch) | [.name, .version, .architecture, .filename] | join(" ")' \
  "$LOCK" | LC_ALL=C sort >"$tmp/lock.txt"
count="$(wc -l <"$tmp/lock.txt")"
assert_ne "the lock has $ARCH packages" 0 "$count"
echo "    $count $ARCH packages in the lock"

layers="$(tar -xOf "$pkgs_tar" manifest.json | jq '.[0].Layers | length')"
assert_eq "packages_amd64 has one layer per locked package" "$count" "$layers"

e2e_step "unpacking packages_amd64"
crane export - "$tmp/fs.tar" <"$pkgs_tar"
# The listing, without a trailing slash on directories, decides what exists (a path test on the
# unpacked tree would follow the image's absolute symlinks into this host).
tar -tf "$tmp/fs.tar" | sed 's:/$::' | LC_ALL=C sort -u >"$tmp/fs.list"
mkdir "$tmp/fs"
tar -xf "$tmp/fs.tar" -C "$tmp/fs"
has() { grep -qxF -- "$1" "$tmp/fs.list"; }
in_image() { if has "$2"; then _assert_ok "$1"; else _assert_fail "$1" "/$2 is not in the image"; fi; }
not_in_image() { if has "$2"; then _assert_fail "$1" "/$2 is in the image"; else _assert_ok "$1"; fi; }

e2e_step "package metadata against the .debs"
while read -r name version arch filename; do
  deb="$debs/${filename##*/}"
  assert_file "$name: the fetched .deb" "$deb"
  assert_eq "$name: the .deb is the locked package" "$name $version $arch" \
    "$(dpkg-deb -f "$deb" Package Version Architecture | awk -F': ' '{ printf "%s%s", sep, $2; sep = " " }')"

  mkdir -p "$tmp/ctrl/$name"
  dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$tmp/ctrl/$name"
  status="var/lib/dpkg/status.d/$name"
  in_image "$name: /$status" "$status"
  assert_succeeds "$name: /$status = the .deb's control file" cmp "$tmp/ctrl/$name/control" "$tmp/fs/$status"
  if [ -f "$tmp/ctrl/$name/md5sums" ]; then
    assert_succeeds "$name: /$status.md5sums = the .deb's md5sums" cmp "$tmp/ctrl/$name/md5sums" "$tmp/fs/$status.md5sums"
  else
    not_in_image "$name: no /$status.md5sums (the .deb has none)" "$status.md5sums"
  fi

  # The copyright: the .deb's own file, or its doc directory's symlink (Policy 12.5).
  doc="usr/share/doc/$name"
  dpkg-deb --fsys-tarfile "$deb" | tar -tvf - >"$tmp/ctrl/$name/data.list"
  if grep -qE "^l.* \./$doc -> " "$tmp/ctrl/$name/data.list"; then
    want="$(grep -E "^l.* \./$doc -> " "$tmp/ctrl/$name/data.list" | sed 's/.* -> //')"
    assert_eq "$name: /$doc is the .deb's symlink" "$want" "$(readlink "$tmp/fs/$doc")"
  else
    in_image "$name: /$doc/copyright" "$doc/copyright"
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$doc/copyright" >"$tmp/ctrl/$name/copyright"
    assert_succeeds "$name: /$doc/copyright = the .deb's" cmp "$tmp/ctrl/$name/copyright" "$tmp/fs/$doc/copyright"
  fi
done <"$tmp/lock.txt"

cut -d' ' -f1 "$tmp/lock.txt" >"$tmp/names.txt"
while read -r name; do
  echo "$name"
  if [ -f "$tmp/ctrl/$name/md5sums" ]; then echo "$name.md5sums"; fi
done <"$tmp/names.txt" | LC_ALL=C sort >"$tmp/status.want"
assert_eq "status.d holds the locked packages and their md5sums, nothing else" \
  "$(cat "$tmp/status.want")" "$(sed -n 's:^var/lib/dpkg/status\.d/::p' "$tmp/fs.list" | LC_ALL=C sort)"

e2e_step "what the image must not hold"
# Under usr/share/doc: the directory itself, one entry per locked package, its copyright.
extra_docs="$(grep -E '^usr/share/doc/' "$tmp/fs.list" |
  grep -vE '^usr/share/doc/[^/]+(/copyright)?$' || true)"
assert_eq "nothing under /usr/share/doc but <pkg>/copyright" "" "$extra_docs"
unknown_docs="$(sed -n 's:^usr/share/doc/\([^/]*\)$:\1:p' "$tmp/fs.list" | grep -vxF -f "$tmp/names.txt" || true)"
assert_eq "every /usr/share/doc/<pkg> is a locked package" "" "$unknown_docs"
for dir in usr/share/man usr/share/info usr/share/lintian usr/share/doc-base; do
  assert_eq "nothing under /$dir" "" "$(grep -E "^$dir(/|$)" "$tmp/fs.list" || true)"
done
for path in bin/sh usr/bin/sh bin/bash bin/dash usr/bin/dpkg usr/bin/apt var/lib/dpkg/status var/lib/dpkg/info; do
  not_in_image "no /$path" "$path"
done
in_image "/etc/os-release (base-files)" etc/os-release
assert_contains "/usr/lib/os-release is Debian 12" "$(cat "$tmp/fs/usr/lib/os-release")" 'VERSION_ID="12"'

e2e_step "syft"
start=$SECONDS
syft scan "docker-archive:$pkgs_tar" -q -o "json=$tmp/syft.json" -o "spdx-json=$tmp/syft.spdx.json" \
  >"$tmp/syft.log" 2>&1 || {
  cat "$tmp/syft.log" >&2
  fail "syft scan docker-archive:packages_amd64.tar" "syft failed"
}
echo "    syft scanned packages_amd64 in $((SECONDS - start))s"
# syft takes the distro from /etc/os-release (ID=debian) and its version from /etc/debian_version
# when there is one (base-files ships both): the purls say distro=debian-12.N, not debian-12.
debian_version="$(cat "$tmp/fs/etc/debian_version")"
assert_match "/etc/debian_version is a Debian 12 point release" "$debian_version" '^12\.[0-9]+$'
assert_eq "syft: the distro is debian $debian_version" "debian $debian_version" \
  "$(jq -r '"\(.distro.id) \(.distro.versionID)"' "$tmp/syft.json")"
distro="debian-$debian_version"
jq -r '.artifacts[] | select(.type == "deb") | [.name, .version, .metadata.architecture] | join(" ")' \
  "$tmp/syft.json" | LC_ALL=C sort >"$tmp/syft.txt"
assert_eq "syft: exactly the locked packages, at the locked versions" \
  "$(cut -d' ' -f1-3 "$tmp/lock.txt")" "$(cat "$tmp/syft.txt")"
other="$(jq -r '.artifacts[] | select(.type != "deb") | "\(.type) \(.name) \(.version)"' "$tmp/syft.json")"
assert_eq "syft: no package of another kind" "" "$other"
# The purl as syft writes it: the version percent-encoded ("+" and an epoch's ":"; "~" stays),
# qualifiers in name order, upstream=SOURCE when the source package has another name.
while read -r name version arch _; do
  source="$(jq -r --arg n "$name" --arg a "$ARCH" \
    '.packages[] | select(.name == $n and .for_architecture == $a) | .source' "$LOCK")"
  want="$(jq -rn --arg n "$name" --arg v "$version" --arg a "$arch" --arg d "$distro" --arg s "$source" \
    '"pkg:deb/debian/\($n)@\($v | @uri)?arch=\($a)&distro=\($d)" + (if $s != $n then "&upstream=\($s | @uri)" else "" end)')"
  got="$(jq -r --arg n "$name" '.artifacts[] | select(.type == "deb" and .name == $n) | .purl' "$tmp/syft.json")"
  assert_eq "syft: purl of $name" "$want" "$got"
  # A doc directory that is a symlink (libgcc-s1 -> gcc-12-base) leads to its target's copyright.
  copyright="/usr/share/doc/$name/copyright"
  if [ -L "$tmp/fs/usr/share/doc/$name" ]; then
    target="$(readlink "$tmp/fs/usr/share/doc/$name")"
    case "$target" in
      /*) copyright="$(realpath -m "$target/copyright")" ;;
      *) copyright="$(realpath -m "/usr/share/doc/$target/copyright")" ;;
    esac
  fi
  assert_eq "syft: $name's license comes from $copyright" "$copyright" \
    "$(jq -r --arg n "$name" '[.artifacts[] | select(.type == "deb" and .name == $n) | .licenses[].locations[].path] | unique | join(" ")' "$tmp/syft.json")"
done <"$tmp/lock.txt"
assert_eq "syft SPDX: the same package purls" \
  "$(jq -r '.artifacts[] | select(.type == "deb") | .purl' "$tmp/syft.json" | LC_ALL=C sort)" \
  "$(jq -r '.packages[].externalRefs[]? | select(.referenceType == "purl") | .referenceLocator | select(startswith("pkg:deb/"))' \
    "$tmp/syft.spdx.json" | LC_ALL=C sort)"

e2e_step "python3_amd64"
# The closure of python3.11-minimal in the lock, through "depends".
jq -r --arg arch "$ARCH" '
  [.packages[] | select(.for_architecture == $arch)] as $p
  | ($p | map({key: .name, value: .depends}) | from_entries) as $deps
  | def closure: . as $seen | ([$seen[] | $deps[.][]] + $seen | unique) as $next
      | if $next == $seen then $seen else $next | closure end;
  ["python3.11-minimal"] | closure | .[]' "$LOCK" | LC_ALL=C sort >"$tmp/closure.txt"
crane export - "$tmp/py.tar" <"$py_tar"
assert_eq "python3_amd64 holds the closure of python3.11-minimal" "$(cat "$tmp/closure.txt")" \
  "$(tar -tf "$tmp/py.tar" | sed -n 's:^var/lib/dpkg/status\.d/\([^/]*\)$:\1:p' | grep -v '\.md5sums$' | LC_ALL=C sort)"
assert_eq "python3_amd64 has one layer per package of the closure" "$(wc -l <"$tmp/closure.txt")" \
  "$(tar -xOf "$py_tar" manifest.json | jq '.[0].Layers | length')"

podman_setup
e2e_run "podman load -i python3_amd64.tar" "$tmp/podman-load.log" podman load -i "$py_tar"
image="$(sed -n 's/^Loaded image: //p' "$tmp/podman-load.log" | head -n 1)"
assert_ne "podman names the loaded image" "" "$image"
version="$(podman run --rm "$image" -c 'import sys; print(sys.version)' 2>"$tmp/podman-run.log")" || {
  cat "$tmp/podman-run.log" >&2
  fail "podman run python3_amd64" "failed"
}
echo "    python: $version"
assert_match "python3_amd64 runs Python 3.11.x" "$version" '^3\.11\.[0-9]+ '
locked="$(jq -r --arg a "$ARCH" '.packages[] | select(.name == "python3.11-minimal" and .for_architecture == $a) | .version' "$LOCK")"
upstream="${locked#*:}"
upstream="${upstream%-*}"
assert_eq "python3_amd64: sys.version is the locked $locked" "$upstream" "${version%% *}"
out="$(podman run --rm "$image" -c 'import subprocess; subprocess.check_call("true", shell=True)' 2>&1)" &&
  fail "python3_amd64: subprocess(shell=True) must fail" "it ran: $out"
assert_contains "python3_amd64: no shell for subprocess(shell=True)" "$out" "FileNotFoundError: [Errno 2] No such file or directory: '/bin/sh'"
out="$(podman run --rm --entrypoint /bin/sh "$image" -c true 2>&1)" &&
  fail "python3_amd64: --entrypoint /bin/sh must fail" "it ran: $out"
assert_contains "python3_amd64: no /bin/sh to run" "$out" "/bin/sh"

e2e_done "$NAME"
