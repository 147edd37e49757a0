"""`host_java_jar`: an executable jar compiled with the host JDK's javac and jar.

Bazel 4.2.3 here cannot build `java_binary`: its Java toolchain needs `remote_java_tools`, which is
downloaded from GitHub. This rule is the local route for the Java example: it runs the `javac` and
`jar` found on the PATH of the build (install a JDK, e.g. Debian's `openjdk-17-jdk-headless`,
which tests/setup.sh does). It is not hermetic — the jar depends on the host JDK's version — but it
is reproducible on one host: classes are compiled with `--release`, stored in sorted order with a
fixed timestamp (`jar --date`, in JDK 17 updates and later JDKs) and a fixed manifest.
"""

# The zip format cannot say 1970; this is the earliest time `jar --date` takes.
_JAR_DATE = "1980-01-01T00:00:02Z"

_SCRIPT = """\
set -euo pipefail
out="$1" manifest="$2" release="$3"
shift 3
for tool in javac jar; do
  command -v "$tool" >/dev/null || {
    echo "host_java_jar: no $tool on PATH: install a JDK (Debian: openjdk-17-jdk-headless)" >&2
    exit 1
  }
done
classes="$(mktemp -d "${TMPDIR:-/tmp}/host_java_jar.XXXXXX")"
trap 'rm -rf "$classes"' EXIT
javac --release "$release" -encoding UTF-8 -implicit:none -Xlint:all -d "$classes" "$@"
entries=()
while IFS= read -r f; do
  entries+=(-C "$classes" "$f")
done < <(cd "$classes" && find . -type f -printf '%P\\n' | LC_ALL=C sort)
jar --create --file "$out" --manifest "$manifest" --date "$JAR_DATE" "${entries[@]}"
"""

def _host_java_jar_impl(ctx):
    if not ctx.files.srcs:
        fail("host_java_jar %s: srcs is empty" % ctx.label)
    jar = ctx.actions.declare_file(ctx.label.name + ".jar")
    manifest = ctx.actions.declare_file(ctx.label.name + "_/MANIFEST.MF")
    ctx.actions.write(manifest, "".join([
        "Manifest-Version: 1.0\n",
        "Created-By: rules_distill host_java_jar\n",
        "Main-Class: %s\n" % ctx.attr.main_class,
    ]))
    args = ctx.actions.args()
    args.add(jar)
    args.add(manifest)
    args.add(ctx.attr.release)
    args.add_all(ctx.files.srcs)
    ctx.actions.run_shell(
        command = _SCRIPT.replace("$JAR_DATE", _JAR_DATE),
        arguments = [args],
        inputs = ctx.files.srcs + [manifest],
        outputs = [jar],
        # javac and jar come from the PATH of the build: this is the host JDK on purpose.
        use_default_shell_env = True,
        mnemonic = "HostJavaJar",
        progress_message = "Compiling %s with the host JDK" % ctx.label,
    )
    return [DefaultInfo(files = depset([jar]))]

host_java_jar = rule(
    implementation = _host_java_jar_impl,
    doc = """An executable jar (`java -jar`) compiled by the host JDK's `javac` and `jar`.

Uses the host JDK on the PATH, not a Bazel Java toolchain (which needs downloads on Bazel 4.2.3).
For small examples only: no deps, no resources. Output: `<name>.jar`.""",
    attrs = {
        "main_class": attr.string(
            doc = "The class with `main`, written to the manifest's Main-Class.",
            mandatory = True,
        ),
        "release": attr.string(
            doc = "javac --release: the Java version the classes run on (the image's JRE).",
            default = "17",
        ),
        "srcs": attr.label_list(
            doc = "The .java sources.",
            allow_files = [".java"],
        ),
    },
)
