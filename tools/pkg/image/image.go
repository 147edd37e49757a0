package image

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// CreatedBy is the created_by of the history entry of every layer distill adds.
const CreatedBy = "distill"

// Image is a built image: its config and manifest blobs and its descriptor.
type Image struct {
	Config     []byte
	Manifest   []byte
	Descriptor descriptor.Image
}

// Build makes the image that puts layers on top of base (nil: scratch) and
// configures it as spec says. created is the config's and the new history
// entries' timestamp. Spec.Base and Spec.Layers are not read: the caller
// loads them (see Load).
func Build(spec Spec, base *Base, layers []descriptor.Layer, created time.Time) (*Image, error) {
	cfg := &v1.ConfigFile{}
	var all []descriptor.Layer
	if base != nil {
		var err error
		if cfg, err = baseConfig(base); err != nil {
			return nil, err
		}
		for _, l := range base.Image.Layers {
			l.MediaType = ociLayerType(l.MediaType)
			all = append(all, l)
		}
	}
	if err := setPlatform(cfg, spec, base != nil); err != nil {
		return nil, err
	}
	if err := configure(&cfg.Config, spec); err != nil {
		return nil, err
	}
	created = created.UTC()
	cfg.Created = v1.Time{Time: created}
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = append([]v1.Hash{}, cfg.RootFS.DiffIDs...)
	for _, l := range layers {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.DiffID)
		cfg.History = append(cfg.History, v1.History{Created: v1.Time{Time: created}, CreatedBy: CreatedBy})
		all = append(all, l)
	}
	configBlob, err := descriptor.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}

	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        blobDescriptor(types.OCIConfigJSON, configBlob),
		Layers:        make([]v1.Descriptor, len(all)),
	}
	for i, l := range all {
		m.Layers[i] = l.Descriptor()
	}
	if len(spec.Annotations) > 0 {
		m.Annotations = spec.Annotations
	}
	manifestBlob, err := descriptor.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return &Image{
		Config:   configBlob,
		Manifest: manifestBlob,
		Descriptor: descriptor.Image{
			Manifest: blobDescriptor(types.OCIManifestSchema1, manifestBlob),
			Config:   m.Config,
			Layers:   append([]descriptor.Layer{}, all...),
		},
	}, nil
}

func blobDescriptor(mt types.MediaType, blob []byte) v1.Descriptor {
	h, size, _ := v1.SHA256(bytes.NewReader(blob)) // reading from memory cannot fail
	return v1.Descriptor{MediaType: mt, Size: size, Digest: h}
}

// baseConfig parses the base's config after checking it against the base's
// descriptor: same digest, and one diff_id per layer.
func baseConfig(base *Base) (*v1.ConfigFile, error) {
	want := base.Image.Config
	if got := blobDescriptor(want.MediaType, base.Config); got.Digest != want.Digest || got.Size != want.Size {
		return nil, fmt.Errorf("base config has digest %s and size %d, but the base image descriptor says %s and %d", got.Digest, got.Size, want.Digest, want.Size)
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(base.Config))
	if err != nil {
		return nil, fmt.Errorf("parsing base config: %w", err)
	}
	if len(cfg.RootFS.DiffIDs) != len(base.Image.Layers) {
		return nil, fmt.Errorf("base config lists %d diff_ids, but the base image descriptor has %d layers", len(cfg.RootFS.DiffIDs), len(base.Image.Layers))
	}
	for i, l := range base.Image.Layers {
		if cfg.RootFS.DiffIDs[i] != l.DiffID {
			return nil, fmt.Errorf("base layer %d: config diff_id %s, descriptor diffID %s", i, cfg.RootFS.DiffIDs[i], l.DiffID)
		}
	}
	return cfg, nil
}

// ociLayerType returns the OCI media type for the same bytes as a Docker
// layer media type, so the OCI manifest references OCI layers only.
func ociLayerType(mt types.MediaType) types.MediaType {
	switch mt {
	case types.DockerLayer:
		return types.OCILayer
	case types.DockerUncompressedLayer:
		return types.OCIUncompressedLayer
	}
	return mt
}

func setPlatform(cfg *v1.ConfigFile, spec Spec, hasBase bool) error {
	fields := []struct {
		name      string
		want      string
		have      *string
		mandatory bool
	}{
		{"os", spec.OS, &cfg.OS, true},
		{"architecture", spec.Architecture, &cfg.Architecture, true},
		{"variant", spec.Variant, &cfg.Variant, false},
	}
	for _, f := range fields {
		switch {
		case hasBase && f.want != "" && f.want != *f.have:
			return fmt.Errorf("%s %q does not match the base image's %s %q", f.name, f.want, f.name, *f.have)
		case !hasBase && f.mandatory && f.want == "":
			return fmt.Errorf("%s is required for an image without base", f.name)
		case f.want != "":
			*f.have = f.want
		}
	}
	return nil
}

// configure applies the runtime settings of spec onto c.
func configure(c *v1.Config, spec Spec) error {
	if spec.Entrypoint != nil {
		c.Entrypoint = nonEmpty(spec.Entrypoint)
	}
	if spec.Cmd != nil {
		c.Cmd = nonEmpty(spec.Cmd)
	}
	env, err := applyEnv(c.Env, spec.Env)
	if err != nil {
		return err
	}
	c.Env = env
	if spec.User != "" {
		c.User = spec.User
	}
	if spec.Workdir != "" {
		if !path.IsAbs(spec.Workdir) {
			return fmt.Errorf("workdir %q is not an absolute path", spec.Workdir)
		}
		c.WorkingDir = spec.Workdir
	}
	for _, p := range spec.ExposedPorts {
		port, err := normalizePort(p)
		if err != nil {
			return err
		}
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[port] = struct{}{}
	}
	if len(spec.Labels) > 0 {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		maps.Copy(c.Labels, spec.Labels)
	}
	return nil
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string{}, s...)
}

// normalizePort turns "8080" into "8080/tcp" and checks "8080/udp".
func normalizePort(p string) (string, error) {
	num, proto, found := strings.Cut(p, "/")
	if !found {
		proto = "tcp"
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 || strings.TrimLeft(num, "0123456789") != "" {
		return "", fmt.Errorf("exposed port %q: want PORT or PORT/PROTO with PORT in 1..65535", p)
	}
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return "", fmt.Errorf("exposed port %q: protocol %q is not tcp, udp or sctp", p, proto)
	}
	return strconv.Itoa(n) + "/" + proto, nil
}

// applyEnv applies updates (KEY=VALUE) in order onto env. An existing key
// is replaced in place, a new key is appended. $KEY and ${KEY} in a value
// expand from the environment built so far (unset keys expand to "");
// any other $ is kept as is.
func applyEnv(env, updates []string) ([]string, error) {
	out := append([]string{}, env...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	lookup := func(k string) string {
		if i, ok := index[k]; ok {
			_, v, _ := strings.Cut(out[i], "=")
			return v
		}
		return ""
	}
	for _, kv := range updates {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("env entry %q: want KEY=VALUE", kv)
		}
		kv = k + "=" + expand(v, lookup)
		if i, ok := index[k]; ok {
			out[i] = kv
		} else {
			index[k] = len(out)
			out = append(out, kv)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// expand replaces $NAME and ${NAME} in s, NAME being [A-Za-z_][A-Za-z0-9_]*.
func expand(s string, lookup func(string) string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		if rest[0] == '{' {
			if end := strings.IndexByte(rest, '}'); end > 1 && nameLen(rest[1:end]) == end-1 {
				b.WriteString(lookup(rest[1:end])) // ${NAME}
				i += end + 1
				continue
			}
		} else if n := nameLen(rest); n > 0 {
			b.WriteString(lookup(rest[:n])) // $NAME
			i += n
			continue
		}
		b.WriteByte('$')
	}
	return b.String()
}

// nameLen returns the length of the variable name that s starts with.
func nameLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return i
		}
	}
	return len(s)
}
