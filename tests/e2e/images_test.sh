#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Conformance of the distroless runtime images (//images/debian12, //images/debian13: static,
# base_nossl, base, cc, python3, java, nodejs, each with _nonroot, _debug, _debug_nonroot) with
# the distroless reference (what GoogleContainerTools/distroless ships and tests):
#   - every image's filesystem, read from its docker-archive with `crane export` (no container
#     runtime): /etc/passwd and /etc/group verbatim, nsswitch.conf, os-release, the homes and
#     /tmp with their modes and owners, the CA bundle, tzdata, /etc/services, /etc/mime.types;
#     /var/lib/dpkg/status.d/<pkg> (+ .md5sums) for exactly the packages of the image (the
#     closure of its packages in the release's lock) and for every file it holds; no shell, apt
#     or dpkg outside the debug variants, busybox in /busybox in them; trixie's merged /usr;
#   - every image's config: Env, User, WorkingDir, Entrypoint, no Cmd, created, os, architecture;
#   - a few runs under podman, per release: python3 cannot spawn a shell, verifies TLS with the
#     bundle only (a local server with a certificate outside it is refused; trusted once its CA is
#     SSL_CERT_FILE) and loads > 100 CAs; nonroot runs as 65532 in /home/nonroot; java -version;
#     static_debug's busybox shell.
# Fast: one `bazel build` of the 56 tarballs; each distinct filesystem (a _nonroot variant has
# its image's layers) is flattened and read once, by the Python below, into a listing and a
# facts file; the checks then read those. A failed check is counted and the test goes on (one
# defect must not hide the others); the test fails at the end. Leaves nothing behind.
set -eEuo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/podman.sh
source "$E2E_REPO/tests/lib/podman.sh"

NAME=images
RELEASES=(debian12 debian13)
IMAGES=(static base_nossl base cc python3 java nodejs)
VARIANTS=("" _nonroot _debug _debug_nonroot)

# --- what the images must be (DISTROLESS_SPEC.md) ---

declare -A VERSION_ID=([debian12]=12 [debian13]=13)
declare -A CODENAME=([debian12]=bookworm [debian13]=trixie)
declare -A PYTHON=([debian12]=python3.11 [debian13]=python3.13)
declare -A JAVA=([debian12]=17 [debian13]=21)

PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
PASSWD='root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
'
GROUP='root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
'
# nsswitch.conf's databases, one "db: sources" per line, comments and blank lines aside.
NSSWITCH='passwd: compat
group: compat
shadow: compat
gshadow: files
hosts: files dns
networks: files
protocols: db files
services: db files
ethers: db files
rpc: db files
netgroup: nis'

# The image each one extends, and the Debian packages it adds with their dependency closure
# (images/<release>/BUILD.bazel; static takes its packages alone). python3 and java also take the
# C.UTF-8 locale from libc-bin, the debug variants busybox-static.
STATIC_PACKAGES="base-files netbase tzdata media-types"
declare -A BASE=([base_nossl]=static [base]=base_nossl [cc]=base [python3]=cc [java]=base_nossl [nodejs]=cc)
declare -A ADDS=(
  [debian12:base_nossl]="libc6"
  [debian12:base]="libssl3"
  [debian12:cc]="libgcc-s1 libgomp1 libstdc++6"
  [debian12:python3]="python3.11-minimal libpython3.11-stdlib python3-minimal libc-bin"
  [debian12:java]="openjdk-17-jre-headless libc-bin"
  [debian12:nodejs]="nodejs"
  [debian13:base_nossl]="libc6"
  [debian13:base]="libssl3t64"
  [debian13:cc]="libgcc-s1 libgomp1 libstdc++6"
  [debian13:python3]="python3.13-minimal libpython3.13-stdlib python3-minimal libc-bin"
  [debian13:java]="openjdk-21-jre-headless libfontconfig1 libfreetype6 libharfbuzz0b libc-bin"
  [debian13:nodejs]="nodejs"
)
# What the spec's table says each image holds (on top of its base's), whatever the resolver does.
declare -A SPEC_PACKAGES=(
  [debian12:static]="$STATIC_PACKAGES"
  [debian12:base_nossl]="libc6"
  [debian12:base]="libssl3"
  [debian12:cc]="libgcc-s1 libstdc++6 libgomp1 gcc-12-base"
  [debian12:python3]="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libexpat1 libffi8 libbz2-1.0 liblzma5 libsqlite3-0 libuuid1 zlib1g"
  [debian12:java]="openjdk-17-jre-headless libfreetype6 libfontconfig1 fontconfig-config fonts-dejavu-core libharfbuzz0b libjpeg62-turbo liblcms2-2 libpng16-16 zlib1g"
  [debian12:nodejs]="nodejs"
  [debian13:static]="$STATIC_PACKAGES"
  [debian13:base_nossl]="libc6"
  [debian13:base]="libssl3t64 libzstd1 zlib1g"
  [debian13:cc]="libgcc-s1 libstdc++6 libgomp1 gcc-14-base"
  [debian13:python3]="python3.13-minimal libpython3.13-minimal libpython3.13-stdlib libexpat1 libffi8 libbz2-1.0 liblzma5 libsqlite3-0 libuuid1 zlib1g"
  [debian13:java]="openjdk-21-jre-headless libfreetype6 libfontconfig1 fontconfig-config fonts-dejavu-core libharfbuzz0b libjpeg62-turbo liblcms2-2 libpng16-16t64 zlib1g"
  [debian13:nodejs]="nodejs"
)
# What a shell-less runtime must not carry.
FORBIDDEN_PACKAGES="dpkg apt perl-base debconf bash dash coreutils util-linux ca-certificates-java java-common libnss3 libpcsclite1 libasound2 libasound2t64 libcups2 libcups2t64"
# Shells and package managers, absent from every non-debug image (through symlinks too).
NO_SHELL_PATHS=(bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash usr/bin/dpkg bin/dpkg usr/bin/apt usr/bin/apt-get)

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp images

# --- the reader of images (crane export's filesystems, docker-archive configs) ---

cat >"$tmp/images.py" <<'PY'
import hashlib, io, json, os, posixpath, ssl, sys, tarfile, tempfile

def configs(out, tars):
    """Writes OUT/<release>-<image>.config (key<TAB>value) for each docker-archive and prints
    "<release>-<image> <key of its layers>" (images with the same layers have the same key)."""
    for path in tars:
        name = "%s-%s" % (os.path.basename(os.path.dirname(path)), os.path.basename(path)[:-4])
        with tarfile.open(path) as t:
            manifest = json.load(t.extractfile("manifest.json"))
            if len(manifest) != 1:
                sys.exit("%s: %d images in manifest.json" % (path, len(manifest)))
            config = json.load(t.extractfile(manifest[0]["Config"]))
        c = config.get("config") or {}
        facts = {
            "created": config.get("created", ""),
            "os": config.get("os", ""),
            "architecture": config.get("architecture", ""),
            "variant": config.get("variant", ""),
            "user": c.get("User", ""),
            "workdir": c.get("WorkingDir", ""),
            "entrypoint": json.dumps(c.get("Entrypoint"), separators=(",", ":")),
            "cmd": json.dumps(c.get("Cmd"), separators=(",", ":")),
            "env_names": " ".join(sorted(e.split("=", 1)[0] for e in c.get("Env") or [])),
        }
        for e in c.get("Env") or []:
            k, _, v = e.partition("=")
            facts["env:" + k] = v
        with open(os.path.join(out, name + ".config"), "w") as f:
            f.write("".join("cfg:%s\t%s\n" % kv for kv in facts.items()))
        key = hashlib.sha256("\n".join(config["rootfs"]["diff_ids"]).encode()).hexdigest()[:16]
        print(name, key)

def closure(lock, arch, roots):
    """Prints the names of ROOTS and of all they depend on, as the lock resolved them."""
    deps = {p["name"]: p["depends"] for p in json.load(open(lock))["packages"]
            if p["for_architecture"] == arch}
    seen, todo = set(), list(roots)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        if n not in deps:
            sys.exit("closure: %s is not in %s for %s" % (n, lock, arch))
        seen.add(n)
        todo.extend(deps[n])
    print(" ".join(sorted(seen)))

KEEP = {"etc/passwd", "etc/group", "etc/nsswitch.conf", "usr/lib/os-release",
        "etc/ssl/certs/ca-certificates.crt"}
# Paths reported as they are (kind mode uid:gid [target]) and as what they resolve to.
STAT = ["etc/passwd", "etc/group", "etc/nsswitch.conf", "usr/lib/os-release", "etc/os-release",
        "root", "home", "home/nonroot", "tmp", "etc/ssl/certs/ca-certificates.crt",
        "var/lib/dpkg/status", "var/lib/dpkg/info", "bin", "sbin", "lib", "lib64",
        "busybox/sh", "busybox/busybox", "usr/bin/python3", "nodejs/bin/node", "usr/bin/java",
        "etc/ssl/certs/java/cacerts", "etc/ld.so.cache", "usr/lib/locale/C.utf8"]
RESOLVE = STAT + [
    "bin/sh", "bin/bash", "bin/dash", "usr/bin/sh", "usr/bin/bash", "usr/bin/dash", "usr/bin/dpkg",
    "bin/dpkg", "usr/bin/apt", "usr/bin/apt-get", "usr/bin/npm", "busybox/ls", "busybox/wget",
    "usr/bin/python3.11", "usr/bin/python3.13", "usr/share/zoneinfo/UTC",
    "usr/share/zoneinfo/Etc/UTC", "etc/services", "etc/mime.types"]
KIND = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l",
        tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}
# Regular files no package's md5sums has to list: what the image makes itself (conffiles and
# generated files in /etc, os-release in place of base-files', the package metadata), and the
# copyright that the CA bundle layer carries for the certificates it took from ca-certificates
# (whose metadata is not there: the package is not installed, only its certificates are).
OWN_PREFIXES = ("etc/", "var/lib/dpkg/status.d/")
OWN_FILES = {"usr/lib/os-release", "usr/share/doc/ca-certificates/copyright"}

def index(src, out):
    """Reads a flattened filesystem (a tar, "-" for stdin) once; writes OUT/listing (one entry a
    line: kind mode uid:gid path [-> target]), OUT/facts (key<TAB>value) and OUT/files/<path>."""
    entries, md5, kept, statusd, md5sums = {}, {}, {}, {}, {}
    stream = sys.stdin.buffer if src == "-" else open(src, "rb")
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for m in tar:
            name = (m.name[2:] if m.name.startswith("./") else m.name).strip("/")
            entries[name] = m
            if not m.isreg():
                continue
            data = tar.extractfile(m).read()
            md5[name] = hashlib.md5(data).hexdigest()
            if name in KEEP:
                kept[name] = data
            if name.startswith("var/lib/dpkg/status.d/"):
                base = name[len("var/lib/dpkg/status.d/"):]
                if base.endswith(".md5sums"):
                    md5sums[base[:-len(".md5sums")]] = data.decode()
                else:
                    statusd[base] = data.decode()
    dirs = set()
    for n in entries:
        p = posixpath.dirname(n)
        while p and p not in dirs:
            dirs.add(p)
            p = posixpath.dirname(p)

    def resolve(path, depth=0):
        """PATH with every symlink on the way followed, as the kernel would; None if absent."""
        cur = ""
        for c in path.strip("/").split("/"):
            if c in ("", "."):
                continue
            if c == "..":
                cur = posixpath.dirname(cur)
                continue
            nxt = posixpath.join(cur, c) if cur else c
            m = entries.get(nxt)
            if m is not None and m.issym():
                if depth > 40:
                    return None
                target = m.linkname if m.linkname.startswith("/") else posixpath.join("/", cur, m.linkname)
                cur = resolve(target, depth + 1)
                if cur is None:
                    return None
            elif m is None and nxt not in dirs:
                return None
            else:
                cur = nxt
        return cur

    def stat(name):
        m = entries.get(name)
        if m is None:
            return "d implicit" if name in dirs else "missing"
        s = "%s %04o %d:%d" % (KIND.get(m.type, "?"), m.mode, m.uid, m.gid)
        return s + " " + m.linkname if m.issym() or m.islnk() else s

    os.makedirs(os.path.join(out, "files"), exist_ok=True)
    with open(os.path.join(out, "listing"), "w") as f:
        for n in sorted(entries):
            m = entries[n]
            f.write("%s %04o %d:%d %s%s\n" % (KIND.get(m.type, "?"), m.mode, m.uid, m.gid, n,
                                             " -> " + m.linkname if m.issym() or m.islnk() else ""))
    for n, data in kept.items():
        os.makedirs(os.path.join(out, "files", posixpath.dirname(n)), exist_ok=True)
        with open(os.path.join(out, "files", n), "wb") as f:
            f.write(data)

    facts = {}
    for n in STAT:
        facts["stat:" + n] = stat(n)
    for n in RESOLVE:
        r = resolve(n)
        facts["res:" + n] = "missing" if r is None else "%s %s" % (r, stat(r))

    # Anything called apt* or dpkg* in a directory of PATH.
    found = set()
    for d in ["usr/local/sbin", "usr/local/bin", "usr/sbin", "usr/bin", "sbin", "bin"]:
        rd = resolve(d)
        for n in entries:
            if rd and posixpath.dirname(n) == rd and posixpath.basename(n).startswith(("apt", "dpkg")):
                found.add(n)
    facts["apt_dpkg"] = " ".join(sorted(found))

    bundle = kept.get("etc/ssl/certs/ca-certificates.crt", b"")
    facts["certs"] = str(bundle.count(b"-----BEGIN CERTIFICATE-----"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if bundle:
        with tempfile.NamedTemporaryFile(suffix=".crt") as f:
            f.write(bundle)
            f.flush()
            ctx.load_verify_locations(cafile=f.name)
    facts["certs_loaded"] = str(ctx.cert_store_stats()["x509_ca"])
    java = kept.get("etc/ssl/certs/java/cacerts", b"")

    # Package metadata: status.d/<pkg> is the control file, status.d/<pkg>.md5sums its md5sums.
    facts["statusd"] = " ".join(sorted(statusd))
    problems = []
    for pkg, control in sorted(statusd.items()):
        fields = dict(l.split(":", 1) for l in control.splitlines()
                      if l and not l[0].isspace() and ":" in l)
        if fields.get("Package", "").strip() != pkg:
            problems.append("%s: Package: %r" % (pkg, fields.get("Package", "").strip()))
        for k in ("Version", "Architecture", "Maintainer", "Description"):
            if k not in fields:
                problems.append("%s: no %s field" % (pkg, k))
        if pkg not in md5sums:
            problems.append("%s: no %s.md5sums" % (pkg, pkg))
    for pkg in sorted(set(md5sums) - set(statusd)):
        problems.append("%s.md5sums without %s" % (pkg, pkg))
    facts["statusd_problems"] = "; ".join(problems)

    # Every regular file belongs to a package of status.d (its md5sums lists it, with that md5),
    # but those the image makes itself.
    claimed, mismatched = set(), []
    for pkg, text in md5sums.items():
        for line in text.splitlines():
            if not line.strip():
                continue
            want, path = line.split(None, 1)
            r = resolve(path.strip())
            if r is None or r not in md5:
                continue  # left out of the image (documentation, man pages...)
            claimed.add(r)
            if r not in OWN_FILES and md5[r] != want:
                mismatched.append("%s (%s)" % (r, pkg))
    unclaimed = sorted(n for n in md5 if n not in claimed and n not in OWN_FILES
                       and not n.startswith(OWN_PREFIXES))
    facts["unclaimed"] = "%d %s" % (len(unclaimed), " ".join(unclaimed[:10]))
    facts["md5_mismatch"] = "%d %s" % (len(mismatched), " ".join(sorted(mismatched)[:10]))
    # Each package's licence stays (usr/share/doc/<pkg>/copyright), no other documentation.
    nocopyright = [p for p in sorted(statusd)
                   if (resolve("usr/share/doc/%s/copyright" % p) or "") not in md5]
    facts["no_copyright"] = " ".join(nocopyright)
    docs = sorted(n for n in md5 if n.startswith("usr/share/doc/") and posixpath.basename(n) != "copyright")
    facts["other_docs"] = "%d %s" % (len(docs), " ".join(docs[:10]))

    # merged-usr: nothing may live below a top-level bin, sbin or lib* (they must be symlinks).
    below = sorted(n for n in entries if "/" in n and n.split("/", 1)[0] in
                   ("bin", "sbin", "lib", "lib32", "lib64", "libx32"))
    facts["below_toplevel"] = "%d %s" % (len(below), " ".join(below[:10]))
    facts["toplevel"] = " ".join(sorted(n for n in entries if "/" not in n))

    with open(os.path.join(out, "facts"), "w") as f:
        for k, v in facts.items():
            f.write("%s\t%s\n" % (k, v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")))

def onelayer(fs, config_path, tag, out):
    """A docker-archive of one image: the filesystem FS as its only layer and the config of the
    docker-archive CONFIG_PATH (rootfs and history rewritten to match), tagged TAG."""
    with tarfile.open(config_path) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        config = json.load(t.extractfile(manifest[0]["Config"]))
    h = hashlib.sha256()
    with open(fs, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    config["rootfs"] = {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}
    config["history"] = [{"created": config.get("created"), "created_by": "images_test: crane export"}]
    blob = json.dumps(config).encode()
    name = hashlib.sha256(blob).hexdigest() + ".json"
    with tarfile.open(out, "w") as t:
        for n, data in ((name, blob), ("manifest.json", json.dumps(
                [{"Config": name, "RepoTags": [tag], "Layers": ["layer.tar"]}]).encode())):
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        t.add(fs, "layer.tar")

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "configs":
        configs(args[0], args[1:])
    elif cmd == "closure":
        closure(args[0], args[1], args[2:])
    elif cmd == "index":
        index(args[0], args[1])
    elif cmd == "onelayer":
        onelayer(*args)
    else:
        sys.exit("images.py: unknown command " + cmd)
PY

# --- build, read every config, flatten every distinct filesystem once ---

targets=()
ids=()
for rel in "${RELEASES[@]}"; do
  for img in "${IMAGES[@]}"; do
    for v in "${VARIANTS[@]}"; do
      targets+=("//images/$rel:$img$v.tar")
      ids+=("$rel-$img$v")
    done
  done
done
e2e_step "bazel build of the ${#targets[@]} image tarballs"
e2e_run "bazel build of every image's tarball" "$tmp/build.log" bazel build "${targets[@]}"
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"
tar_of() { # ID: the tarball of release-image
  echo "$bin/images/${1%%-*}/${1#*-}.tar"
}

mkdir -p "$tmp/config" "$tmp/fs"
tars=()
for id in "${ids[@]}"; do tars+=("$(tar_of "$id")"); done
python3 "$tmp/images.py" configs "$tmp/config" "${tars[@]}" >"$tmp/keys"
declare -A KEY=() FIRST=()
while read -r id key; do
  KEY[$id]=$key
  [ -n "${FIRST[$key]:-}" ] || FIRST[$key]=$id
done <"$tmp/keys"

# The images the run checks use keep their flattened filesystem.
RUN_IMAGES=(python3 python3_nonroot java static_debug)
keep() {
  local rel img
  for rel in "${RELEASES[@]}"; do
    for img in "${RUN_IMAGES[@]}"; do
      [ "$1" != "${KEY[$rel-$img]}" ] || return 0
    done
  done
  return 1
}
jobs_file="$tmp/flatten.jobs"
: >"$jobs_file"
for key in "${!FIRST[@]}"; do
  mkdir -p "$tmp/fs/$key"
  if keep "$key"; then out="$tmp/fs/$key/fs.tar"; else out=/dev/null; fi
  printf '%s\n' "$(tar_of "${FIRST[$key]}")" "$tmp/fs/$key" "$out" >>"$jobs_file"
done
e2e_step "flatten and read the ${#FIRST[@]} distinct filesystems of the ${#ids[@]} images"
# shellcheck disable=SC2016 # expanded by the inner bash
e2e_run "crane export | images.py index, for each distinct filesystem" "$tmp/flatten.log" \
  xargs -a "$jobs_file" -d '\n' -n 3 -P "$(nproc)" bash -c \
  'set -eo pipefail; crane export - - <"$1" | tee "$3" | python3 "$0" index - "$2"' "$tmp/images.py"

# --- the checks ---

# check ASSERT_FN ARGS...: runs an assert_* of tests/lib/assert.sh; a failure is printed and
# counted, and the test goes on (e2e_done fails it at the end).
check() {
  if ("$@"); then
    ASSERT_PASSED=$((ASSERT_PASSED + 1))
  else
    ASSERT_FAILED=$((ASSERT_FAILED + 1))
  fi
}

# has WORDS WORD: WORDS (space-separated) holds WORD.
has() { [[ " $1 " == *" $2 "* ]]; }
# missing_from WORDS WANTED: the words of WANTED that WORDS lacks.
missing_from() {
  local w words=()
  for w in $2; do has "$1" "$w" || words+=("$w"); done
  echo "${words[*]}"
}
# found_in WORDS UNWANTED: the words of UNWANTED that WORDS has.
found_in() {
  local w words=()
  for w in $2; do has "$1" "$w" && words+=("$w"); done
  echo "${words[*]}"
}
# read_file VAR PATH: the whole file, trailing newlines included; "" when absent.
read_file() {
  local s=""
  [ -f "$2" ] && s="$(cat "$2" && echo .)"
  printf -v "$1" '%s' "${s%.}"
}

declare -A PACKAGES=()
# packages REL IMAGE: sets PACKAGES[REL:IMAGE] to the Debian packages IMAGE (no variant) must
# hold: its chain's, with their closures in the release's lock (sorted as status.d is listed).
packages() {
  local rel="$1" img="$2" roots="" i="$2" closure=""
  [ -z "${PACKAGES[$rel:$img]:-}" ] || return 0
  while [ "$i" != static ]; do
    roots+=" ${ADDS[$rel:$i]}"
    i="${BASE[$i]}"
  done
  if [ -n "${roots// /}" ]; then
    # shellcheck disable=SC2086 # a word list
    closure="$(python3 "$tmp/images.py" closure "images/$rel/packages.lock.json" amd64 $roots)"
  fi
  # shellcheck disable=SC2086 # word lists
  PACKAGES[$rel:$img]="$(printf '%s\n' $STATIC_PACKAGES $closure | LC_ALL=C sort -u | paste -sd' ')"
}
# spec_packages REL IMAGE: the packages the spec's table names for IMAGE and its bases.
spec_packages() {
  local rel="$1" i="$2" out=""
  while :; do
    out+=" ${SPEC_PACKAGES[$rel:$i]}"
    [ "$i" != static ] || break
    i="${BASE[$i]}"
  done
  echo "$out"
}

declare -A F=()
# check_image REL IMAGE VARIANT: every check of one image.
check_image() {
  local rel="$1" img="$2" v="$3" id="$1-$2$3" dir k val text want got p res
  local debug="" nonroot="" what="$rel/$img$v"
  [[ "$v" != *_debug* ]] || debug=1
  [[ "$v" != *_nonroot ]] || nonroot=1
  dir="$tmp/fs/${KEY[$id]}"
  F=()
  while IFS=$'\t' read -r k val; do F[$k]="$val"; done <"$dir/facts"
  while IFS=$'\t' read -r k val; do F[$k]="$val"; done <"$tmp/config/$id.config"

  # Common files.
  read_file text "$dir/files/etc/passwd"
  check assert_eq "$what: /etc/passwd is the spec's" "$PASSWD" "$text"
  check assert_eq "$what: /etc/passwd mode, owner" "f 0644 0:0" "${F[stat:etc/passwd]}"
  read_file text "$dir/files/etc/group"
  check assert_eq "$what: /etc/group is the spec's" "$GROUP" "$text"
  check assert_eq "$what: /etc/group mode, owner" "f 0644 0:0" "${F[stat:etc/group]}"
  got="$(awk '!/^[[:space:]]*#/ && NF { $1 = $1; print }' "$dir/files/etc/nsswitch.conf" 2>/dev/null || true)"
  check assert_eq "$what: /etc/nsswitch.conf databases" "$NSSWITCH" "$got"
  check assert_eq "$what: /etc/nsswitch.conf mode, owner" "f 0644 0:0" "${F[stat:etc/nsswitch.conf]}"
  read_file text "$dir/files/usr/lib/os-release"
  text=$'\n'"$text"
  check assert_eq "$what: /usr/lib/os-release mode, owner" "f 0555 0:0" "${F[stat:usr/lib/os-release]}"
  check assert_contains "$what: os-release PRETTY_NAME" "$text" $'\nPRETTY_NAME="Distroless"\n'
  check assert_contains "$what: os-release NAME" "$text" $'\nNAME="Debian GNU/Linux"\n'
  check assert_contains "$what: os-release ID" "$text" $'\nID="debian"\n'
  check assert_contains "$what: os-release VERSION_ID" "$text" $'\nVERSION_ID="'"${VERSION_ID[$rel]}"$'"\n'
  check assert_contains "$what: os-release VERSION" "$text" \
    $'\nVERSION="Debian GNU/Linux '"${VERSION_ID[$rel]} (${CODENAME[$rel]})"$'"\n'
  check assert_eq "$what: os-release HOME_URL, SUPPORT_URL, BUG_REPORT_URL (the spec: the project's)" "" \
    "$(for k in HOME_URL SUPPORT_URL BUG_REPORT_URL; do
      [[ "$text" =~ $'\n'$k=\"https://[^\"]+\" ]] || echo "no $k"
    done)"
  check assert_match "$what: /etc/os-release is a symlink" "${F[stat:etc/os-release]}" '^l '
  check assert_eq "$what: /etc/os-release leads to /usr/lib/os-release" "usr/lib/os-release f 0555 0:0" "${F[res:etc/os-release]}"
  check assert_eq "$what: /root" "d 0700 0:0" "${F[stat:root]}"
  check assert_eq "$what: /home" "d 0755 0:0" "${F[stat:home]}"
  check assert_eq "$what: /home/nonroot" "d 0700 65532:65532" "${F[stat:home/nonroot]}"
  check assert_eq "$what: /tmp" "d 1777 0:0" "${F[stat:tmp]}"

  # CA bundle, tzdata, netbase, media-types.
  check assert_eq "$what: the CA bundle, mode 0555" "f 0555 0:0" "${F[stat:etc/ssl/certs/ca-certificates.crt]}"
  check assert_succeeds "$what: the bundle holds > 100 certificates (${F[certs]})" test "${F[certs]}" -gt 100
  check assert_eq "$what: OpenSSL loads every certificate of the bundle" "${F[certs]}" "${F[certs_loaded]}"
  check assert_eq "$what: SSL_CERT_FILE" "$SSL_CERT_FILE" "${F[cfg:env:SSL_CERT_FILE]:-}"
  check assert_match "$what: tzdata's UTC" "${F[res:usr/share/zoneinfo/UTC]}" '^usr/share/zoneinfo/(Etc/)?UTC f 0644 '
  check assert_match "$what: /etc/services" "${F[res:etc/services]}" '^etc/services f 0644 0:0$'
  check assert_match "$what: /etc/mime.types" "${F[res:etc/mime.types]}" '^etc/mime.types f 0644 0:0$'

  # Package metadata.
  packages "$rel" "$img"
  want="${PACKAGES[$rel:$img]}"
  # shellcheck disable=SC2086 # a word list
  [ -z "$debug" ] || want="$(printf '%s\n' $want busybox-static | LC_ALL=C sort | paste -sd' ')"
  check assert_eq "$what: status.d has exactly the image's packages" "$want" "${F[statusd]}"
  check assert_eq "$what: status.d has the spec's packages" "" "$(missing_from "${F[statusd]}" "$(spec_packages "$rel" "$img")")"
  check assert_eq "$what: no shell-less runtime's unwanted package" "" "$(found_in "${F[statusd]}" "$FORBIDDEN_PACKAGES")"
  if [[ "$img" == static ]]; then
    check assert_eq "$what: no libc6 in static" "" "$(found_in "${F[statusd]}" libc6)"
  else
    check assert_succeeds "$what: status.d/libc6" has "${F[statusd]}" libc6
  fi
  check assert_eq "$what: status.d entries are control files, each with its md5sums" "" "${F[statusd_problems]}"
  check assert_eq "$what: no /var/lib/dpkg/status" missing "${F[stat:var/lib/dpkg/status]}"
  check assert_eq "$what: no /var/lib/dpkg/info" missing "${F[stat:var/lib/dpkg/info]}"
  check assert_eq "$what: every file is listed by a package's md5sums (or the image's own)" "0 " "${F[unclaimed]}"
  check assert_eq "$what: every file has its md5sums' md5" "0 " "${F[md5_mismatch]}"
  check assert_eq "$what: every package's copyright" "" "${F[no_copyright]}"
  check assert_eq "$what: no documentation but copyrights" "0 " "${F[other_docs]}"

  # Shells, package managers, busybox.
  if [ -z "$debug" ]; then
    for p in "${NO_SHELL_PATHS[@]}"; do
      check assert_eq "$what: no /$p" missing "${F[res:$p]}"
    done
    check assert_eq "$what: no apt* or dpkg* on PATH" "" "${F[apt_dpkg]}"
    check assert_eq "$what: no /busybox" missing "${F[stat:busybox/sh]}"
    check assert_eq "$what: PATH" "$PATH_ENV" "${F[cfg:env:PATH]:-}"
  else
    check assert_match "$what: /busybox/sh is a symlink" "${F[stat:busybox/sh]}" '^l 0777 0:0 /'
    check assert_match "$what: /busybox/sh leads to the busybox binary" "${F[res:busybox/sh]}" '(^|/)busybox f 0755 0:0$'
    check assert_eq "$what: /busybox/busybox too" "${F[res:busybox/sh]}" "${F[res:busybox/busybox]}"
    check assert_eq "$what: /busybox/ls too" "${F[res:busybox/sh]}" "${F[res:busybox/ls]}"
    check assert_eq "$what: PATH ends in :/busybox" "$PATH_ENV:/busybox" "${F[cfg:env:PATH]:-}"
    check assert_eq "$what: no /bin/sh (busybox only in /busybox)" missing "${F[res:bin/sh]}"
    check assert_eq "$what: no apt* or dpkg* on PATH" "" "${F[apt_dpkg]}"
  fi

  # merged /usr (trixie).
  if [ "$rel" = debian13 ]; then
    for p in bin sbin lib lib64; do
      check assert_eq "$what: /$p is a symlink into usr" "l 0777 0:0 usr/$p" "${F[stat:$p]}"
    done
    check assert_eq "$what: nothing below the top-level bin, sbin, lib*" "0 " "${F[below_toplevel]}"
  fi

  # Config.
  check assert_eq "$what: created" "1970-01-01T00:00:00Z" "${F[cfg:created]}"
  check assert_eq "$what: os" linux "${F[cfg:os]}"
  check assert_eq "$what: architecture" amd64 "${F[cfg:architecture]}"
  check assert_eq "$what: no variant (amd64)" "" "${F[cfg:variant]}"
  check assert_eq "$what: no Cmd" null "${F[cfg:cmd]}"
  if [ -n "$nonroot" ]; then
    check assert_eq "$what: User" 65532 "${F[cfg:user]}"
    check assert_eq "$what: WorkingDir" /home/nonroot "${F[cfg:workdir]}"
  else
    check assert_match "$what: User is root (\"0\" or unset)" "${F[cfg:user]}" '^0?$'
    check assert_match "$what: WorkingDir is / (or unset)" "${F[cfg:workdir]}" '^/?$'
  fi
  case "$img" in
    python3)
      want="[\"/usr/bin/${PYTHON[$rel]}\"]"
      check assert_eq "$what: /usr/bin/python3 links to ${PYTHON[$rel]}" "l 0777 0:0 ${PYTHON[$rel]}" "${F[stat:usr/bin/python3]}"
      check assert_eq "$what: LANG" C.UTF-8 "${F[cfg:env:LANG]:-}"
      check assert_eq "$what: the C.utf8 locale" "d 0755 0:0" "${F[stat:usr/lib/locale/C.utf8]}"
      check assert_eq "$what: Env" "LANG PATH SSL_CERT_FILE" "${F[cfg:env_names]}"
      check assert_match "$what: /etc/ld.so.cache (the spec's python3 has one: ctypes.util.find_library)" \
        "${F[stat:etc/ld.so.cache]}" '^f '
      ;;
    java)
      want='["/usr/bin/java","-jar"]'
      check assert_eq "$what: /usr/bin/java leads to the JRE" \
        "usr/lib/jvm/java-${JAVA[$rel]}-openjdk-amd64/bin/java f 0755 0:0" "${F[res:usr/bin/java]}"
      check assert_match "$what: Java's cacerts" "${F[stat:etc/ssl/certs/java/cacerts]}" '^f [0-7]+ 0:0$'
      check assert_eq "$what: LANG" C.UTF-8 "${F[cfg:env:LANG]:-}"
      check assert_eq "$what: JAVA_VERSION" "${JAVA[$rel]}" "${F[cfg:env:JAVA_VERSION]:-}"
      check assert_eq "$what: the C.utf8 locale" "d 0755 0:0" "${F[stat:usr/lib/locale/C.utf8]}"
      check assert_eq "$what: Env" "JAVA_VERSION LANG PATH SSL_CERT_FILE" "${F[cfg:env_names]}"
      ;;
    nodejs)
      want='["/nodejs/bin/node"]'
      check assert_match "$what: /nodejs/bin/node leads to node" "${F[res:nodejs/bin/node]}" '^usr/bin/node f 0755 0:0$'
      check assert_eq "$what: no npm" missing "${F[res:usr/bin/npm]}"
      check assert_eq "$what: Env" "PATH SSL_CERT_FILE" "${F[cfg:env_names]}"
      ;;
    *)
      want=null
      [ -z "$debug" ] || want='["/busybox/sh"]'
      check assert_eq "$what: Env" "PATH SSL_CERT_FILE" "${F[cfg:env_names]}"
      ;;
  esac
  check assert_eq "$what: Entrypoint" "$want" "${F[cfg:entrypoint]}"
  if [ "$want" != null ]; then
    p="$(jq -r '.[0] | ltrimstr("/")' <<<"$want")"
    res="${F[res:$p]:-missing}"
    check assert_match "$what: the entrypoint /$p is an executable file" "$res" '^[^ ]+ f 0755 '
  fi
}

for rel in "${RELEASES[@]}"; do
  for img in "${IMAGES[@]}"; do
    e2e_step "$rel/$img: filesystem and config of $img, ${img}_nonroot, ${img}_debug, ${img}_debug_nonroot"
    for v in "${VARIANTS[@]}"; do
      check_image "$rel" "$img" "$v"
    done
  done
done

# --- runs under podman ---

e2e_step "podman: python3, java, static_debug of each release"
podman_setup
# podman's vfs storage copies every layer's whole tree (tens of layers: gigabytes, minutes); the
# runs use a one-layer copy of each image: its filesystem as crane export made it, its config.
load() { # REL IMAGE: loads the image as localhost/images-test/REL:IMAGE
  local fs="$tmp/fs/${KEY[$1-$2]}/fs.tar" tag="localhost/images-test/$1:$2"
  python3 "$tmp/images.py" onelayer "$fs" "$(tar_of "$1-$2")" "$tag" "$tmp/run.tar"
  e2e_run "$1/$2: podman load (one layer)" "$tmp/load.log" podman load -i "$tmp/run.tar"
  rm -f "$tmp/run.tar"
}

# A TLS server on 127.0.0.1 whose certificate (from a CA of this test) no bundle holds. The
# extensions satisfy Python 3.13's strict verification.
tls=""
e2e_tmpdir tls tls
cat >"$tls/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
{
  openssl req -x509 -config "$tls/openssl.cnf" -extensions ca_ext -newkey rsa:2048 -nodes -days 2 \
    -subj "/CN=rules_distill images_test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" &&
    openssl req -new -config "$tls/openssl.cnf" -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$tls/server.key" -out "$tls/server.csr" &&
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
      -days 2 -extfile "$tls/openssl.cnf" -extensions leaf_ext -out "$tls/server.pem"
} >"$tls/openssl.log" 2>&1 || fail "a test CA and server certificate" "$(cat "$tls/openssl.log")"
chmod 0644 "$tls/ca.pem"
cat >"$tls/server.py" <<'PY'
import http.server, ssl, sys
class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over TLS\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hello)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
tls_pid=""
stop_tls() { [ -z "$tls_pid" ] || { kill "$tls_pid" 2>/dev/null || true; wait "$tls_pid" 2>/dev/null || true; }; }
defer stop_tls
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  python3 "$tls/server.py" "$port" "$tls/server.pem" "$tls/server.key" >"$tls/server.log" 2>&1 </dev/null &
  tls_pid=$!
  for _ in $(seq 50); do
    port_in_use "$port" && break
    kill -0 "$tls_pid" 2>/dev/null || break
    sleep 0.1
  done
  port_in_use "$port" && break
  stop_tls
  tls_pid=""
done
[ -n "$tls_pid" ] || fail "the local TLS server" "did not come up: $(cat "$tls/server.log")"
check assert_contains "the local TLS server answers with the test CA" \
  "$(curl -sS --cacert "$tls/ca.pem" "https://127.0.0.1:$port/")" "hello over TLS"

# Run in the python3 images: the interpreter's version, a library through ld.so, what the default
# TLS context does with https://127.0.0.1:PORT/; last, distroless' own check, which must fail
# for want of a shell.
PYTHON_CHECKS='
import ctypes, ssl, subprocess, sys, urllib.request
print("version", sys.version.split()[0])
ctypes.CDLL("libz.so.1")
print("libz.so.1 loaded")
ctx = ssl.create_default_context()
print("x509_ca", ctx.cert_store_stats()["x509_ca"])
try:
    with urllib.request.urlopen("https://127.0.0.1:%s/" % sys.argv[1], context=ctx, timeout=20) as r:
        print("answer", r.read().decode().strip())
except urllib.error.URLError as e:
    print("refused", type(e.reason).__name__, getattr(e.reason, "verify_message", e.reason))
sys.stdout.flush()
subprocess.check_call("true", shell=True)
'

for rel in "${RELEASES[@]}"; do
  py="${PYTHON[$rel]}"
  load "$rel" python3
  load "$rel" python3_nonroot
  load "$rel" java
  load "$rel" static_debug
  image="localhost/images-test/$rel"

  status=0
  out="$(podman run --rm "$image:python3" -c "$PYTHON_CHECKS" "$port" 2>&1)" || status=$?
  check assert_match "$rel/python3: $py runs" "$out" $'(^|\n)version '"${py#python}"'\.'
  check assert_contains "$rel/python3: ld.so finds libz.so.1 (no ld.so.cache needed)" "$out" "libz.so.1 loaded"
  check assert_contains "$rel/python3: a certificate outside the bundle is refused" "$out" \
    "refused SSLCertVerificationError"
  got="$(sed -n 's/^x509_ca \([0-9]*\)$/\1/p' <<<"$out")"
  check assert_succeeds "$rel/python3: the default context reads the bundle: x509_ca ${got:-?} > 100" \
    test "${got:-0}" -gt 100
  check assert_ne "$rel/python3: subprocess.check_call(\"true\", shell=True) fails" 0 "$status"
  check assert_contains "$rel/python3: for want of /bin/sh" "$out" "No such file or directory: '/bin/sh'"
  out="$(podman run --rm -v "$tls/ca.pem:/test-ca.pem:ro" -e SSL_CERT_FILE=/test-ca.pem \
    "$image:python3" -c "$PYTHON_CHECKS" "$port" 2>&1)" || true
  check assert_contains "$rel/python3: trusted once SSL_CERT_FILE is the test CA" "$out" "answer hello over TLS"
  check assert_contains "$rel/python3: which is then the only CA" "$out" "x509_ca 1"$'\n'

  out="$(podman run --rm "$image:python3_nonroot" -c 'import os; print(os.getuid(), os.getgid(), os.getcwd())' 2>&1)" || true
  check assert_eq "$rel/python3_nonroot: runs as 65532 in /home/nonroot" "65532 65532 /home/nonroot" "$out"

  out="$(podman run --rm --entrypoint /usr/bin/java "$image:java" -version 2>&1)" || true
  check assert_contains "$rel/java: java -version" "$out" "openjdk version \"${JAVA[$rel]}."

  out="$(podman run --rm "$image:static_debug" -c 'echo "$PATH"; ls / >/dev/null && echo ok' 2>&1)" || true
  check assert_eq "$rel/static_debug: /busybox/sh runs busybox applets from PATH" "$PATH_ENV:/busybox"$'\n'"ok" "$out"
done

e2e_done "$NAME"
