package image

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

var created = time.Unix(1700000000, 0)

func hash(c byte) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: strings.Repeat(string(c), 64)}
}

// layerDesc returns a descriptor of a layer blob that exists nowhere: Build
// must not need it.
func layerDesc(digest, diffID byte) descriptor.Layer {
	return descriptor.Layer{MediaType: types.OCILayer, Digest: hash(digest), Size: 100, DiffID: hash(diffID)}
}

// makeBase returns a base image whose config is cfg, with one layer per
// diff_id of cfg.
func makeBase(t *testing.T, cfg v1.ConfigFile, layerType types.MediaType) *Base {
	t.Helper()
	var layers []descriptor.Layer
	for _, d := range cfg.RootFS.DiffIDs {
		layers = append(layers, descriptor.Layer{MediaType: layerType, Digest: hash('f'), Size: 7, DiffID: d})
	}
	blob, err := descriptor.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Base{
		Image:  descriptor.Image{Config: blobDescriptor(types.DockerConfigJSON, blob), Layers: layers},
		Config: blob,
	}
}

func parse(t *testing.T, img *Image) (*v1.ConfigFile, *v1.Manifest) {
	t.Helper()
	cfg, err := v1.ParseConfigFile(bytes.NewReader(img.Config))
	if err != nil {
		t.Fatal(err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(img.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, m
}

// TestGolden pins the exact config and manifest of a small image.
func TestGolden(t *testing.T) {
	spec := Spec{
		Entrypoint:   []string{"/app/server"},
		Env:          []string{"PATH=/usr/bin:/bin", "HOME=/home/nonroot"},
		User:         "65532",
		Workdir:      "/home/nonroot",
		ExposedPorts: []string{"8080"},
		Labels:       map[string]string{"b": "<2>", "a": "1"},
		Annotations:  map[string]string{"org.opencontainers.image.source": "https://example.com/x"},
		OS:           "linux",
		Architecture: "amd64",
	}
	img, err := Build(spec, nil, []descriptor.Layer{layerDesc('a', 'b')}, created)
	if err != nil {
		t.Fatal(err)
	}
	const wantConfig = `{"architecture":"amd64","created":"2023-11-14T22:13:20Z","history":[{"created":"2023-11-14T22:13:20Z","created_by":"distill"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]},"config":{"Entrypoint":["/app/server"],"Env":["PATH=/usr/bin:/bin","HOME=/home/nonroot"],"Labels":{"a":"1","b":"<2>"},"User":"65532","WorkingDir":"/home/nonroot","ExposedPorts":{"8080/tcp":{}}}}` + "\n"
	if diff := cmp.Diff(wantConfig, string(img.Config)); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	const wantManifest = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":449,"digest":"sha256:bccedccc1ca7bc6e85eebaf5ef4f074de79fddb3eb8fde1e557dc864553794d9"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":100,"digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}],"annotations":{"org.opencontainers.image.source":"https://example.com/x"}}` + "\n"
	if diff := cmp.Diff(wantManifest, string(img.Manifest)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if got, want := img.Descriptor.Manifest.Digest.String(), "sha256:853ea1d3ea0174d71418aad65872942f4942db4516a78f71759dfd23fad39477"; got != want {
		t.Errorf("manifest digest = %s, want %s", got, want)
	}
}

func TestBuildDescriptor(t *testing.T) {
	layers := []descriptor.Layer{layerDesc('a', 'b'), layerDesc('c', 'd')}
	img, err := Build(Spec{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil, layers, created)
	if err != nil {
		t.Fatal(err)
	}
	want := descriptor.Image{
		Manifest: blobDescriptor(types.OCIManifestSchema1, img.Manifest),
		Config:   blobDescriptor(types.OCIConfigJSON, img.Config),
		Layers:   layers,
	}
	if diff := cmp.Diff(want, img.Descriptor); diff != "" {
		t.Errorf("descriptor (-want +got):\n%s", diff)
	}
	cfg, m := parse(t, img)
	if diff := cmp.Diff([]v1.Hash{hash('b'), hash('d')}, cfg.RootFS.DiffIDs); diff != "" {
		t.Errorf("diff_ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]v1.Descriptor{layers[0].Descriptor(), layers[1].Descriptor()}, m.Layers); diff != "" {
		t.Errorf("manifest layers (-want +got):\n%s", diff)
	}
	if got := cfg.Platform().String(); got != "linux/arm64/v8" {
		t.Errorf("platform = %s, want linux/arm64/v8", got)
	}
}

func TestEmptyScratchImage(t *testing.T) {
	img, err := Build(Spec{OS: "linux", Architecture: "amd64"}, nil, nil, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"architecture":"amd64","created":"1970-01-01T00:00:00Z","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}` + "\n"
	if diff := cmp.Diff(want, string(img.Config)); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(img.Manifest), `"layers":[]`) {
		t.Errorf("manifest %s lacks an empty layers list", img.Manifest)
	}
}

func TestBuildOnBase(t *testing.T) {
	baseCfg := v1.ConfigFile{
		Architecture: "amd64",
		OS:           "linux",
		Created:      v1.Time{Time: time.Unix(1000, 0).UTC()},
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{hash('1')}},
		History:      []v1.History{{Created: v1.Time{Time: time.Unix(1000, 0).UTC()}, CreatedBy: "debian"}},
		Config: v1.Config{
			Entrypoint:   []string{"/usr/bin/python3"},
			Cmd:          []string{"--version"},
			Env:          []string{"PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			User:         "0",
			WorkingDir:   "/",
			ExposedPorts: map[string]struct{}{"53/udp": {}},
			Labels:       map[string]string{"base": "debian", "keep": "yes"},
		},
	}
	tests := []struct {
		name   string
		spec   Spec
		config v1.Config
	}{{
		name:   "inherit everything",
		spec:   Spec{},
		config: baseCfg.Config,
	}, {
		name: "override and merge",
		spec: Spec{
			Entrypoint:   []string{"/app/server"},
			Cmd:          []string{},
			Env:          []string{"PATH=/app/bin:${PATH}", "APP_HOME=/app", "DATA=$APP_HOME/data", "LANG=en_US.UTF-8"},
			User:         "65532:65532",
			Workdir:      "/app",
			ExposedPorts: []string{"8080/tcp", "53/udp"},
			Labels:       map[string]string{"base": "distill", "new": "1"},
			OS:           "linux",
			Architecture: "amd64",
		},
		config: v1.Config{
			Entrypoint:   []string{"/app/server"},
			Env:          []string{"PATH=/app/bin:/usr/local/bin:/usr/bin", "LANG=en_US.UTF-8", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", "APP_HOME=/app", "DATA=/app/data"},
			User:         "65532:65532",
			WorkingDir:   "/app",
			ExposedPorts: map[string]struct{}{"53/udp": {}, "8080/tcp": {}},
			Labels:       map[string]string{"base": "distill", "keep": "yes", "new": "1"},
		},
	}, {
		name:   "clear entrypoint, keep cmd",
		spec:   Spec{Entrypoint: []string{}},
		config: func() v1.Config { c := baseCfg.Config; c.Entrypoint = nil; return c }(),
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, lt := range []types.MediaType{types.OCILayer, types.DockerLayer} {
				base := makeBase(t, baseCfg, lt)
				img, err := Build(tc.spec, base, []descriptor.Layer{layerDesc('a', '2')}, created)
				if err != nil {
					t.Fatal(err)
				}
				cfg, m := parse(t, img)
				if diff := cmp.Diff(tc.config, cfg.Config); diff != "" {
					t.Errorf("config (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]v1.Hash{hash('1'), hash('2')}, cfg.RootFS.DiffIDs); diff != "" {
					t.Errorf("diff_ids (-want +got):\n%s", diff)
				}
				wantHistory := []v1.History{baseCfg.History[0], {Created: v1.Time{Time: created.UTC()}, CreatedBy: "distill"}}
				if diff := cmp.Diff(wantHistory, cfg.History); diff != "" {
					t.Errorf("history (-want +got):\n%s", diff)
				}
				if !cfg.Created.Equal(created) {
					t.Errorf("created = %v, want %v", cfg.Created, created)
				}
				wantLayers := []v1.Descriptor{
					{MediaType: types.OCILayer, Size: 7, Digest: hash('f')},
					{MediaType: types.OCILayer, Size: 100, Digest: hash('a')},
				}
				if diff := cmp.Diff(wantLayers, m.Layers); diff != "" {
					t.Errorf("manifest layers from a %s base (-want +got):\n%s", lt, diff)
				}
				if len(img.Descriptor.Layers) != 2 || img.Descriptor.Layers[0].MediaType != types.OCILayer {
					t.Errorf("descriptor layers = %+v, want base layer first as OCI", img.Descriptor.Layers)
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	baseCfg := v1.ConfigFile{Architecture: "amd64", OS: "linux", RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{hash('1')}}}
	good := makeBase(t, baseCfg, types.OCILayer)
	tampered := makeBase(t, baseCfg, types.OCILayer)
	tampered.Config = append(tampered.Config[:len(tampered.Config)-1:len(tampered.Config)-1], ' ', '\n')
	wrongDiffID := makeBase(t, baseCfg, types.OCILayer)
	wrongDiffID.Image.Layers[0].DiffID = hash('9')
	missingLayer := makeBase(t, baseCfg, types.OCILayer)
	missingLayer.Image.Layers = nil
	scratch := Spec{OS: "linux", Architecture: "amd64"}
	with := func(f func(*Spec)) Spec { s := scratch; f(&s); return s }
	tests := []struct {
		name    string
		spec    Spec
		base    *Base
		wantErr string
	}{
		{name: "scratch without os", spec: Spec{Architecture: "amd64"}, wantErr: "os is required for an image without base"},
		{name: "scratch without architecture", spec: Spec{OS: "linux"}, wantErr: "architecture is required"},
		{name: "architecture mismatch", spec: Spec{Architecture: "arm64"}, base: good, wantErr: `architecture "arm64" does not match the base image's architecture "amd64"`},
		{name: "variant mismatch", spec: Spec{Variant: "v7"}, base: good, wantErr: `variant "v7" does not match`},
		{name: "tampered base config", spec: Spec{}, base: tampered, wantErr: "base config has digest"},
		{name: "base diff_id mismatch", spec: Spec{}, base: wrongDiffID, wantErr: "base layer 0: config diff_id"},
		{name: "base layer count", spec: Spec{}, base: missingLayer, wantErr: "base config lists 1 diff_ids, but the base image descriptor has 0 layers"},
		{name: "env without =", spec: with(func(s *Spec) { s.Env = []string{"FOO"} }), wantErr: `env entry "FOO": want KEY=VALUE`},
		{name: "env without key", spec: with(func(s *Spec) { s.Env = []string{"=x"} }), wantErr: `env entry "=x"`},
		{name: "relative workdir", spec: with(func(s *Spec) { s.Workdir = "app" }), wantErr: `workdir "app" is not an absolute path`},
		{name: "port out of range", spec: with(func(s *Spec) { s.ExposedPorts = []string{"70000"} }), wantErr: `exposed port "70000"`},
		{name: "port protocol", spec: with(func(s *Spec) { s.ExposedPorts = []string{"80/http"} }), wantErr: `protocol "http"`},
		{name: "port sign", spec: with(func(s *Spec) { s.ExposedPorts = []string{"+80"} }), wantErr: `exposed port "+80"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.spec, tc.base, nil, created)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Build error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name          string
		base, updates []string
		want          []string
	}{
		{name: "nothing", want: nil},
		{name: "append", base: []string{"A=1"}, updates: []string{"B=2"}, want: []string{"A=1", "B=2"}},
		{name: "replace in place", base: []string{"A=1", "B=2"}, updates: []string{"A=3"}, want: []string{"A=3", "B=2"}},
		{name: "expand from base", base: []string{"PATH=/bin"}, updates: []string{"PATH=/app:$PATH"}, want: []string{"PATH=/app:/bin"}},
		{name: "expand braces", updates: []string{"A=x", "B=${A}y", "C=${A}${B}"}, want: []string{"A=x", "B=xy", "C=xxy"}},
		{name: "unset expands empty", updates: []string{"A=[$NOPE][${NOPE}]"}, want: []string{"A=[][]"}},
		{name: "later entries see earlier", updates: []string{"A=1", "A=$A$A", "B=$A"}, want: []string{"A=11", "B=11"}},
		{name: "value with =", updates: []string{"OPTS=-Dx=y"}, want: []string{"OPTS=-Dx=y"}},
		{name: "empty value", updates: []string{"EMPTY="}, want: []string{"EMPTY="}},
		{name: "literal dollars", updates: []string{"A=$ $1 ${} ${1} ${A B} $", "P=cost: 5$"}, want: []string{"A=$ $1 ${} ${1} ${A B} $", "P=cost: 5$"}},
		{name: "name stops at non-name byte", base: []string{"A=x"}, updates: []string{"B=$A.b/$A-c"}, want: []string{"A=x", "B=x.b/x-c"}},
		{name: "unclosed brace", base: []string{"A=x"}, updates: []string{"B=${A"}, want: []string{"A=x", "B=${A"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyEnv(tc.base, tc.updates)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("applyEnv(%q, %q) (-want +got):\n%s", tc.base, tc.updates, diff)
			}
		})
	}
}
