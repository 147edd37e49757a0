package descriptor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	hexA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hexB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func TestLayerRoundTrip(t *testing.T) {
	want := Layer{
		MediaType: types.OCILayer,
		Digest:    v1.Hash{Algorithm: "sha256", Hex: hexA},
		Size:      1234,
		DiffID:    v1.Hash{Algorithm: "sha256", Hex: hexB},
	}
	data, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:` + hexA + `","size":1234,"diffID":"sha256:` + hexB + "\"}\n"
	if diff := cmp.Diff(wantJSON, string(data)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
	p := filepath.Join(t.TempDir(), "desc.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLayer(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadLayer (-want +got):\n%s", diff)
	}
}

func TestReadLayerErrors(t *testing.T) {
	tests := []struct {
		name, json, wantErr string
	}{
		{name: "not json", json: "{", wantErr: "parsing layer descriptor"},
		{name: "bad digest", json: `{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:xyz","size":1,"diffID":"sha256:` + hexB + `"}`, wantErr: "parsing layer descriptor"},
		{name: "missing diffID", json: `{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:` + hexA + `","size":1}`, wantErr: "must be sha256"},
		{name: "config media type", json: `{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + hexA + `","size":1,"diffID":"sha256:` + hexB + `"}`, wantErr: "not a layer media type"},
		{name: "negative size", json: `{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:` + hexA + `","size":-1,"diffID":"sha256:` + hexB + `"}`, wantErr: "negative size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "desc.json")
			if err := os.WriteFile(p, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadLayer(p)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p) {
				t.Errorf("ReadLayer error = %v, want one naming %s and containing %q", err, p, tc.wantErr)
			}
		})
	}
}

func TestMarshalDoesNotEscapeHTML(t *testing.T) {
	data, err := Marshal(map[string]string{"b": "<&>", "a": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("{\"a\":\"x\",\"b\":\"<&>\"}\n", string(data)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
}
