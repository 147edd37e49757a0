package image

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/rules-distill/rules_distill/tools/pkg/descriptor"
)

// Spec is SPEC.json, as the distroless_image rule writes it.
type Spec struct {
	// Base is null for an image from scratch.
	Base *BaseSpec `json:"base"`
	// Layers are paths of layer descriptor files, bottom layer first.
	Layers []string `json:"layers"`
	// Entrypoint and Cmd: null inherits the base's, [] clears it.
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd"`
	// Env entries are KEY=VALUE, applied in order; see applyEnv.
	Env []string `json:"env"`
	// User and Workdir: "" inherits the base's.
	User    string `json:"user"`
	Workdir string `json:"workdir"`
	// ExposedPorts are PORT or PORT/PROTO, merged with the base's.
	ExposedPorts []string `json:"exposedPorts"`
	// Labels are merged into the base's config labels.
	Labels map[string]string `json:"labels"`
	// Annotations go on the manifest.
	Annotations map[string]string `json:"annotations"`
	// OS, Architecture and Variant must match the base's when given.
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant"`
}

// BaseSpec names the files that describe a base image.
type BaseSpec struct {
	Image  string `json:"image"`
	Config string `json:"config"`
}

// ReadSpec reads SPEC.json. Unknown fields are errors, so a typo in a rule
// fails instead of being ignored.
func ReadSpec(path string) (Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fmt.Errorf("reading spec: %w", err)
	}
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Spec{}, fmt.Errorf("parsing spec %s: %w", path, err)
	}
	return s, nil
}

// Base is what Build needs to know about a base image.
type Base struct {
	Image descriptor.Image
	// Config is the base's raw config blob.
	Config []byte
}

// Load reads the base image and layer descriptors that s names: small JSON
// files only, never a layer blob.
func Load(s Spec) (*Base, []descriptor.Layer, error) {
	var base *Base
	if s.Base != nil {
		img, err := descriptor.ReadImage(s.Base.Image)
		if err != nil {
			return nil, nil, fmt.Errorf("base: %w", err)
		}
		config, err := os.ReadFile(s.Base.Config)
		if err != nil {
			return nil, nil, fmt.Errorf("base: reading config: %w", err)
		}
		base = &Base{Image: img, Config: config}
	}
	layers := make([]descriptor.Layer, len(s.Layers))
	for i, p := range s.Layers {
		l, err := descriptor.ReadLayer(p)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d: %w", i, err)
		}
		layers[i] = l
	}
	return base, layers, nil
}
