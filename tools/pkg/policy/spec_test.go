package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-distill/rules_distill/tools/pkg/image"
	"github.com/rules-distill/rules_distill/tools/pkg/policy"
)

func TestSpec(t *testing.T) {
	spec := image.Spec{
		Entrypoint:   []string{"/app/server", "--port", "8080"},
		Env:          []string{"PATH=/usr/bin", "LANG=C.UTF-8"},
		User:         "65532",
		Workdir:      "/home/nonroot",
		ExposedPorts: []string{"8080"},
		Labels:       map[string]string{"org.opencontainers.image.source": "https://example.com/app"},
	}
	layers := [][]entry{
		{
			file("app/server", 0o755, static),
			file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")),
			{path: "home/nonroot", kind: "dir", mode: 0o700, uid: 65532},
			link("etc/localtime", "/usr/share/zoneinfo/UTC"),
			dir("conf", 0o755),
		},
		{link("etc/app", "/conf"), file("conf/app.yaml", 0o640, []byte("port: 8080\ndebug: false\n"))},
	}
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "everything holds",
			yaml: `
version: 1
files:
  - {path: /app/server, kind: file, mode: "0755", owner: "0:0"}
  - {path: /home/nonroot, kind: dir, mode: "0700", owner: "65532:65532"}
  - {path: /etc/localtime, kind: symlink, target: /usr/share/zoneinfo/UTC}
  - {path: /etc/passwd, contains: ["(?m)^nonroot:x:65532:65532:"], excludes: ["/bin/(ba)?sh"]}
  - {path: /etc/app/app.yaml, contains: ["port: 8080"]}
  - {path: /bin/sh, exists: false}
config:
  env: {LANG: C.UTF-8}
  unset: [LD_PRELOAD]
  user: "65532"
  workdir: /home/nonroot
  entrypoint: [/app/server, --port, "8080"]
  cmd: []
  exposed_ports: ["8080"]
  labels: {org.opencontainers.image.source: https://example.com/app}
`,
		},
		{
			name: "every assertion fails",
			yaml: `
files:
  - {path: /app/server, kind: dir, mode: "0700", owner: "1:1"}
  - {path: /app/missing}
  - {path: /etc/localtime, target: /usr/share/zoneinfo/Europe/Paris}
  - {path: /etc/passwd, contains: ["^daemon:"], excludes: ["nologin"]}
  - {path: /conf, exists: false}
config:
  env: {LANG: en_US.UTF-8, TZ: UTC}
  unset: [PATH]
  user: "0"
  workdir: /
  entrypoint: [/app/server]
  cmd: [--help]
  exposed_ports: ["8080/udp"]
  labels: {version: "1"}
`,
			want: []string{
				"spec /app/server", "spec /app/server", "spec /app/server",
				"spec /app/missing",
				"spec /etc/localtime",
				"spec /etc/passwd", "spec /etc/passwd",
				"spec /conf",
				"spec config.Env", "spec config.Env", "spec config.Env",
				"spec config.User", "spec config.WorkingDir", "spec config.Entrypoint", "spec config.Cmd",
				"spec config.ExposedPorts", "spec config.Labels",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := policy.ParseSpec([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			img, cfg := build(t, spec, layers...)
			fs, err := policy.ReadFS(img, policy.ReadOptions{Keep: s.Keep})
			if err != nil {
				t.Fatal(err)
			}
			got := s.Evaluate(fs, cfg)
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, got)
			}
		})
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"files: [{path: /a, mdoe: '0755'}]", "field mdoe not found"},
		{"version: 2", "only version 1 exists"},
		{"files: [{path: etc/passwd}]", "must be absolute"},
		{"files: [{path: /a, mode: '0999'}]", "not octal"},
		{"files: [{path: /a, owner: root}]", "numeric"},
		{"files: [{path: /a, kind: fifo}]", "not one of file, dir, symlink"},
		{"files: [{path: /a, exists: false, mode: '0644'}]", "takes no other assertion"},
		{"files: [{path: /a, contains: ['(']}]", "missing closing )"},
		{"config: {usr: root}", "field usr not found"},
	}
	for _, tc := range tests {
		_, err := policy.ParseSpec([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpec(%q) = %v, want an error with %q", tc.yaml, err, tc.want)
		}
	}
}
