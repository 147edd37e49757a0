package policy_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/rules-distill/rules_distill/tools/internal/testimage"
	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
	"github.com/rules-distill/rules_distill/tools/pkg/image"
	"github.com/rules-distill/rules_distill/tools/pkg/layer"
	"github.com/rules-distill/rules_distill/tools/pkg/layout"
	"github.com/rules-distill/rules_distill/tools/pkg/ldcache"
	"github.com/rules-distill/rules_distill/tools/pkg/policy"
)

// entry is one path of a test layer.
type entry struct {
	path    string
	kind    layer.Kind
	mode    int64
	content []byte
	target  string
	uid     int64
}

func file(p string, mode int64, content []byte) entry {
	return entry{path: p, kind: layer.File, mode: mode, content: content}
}

func dir(p string, mode int64) entry { return entry{path: p, kind: layer.Dir, mode: mode} }

func link(p, target string) entry { return entry{path: p, kind: layer.Symlink, target: target} }

// whiteout removes p of the layers below.
func whiteout(p string) entry {
	return file(filepath.Join(filepath.Dir(p), ".wh."+filepath.Base(p)), 0o644, nil)
}

// elfFile returns a minimal ELF64 little-endian file of machine m and type
// typ with a PT_INTERP (when interp is not empty) and a dynamic section
// holding DT_NEEDED names and a DT_RUNPATH (when runpath is not empty): what
// the dynamic loader reads, and nothing it could run.
func elfFile(m elf.Machine, typ elf.Type, interp string, needed []string, runpath string) []byte {
	le := binary.LittleEndian
	var dynstr bytes.Buffer
	dynstr.WriteByte(0)
	str := func(s string) uint64 {
		off := dynstr.Len()
		dynstr.WriteString(s)
		dynstr.WriteByte(0)
		return uint64(off)
	}
	var dynamic bytes.Buffer
	dyn := func(tag elf.DynTag, v uint64) {
		binary.Write(&dynamic, le, int64(tag))
		binary.Write(&dynamic, le, v)
	}
	for _, n := range needed {
		dyn(elf.DT_NEEDED, str(n))
	}
	if runpath != "" {
		dyn(elf.DT_RUNPATH, str(runpath))
	}
	dyn(elf.DT_NULL, 0)
	shstr := []byte("\x00.interp\x00.dynstr\x00.dynamic\x00.shstrtab\x00")
	const ehsize, phsize, shsize = 64, 56, 64
	nph := 1
	if interp != "" {
		nph = 2
	}
	interpData := append([]byte(interp), 0)
	off := uint64(ehsize + nph*phsize)
	interpOff := off
	dynstrOff := interpOff + uint64(len(interpData))
	dynamicOff := dynstrOff + uint64(dynstr.Len())
	shstrOff := dynamicOff + uint64(dynamic.Len())
	shOff := shstrOff + uint64(len(shstr))

	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT), 0, 0, 0, 0, 0, 0, 0, 0, 0})
	binary.Write(&b, le, uint16(typ))
	binary.Write(&b, le, uint16(m))
	binary.Write(&b, le, uint32(elf.EV_CURRENT))
	binary.Write(&b, le, uint64(0)) // entry
	binary.Write(&b, le, uint64(ehsize))
	binary.Write(&b, le, shOff)
	binary.Write(&b, le, uint32(0)) // flags
	for _, v := range []uint16{ehsize, phsize, uint16(nph), shsize, 5, 4} {
		binary.Write(&b, le, v)
	}
	ph := func(typ elf.ProgType, off, size uint64) {
		binary.Write(&b, le, uint32(typ))
		binary.Write(&b, le, uint32(elf.PF_R))
		for _, v := range []uint64{off, off, off, size, size, 8} {
			binary.Write(&b, le, v)
		}
	}
	if interp != "" {
		ph(elf.PT_INTERP, interpOff, uint64(len(interpData)))
	}
	ph(elf.PT_DYNAMIC, dynamicOff, uint64(dynamic.Len()))
	b.Write(interpData)
	b.Write(dynstr.Bytes())
	b.Write(dynamic.Bytes())
	b.Write(shstr)
	sh := func(name uint32, typ elf.SectionType, off, size uint64, link uint32, entsize uint64) {
		binary.Write(&b, le, name)
		binary.Write(&b, le, uint32(typ))
		for _, v := range []uint64{uint64(elf.SHF_ALLOC), off} {
			binary.Write(&b, le, v)
		}
		binary.Write(&b, le, off)
		binary.Write(&b, le, size)
		binary.Write(&b, le, link)
		binary.Write(&b, le, uint32(0))
		binary.Write(&b, le, uint64(1))
		binary.Write(&b, le, entsize)
	}
	sh(0, elf.SHT_NULL, 0, 0, 0, 0)
	sh(1, elf.SHT_PROGBITS, interpOff, uint64(len(interpData)), 0, 0)
	sh(9, elf.SHT_STRTAB, dynstrOff, uint64(dynstr.Len()), 0, 0)
	sh(17, elf.SHT_DYNAMIC, dynamicOff, uint64(dynamic.Len()), 2, 16)
	sh(26, elf.SHT_STRTAB, shstrOff, uint64(len(shstr)), 0, 0)
	return b.Bytes()
}

const interp = "/lib64/ld-linux-x86-64.so.2"

func exe(needed []string, runpath string) []byte {
	return elfFile(elf.EM_X86_64, elf.ET_DYN, interp, needed, runpath)
}

func lib(needed ...string) []byte { return elfFile(elf.EM_X86_64, elf.ET_DYN, "", needed, "") }

var static = elfFile(elf.EM_X86_64, elf.ET_EXEC, "", nil, "")

// libc is a loader and a C library at the Debian paths.
var libc = []entry{
	file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0o755, lib()),
	link("lib64", "usr/lib64"),
	link("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
	file("usr/lib/x86_64-linux-gnu/libc.so.6", 0o755, lib()),
	dir("tmp", 0o1777),
}

// build writes an image of layers with config spec as an OCI layout and
// reads it back.
func build(t *testing.T, spec image.Spec, layers ...[]entry) (v1.Image, *v1.ConfigFile) {
	t.Helper()
	tmp := t.TempDir()
	var blobs []string
	var descs []descriptor.Layer
	for i, es := range layers {
		var entries []layer.Entry
		for j, e := range es {
			mode := e.mode
			le := layer.Entry{Path: e.path, Kind: e.kind, Target: e.target, UID: e.uid, GID: e.uid}
			if e.kind != layer.Symlink {
				le.Mode = &mode
			}
			if e.kind == layer.File {
				le.Src = filepath.Join(tmp, strconv.Itoa(i)+"-"+strconv.Itoa(j))
				if err := os.WriteFile(le.Src, e.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			entries = append(entries, le)
		}
		p := filepath.Join(tmp, "layer"+strconv.Itoa(i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := layer.Write(f, entries, layer.Options{Compression: layer.Gzip, Level: layer.Gzip.DefaultLevel(), ModTime: testimage.Created})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, p)
		descs = append(descs, d)
	}
	spec.OS, spec.Architecture = "linux", "amd64"
	built, err := image.Build(spec, nil, descs, testimage.Created)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "layout")
	err = layout.Write(dir, layout.Input{Image: built.Descriptor, Config: built.Config, Manifest: built.Manifest, Blobs: blobs, RefName: testimage.RefName})
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := layout.ReadImage(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return img, cfg
}

// ids returns "RULE PATH" of each finding.
func ids(fs []policy.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Path)
	}
	return out
}

func TestCheck(t *testing.T) {
	app := image.Spec{Entrypoint: []string{"/app/server"}, User: "65532"}
	nonroot := policy.Options{Nonroot: true}
	cache, err := ldcache.Marshal([]ldcache.Entry{{Key: "libcached.so.1", Value: "/opt/cached/libcached.so.1", Flags: ldcache.FlagELFLibc6 | ldcache.FlagX8664Lib64}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		spec   image.Spec
		layers [][]entry
		opts   policy.Options
		want   []string
		waived []string
	}{
		{
			name:   "clean static server",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, static), dir("tmp", 0o1777), dir("var/tmp", 0o1777)}},
			opts:   nonroot,
		},
		{
			name: "shells, also through links",
			spec: app,
			layers: [][]entry{{
				file("app/server", 0o755, static),
				file("bin/dash", 0o755, static),
				link("bin/sh", "dash"),
				link("usr/bin/bash", "/bin/dash"),
				link("opt/tools/zsh", "/nowhere"), // dangling: no shell
				file("etc/sh", 0o644, nil),        // not executable: no shell
			}},
			want: []string{"shell /bin/dash", "shell /bin/sh", "shell /usr/bin/bash"},
		},
		{
			name: "package managers in the bin directories",
			spec: app,
			layers: [][]entry{{
				file("app/server", 0o755, static),
				file("usr/bin/apt-get", 0o755, static),
				file("usr/bin/dpkg", 0o755, static),
				file("usr/share/doc/apt-get", 0o755, nil), // not a bin directory
			}},
			want: []string{"package-manager /usr/bin/apt-get", "package-manager /usr/bin/dpkg"},
		},
		{
			name:   "busybox and its sh applet",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, static), file("bin/busybox", 0o755, static), link("busybox/sh", "/bin/busybox")}},
			want:   []string{"shell /busybox/sh", "busybox /bin/busybox"},
		},
		{
			name:   "nonroot: empty user",
			spec:   image.Spec{Entrypoint: []string{"/app/server"}},
			layers: [][]entry{{file("app/server", 0o755, static)}},
			opts:   nonroot,
			want:   []string{"user config.User"},
		},
		{
			name:   "nonroot: root",
			spec:   image.Spec{Entrypoint: []string{"/app/server"}, User: "0:0"},
			layers: [][]entry{{file("app/server", 0o755, static)}},
			opts:   nonroot,
			want:   []string{"user config.User"},
		},
		{
			name:   "nonroot: a user name",
			spec:   image.Spec{Entrypoint: []string{"/app/server"}, User: "nonroot"},
			layers: [][]entry{{file("app/server", 0o755, static), file("etc/passwd", 0o644, []byte("nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n"))}},
			opts:   nonroot,
			want:   []string{"user config.User"},
		},
		{
			name:   "root is fine when nonroot is not required",
			spec:   image.Spec{Entrypoint: []string{"/app/server"}},
			layers: [][]entry{{file("app/server", 0o755, static)}},
		},
		{
			name: "setuid and setgid files",
			spec: app,
			layers: [][]entry{{
				file("app/server", 0o755, static),
				file("usr/bin/su", 0o4755, static),
				file("usr/bin/wall", 0o2755, static),
				dir("var/mail", 0o2775), // a setgid directory is not a setuid program
			}},
			want: []string{"setuid /usr/bin/su", "setuid /usr/bin/wall"},
		},
		{
			name: "world-writable paths; sticky /tmp is fine",
			spec: app,
			layers: [][]entry{{
				file("app/server", 0o755, static),
				dir("tmp", 0o1777),
				dir("data", 0o777),
				dir("var/cache/app", 0o1777), // sticky, but not a shared temporary directory
				file("etc/app.conf", 0o666, nil),
			}},
			want: []string{"world-writable /data", "world-writable /etc/app.conf", "world-writable /var/cache/app"},
		},
		{
			name:   "/tmp without the sticky bit",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, static), dir("tmp", 0o777)}},
			want:   []string{"world-writable /tmp"},
		},
		{
			name:   "entrypoint missing",
			spec:   image.Spec{Entrypoint: []string{"/app/nope"}},
			layers: [][]entry{{file("app/server", 0o755, static)}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "entrypoint not executable",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o644, static)}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "entrypoint executable by root only, image runs as 65532",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o700, static)}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "entrypoint is a directory",
			spec:   app,
			layers: [][]entry{{dir("app/server", 0o755)}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "entrypoint in shell form, one string",
			spec:   image.Spec{Entrypoint: []string{"/app/server --port 8080"}},
			layers: [][]entry{{file("app/server", 0o755, static)}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "entrypoint through sh -c",
			spec:   image.Spec{Entrypoint: []string{"/bin/sh", "-c", "/app/server"}},
			layers: [][]entry{{file("app/server", 0o755, static), file("bin/sh", 0o755, static)}},
			want:   []string{"shell /bin/sh", "entrypoint config.Entrypoint"},
		},
		{
			name:   "cmd found in the PATH through a link",
			spec:   image.Spec{Cmd: []string{"server"}, Env: []string{"PATH=/usr/bin"}},
			layers: [][]entry{{file("app/server", 0o755, static), link("usr/bin/server", "../../app/server")}},
		},
		{
			name:   "cmd not in the PATH",
			spec:   image.Spec{Cmd: []string{"server"}, Env: []string{"PATH=/usr/bin"}},
			layers: [][]entry{{file("app/server", 0o755, static)}},
			want:   []string{"entrypoint config.Cmd"},
		},
		{
			name:   "script whose interpreter is missing",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, []byte("#!/bin/sh\nexec /app/real\n"))}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "script whose interpreter is there",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, []byte("#!/usr/bin/python3 -u\n")), file("usr/bin/python3", 0o755, static)}},
		},
		{
			name:   "entrypoint built for another machine",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, elfFile(elf.EM_AARCH64, elf.ET_EXEC, "", nil, ""))}},
			want:   []string{"entrypoint config.Entrypoint"},
		},
		{
			name:   "no entrypoint: a base image",
			spec:   image.Spec{},
			layers: [][]entry{{dir("tmp", 0o1777)}},
		},
		{
			name:   "dynamic executable without its interpreter",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, exe([]string{"libc.so.6"}, ""))}},
			want:   []string{"libraries /app/server"},
		},
		{
			name:   "dynamic executable with its libraries in the default directories",
			spec:   app,
			layers: [][]entry{libc, {file("app/server", 0o755, exe([]string{"libc.so.6"}, ""))}},
		},
		{
			name:   "a library missing",
			spec:   app,
			layers: [][]entry{libc, {file("app/server", 0o755, exe([]string{"libssl.so.3", "libc.so.6"}, ""))}},
			want:   []string{"libraries /app/server"},
		},
		{
			name: "a library a library needs is missing",
			spec: app,
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libstdc++.so.6", "libc.so.6"}, "")),
				file("usr/lib/x86_64-linux-gnu/libstdc++.so.6", 0o644, lib("libgcc_s.so.1", "libc.so.6")),
			}},
			want: []string{"libraries /app/server"},
		},
		{
			name: "RUNPATH $ORIGIN of the real executable, reached through a link",
			spec: image.Spec{Entrypoint: []string{"/usr/bin/java"}, User: "65532"},
			layers: [][]entry{libc, {
				file("usr/lib/jvm/jre/bin/java", 0o755, exe([]string{"libjli.so", "libc.so.6"}, "$ORIGIN/../lib")),
				file("usr/lib/jvm/jre/lib/libjli.so", 0o644, lib("libc.so.6")),
				link("usr/bin/java", "/usr/lib/jvm/jre/bin/java"),
			}},
		},
		{
			name: "RUNPATH pointing nowhere",
			spec: app,
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libjli.so", "libc.so.6"}, "$ORIGIN/lib")),
				file("usr/lib/jvm/jre/lib/libjli.so", 0o644, lib("libc.so.6")),
			}},
			want: []string{"libraries /app/server"},
		},
		{
			name: "a library found through /etc/ld.so.cache",
			spec: app,
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libcached.so.1", "libc.so.6"}, "")),
				file("opt/cached/libcached.so.1", 0o644, lib()),
				file("etc/ld.so.cache", 0o644, cache),
			}},
		},
		{
			name: "the same library without the cache",
			spec: app,
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libcached.so.1", "libc.so.6"}, "")),
				file("opt/cached/libcached.so.1", 0o644, lib()),
			}},
			want: []string{"libraries /app/server"},
		},
		{
			name: "a library of another machine does not count",
			spec: app,
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libarm.so.1", "libc.so.6"}, "")),
				file("usr/lib/x86_64-linux-gnu/libarm.so.1", 0o644, elfFile(elf.EM_AARCH64, elf.ET_DYN, "", nil, "")),
			}},
			want: []string{"libraries /app/server"},
		},
		{
			name: "LD_LIBRARY_PATH of the image",
			spec: image.Spec{Entrypoint: []string{"/app/server"}, User: "65532", Env: []string{"LD_LIBRARY_PATH=/app/lib"}},
			layers: [][]entry{libc, {
				file("app/server", 0o755, exe([]string{"libapp.so", "libc.so.6"}, "")),
				file("app/lib/libapp.so", 0o644, lib()),
			}},
		},
		{
			name: "a whiteout removes the library of a lower layer",
			spec: app,
			layers: [][]entry{
				libc,
				{file("app/server", 0o755, exe([]string{"libapp.so", "libc.so.6"}, "")), file("usr/lib/libapp.so", 0o644, lib())},
				{whiteout("usr/lib/libapp.so")},
			},
			want: []string{"libraries /app/server"},
		},
		{
			name: "an opaque directory hides the libraries of lower layers",
			spec: app,
			layers: [][]entry{
				libc,
				{file("app/server", 0o755, exe([]string{"libc.so.6"}, ""))},
				{file("usr/lib/x86_64-linux-gnu/.wh..wh..opq", 0o644, nil), file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0o755, lib())},
			},
			want: []string{"libraries /app/server"},
		},
		{
			name: "a later layer replaces a directory by a file",
			spec: app,
			layers: [][]entry{
				{file("app/server", 0o755, static), file("opt/x/bin/sh", 0o755, static)},
				{file("opt/x", 0o644, nil)},
			},
		},
		{
			name:   "waivers: by rule and by path",
			spec:   image.Spec{Entrypoint: []string{"/busybox/sh"}, Env: []string{"PATH=/usr/bin:/busybox"}},
			layers: [][]entry{{file("bin/busybox", 0o755, static), link("busybox/sh", "/bin/busybox"), link("busybox/dpkg", "/bin/busybox"), file("usr/bin/dpkg", 0o755, static)}},
			opts: policy.Options{Waivers: map[string]string{
				"shell":                      "debug variant: busybox sh is the point",
				"busybox":                    "debug variant",
				"package-manager:/busybox/*": "busybox applets",
			}},
			want:   []string{"package-manager /usr/bin/dpkg"},
			waived: []string{"shell /busybox/sh", "package-manager /busybox/dpkg", "busybox /bin/busybox"},
		},
		{
			name:   "a stale waiver is a finding",
			spec:   app,
			layers: [][]entry{{file("app/server", 0o755, static)}},
			opts:   policy.Options{Waivers: map[string]string{"shell": "debug variant"}},
			want:   []string{"stale-waiver shell"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, cfg := build(t, tc.spec, tc.layers...)
			fs, err := policy.ReadFS(img, policy.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			report, err := policy.Check(fs, cfg, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(report.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, report.Findings)
			}
			var waived []policy.Finding
			for _, w := range report.Waived {
				waived = append(waived, w.Finding)
				if !strings.Contains(w.String(), w.Reason) {
					t.Errorf("%q does not show the waiver's reason %q", w, w.Reason)
				}
			}
			if diff := cmp.Diff(tc.waived, ids(waived)); diff != "" {
				t.Errorf("waived (-want +got):\n%s", diff)
			}
			for _, f := range report.Findings {
				if s := f.String(); strings.Contains(s, "\n") || !strings.Contains(s, "; fix: ") || f.Problem == "" || f.Fix == "" {
					t.Errorf("finding %q is not one line with a problem and a fix", s)
				}
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	img, cfg := build(t, image.Spec{Entrypoint: []string{"/app/server"}, User: "65532"}, libc,
		[]entry{file("app/server", 0o755, exe([]string{"libssl.so.3", "libc.so.6"}, ""))})
	fs, err := policy.ReadFS(img, policy.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	report, err := policy.Check(fs, cfg, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"libraries /app/server: needs libssl.so.3, which is in none of /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib: the program cannot start; fix: add the package or layer that has the library (e.g. build on cc for libstdc++), or link it statically"}
	var got []string
	for _, f := range report.Findings {
		got = append(got, f.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheckWaivers(t *testing.T) {
	tests := []struct {
		waivers map[string]string
		wantErr string
	}{
		{waivers: map[string]string{"shell": "debug", "setuid:/usr/bin/*": "ping"}},
		{waivers: map[string]string{"shells": "debug"}, wantErr: `unknown rule "shells"`},
		{waivers: map[string]string{"shell": " "}, wantErr: "has no reason"},
		{waivers: map[string]string{"setuid:usr/bin/su": "x"}, wantErr: "not an absolute path pattern"},
		{waivers: map[string]string{"setuid:/usr/[": "x"}, wantErr: "not an absolute path pattern"},
	}
	for _, tc := range tests {
		err := policy.CheckWaivers(tc.waivers)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tc.wantErr == "") != (got == "") || !strings.Contains(got, tc.wantErr) {
			t.Errorf("CheckWaivers(%v) = %q, want an error with %q", tc.waivers, got, tc.wantErr)
		}
	}
}
