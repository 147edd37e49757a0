package kube

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite testdata/*.yaml from the current output")

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// hello is the manifest of the seed's Flask service: 2 replicas, LoadBalancer 80 → 5000.
func hello() Options {
	o := Defaults()
	o.Name = "hello"
	o.Repository = "registry.example.com/hello/flask"
	o.Digest = testDigest
	return o
}

// parse splits a manifest and decodes it with the API types, strictly.
func parse(t *testing.T, manifest []byte) (*appsv1.Deployment, *corev1.Service) {
	t.Helper()
	docs, err := splitDocuments(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("manifest has %d documents, want 2:\n%s", len(docs), manifest)
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(docs[0], &d); err != nil {
		t.Fatalf("first document is not a Deployment: %v", err)
	}
	var s corev1.Service
	if err := yaml.UnmarshalStrict(docs[1], &s); err != nil {
		t.Fatalf("second document is not a Service: %v", err)
	}
	return &d, &s
}

// summary is what a test checks of a parsed manifest; resource quantities
// are strings because resource.Quantity has unexported fields.
type summary struct {
	Kinds            []string
	Name             string
	Replicas         int32
	Selector         map[string]string
	PodLabels        map[string]string
	Image            string
	PullPolicy       corev1.PullPolicy
	Ports            []corev1.ContainerPort
	Readiness        *corev1.Probe
	Liveness         *corev1.Probe
	Requests         map[string]string
	Limits           map[string]string
	AutomountToken   *bool
	PodSecurity      *corev1.PodSecurityContext
	Security         *corev1.SecurityContext
	ServiceType      corev1.ServiceType
	ServiceSelector  map[string]string
	ServicePorts     []corev1.ServicePort
	ServiceLabels    map[string]string
	DeploymentLabels map[string]string
}

func quantities(l corev1.ResourceList) map[string]string {
	if l == nil {
		return nil
	}
	m := map[string]string{}
	for k, v := range l {
		m[string(k)] = v.String()
	}
	return m
}

func summarize(t *testing.T, d *appsv1.Deployment, s *corev1.Service) summary {
	t.Helper()
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(d.Spec.Template.Spec.Containers))
	}
	c := d.Spec.Template.Spec.Containers[0]
	var replicas int32 = -1
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	return summary{
		Kinds:            []string{d.APIVersion + " " + d.Kind, s.APIVersion + " " + s.Kind},
		Name:             d.Name,
		Replicas:         replicas,
		Selector:         d.Spec.Selector.MatchLabels,
		PodLabels:        d.Spec.Template.Labels,
		Image:            c.Image,
		PullPolicy:       c.ImagePullPolicy,
		Ports:            c.Ports,
		Readiness:        c.ReadinessProbe,
		Liveness:         c.LivenessProbe,
		Requests:         quantities(c.Resources.Requests),
		Limits:           quantities(c.Resources.Limits),
		AutomountToken:   d.Spec.Template.Spec.AutomountServiceAccountToken,
		PodSecurity:      d.Spec.Template.Spec.SecurityContext,
		Security:         c.SecurityContext,
		ServiceType:      s.Spec.Type,
		ServiceSelector:  s.Spec.Selector,
		ServicePorts:     s.Spec.Ports,
		ServiceLabels:    s.Labels,
		DeploymentLabels: d.Labels,
	}
}

func ptr[T any](v T) *T { return &v }

// hardened is the summary every manifest shares but for the fields a case sets.
func hardened(uid, gid int64) summary {
	return summary{
		Kinds:          []string{"apps/v1 Deployment", "v1 Service"},
		PullPolicy:     corev1.PullIfNotPresent,
		AutomountToken: ptr(false),
		PodSecurity: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(uid),
			RunAsGroup:     ptr(gid),
			FSGroup:        ptr(gid),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Security: &corev1.SecurityContext{
			ReadOnlyRootFilesystem:   ptr(true),
			AllowPrivilegeEscalation: ptr(false),
			Privileged:               ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
}

func httpProbe(port int32, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(port)}},
		PeriodSeconds: period,
	}
}

func TestManifestParsesBack(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Options)
		want   func(*summary)
	}{
		{
			name:   "seed: flask hello world",
			modify: func(*Options) {},
			want: func(s *summary) {
				s.Name = "hello"
				s.Replicas = 2
				s.Selector = map[string]string{"app": "hello"}
				s.PodLabels = map[string]string{"app": "hello"}
				s.DeploymentLabels = map[string]string{"app": "hello"}
				s.ServiceLabels = map[string]string{"app": "hello"}
				s.Image = "registry.example.com/hello/flask@" + testDigest
				s.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 5000, Protocol: corev1.ProtocolTCP}}
				s.Readiness = httpProbe(5000, 5)
				s.Liveness = httpProbe(5000, 10)
				s.Requests = map[string]string{"cpu": "50m", "memory": "64Mi"}
				s.ServiceType = corev1.ServiceTypeLoadBalancer
				s.ServiceSelector = map[string]string{"app": "hello"}
				s.ServicePorts = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(5000), Protocol: corev1.ProtocolTCP}}
			},
		},
		{
			name: "every flag",
			modify: func(o *Options) {
				o.Name = "api"
				o.Repository = "localhost:5000/team/api"
				o.Replicas = 3
				o.ContainerPort = 8080
				o.ServicePort = 8443
				o.ServiceType = ClusterIP
				o.User = "1000:2000"
				o.Labels = map[string]string{"tier": "backend", "app.kubernetes.io/part-of": "shop"}
				o.Probes = false
				o.CPURequest = ""
				o.MemoryRequest = "32Mi"
				o.CPULimit = "1"
				o.MemoryLimit = "128Mi"
			},
			want: func(s *summary) {
				*s = hardened(1000, 2000)
				labels := map[string]string{"app": "api", "tier": "backend", "app.kubernetes.io/part-of": "shop"}
				s.Name = "api"
				s.Replicas = 3
				s.Selector = map[string]string{"app": "api"}
				s.PodLabels = labels
				s.DeploymentLabels = labels
				s.ServiceLabels = labels
				s.Image = "localhost:5000/team/api@" + testDigest
				s.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}
				s.Requests = map[string]string{"memory": "32Mi"}
				s.Limits = map[string]string{"cpu": "1", "memory": "128Mi"}
				s.ServiceType = corev1.ServiceTypeClusterIP
				s.ServiceSelector = map[string]string{"app": "api"}
				s.ServicePorts = []corev1.ServicePort{{Name: "http", Port: 8443, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}}
			},
		},
		{
			name: "no requests, node port",
			modify: func(o *Options) {
				o.CPURequest, o.MemoryRequest = "", ""
				o.ServiceType = NodePort
				o.Replicas = 0
			},
			want: func(s *summary) {
				s.Name = "hello"
				s.Selector = map[string]string{"app": "hello"}
				s.PodLabels = map[string]string{"app": "hello"}
				s.DeploymentLabels = map[string]string{"app": "hello"}
				s.ServiceLabels = map[string]string{"app": "hello"}
				s.Image = "registry.example.com/hello/flask@" + testDigest
				s.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 5000, Protocol: corev1.ProtocolTCP}}
				s.Readiness = httpProbe(5000, 5)
				s.Liveness = httpProbe(5000, 10)
				s.ServiceType = corev1.ServiceTypeNodePort
				s.ServiceSelector = map[string]string{"app": "hello"}
				s.ServicePorts = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(5000), Protocol: corev1.ProtocolTCP}}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := hello()
			tc.modify(&o)
			manifest, err := Manifest(o)
			if err != nil {
				t.Fatal(err)
			}
			want := hardened(65532, 65532)
			tc.want(&want)
			d, s := parse(t, manifest)
			if diff := cmp.Diff(want, summarize(t, d, s)); diff != "" {
				t.Errorf("parsed manifest (-want +got):\n%s\n%s", diff, manifest)
			}
			findings, err := Check(manifest, WithDigest(testDigest))
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) > 0 {
				t.Errorf("Check of a generated manifest found %v", findings)
			}
		})
	}
}

func TestManifestGolden(t *testing.T) {
	got, err := Manifest(hello())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "hello.yaml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Manifest differs from %s (-want +got); after a deliberate change run go test ./tools/pkg/kube -run TestManifestGolden -update:\n%s", golden, diff)
	}
	for _, unwanted := range []string{"creationTimestamp", "status:", "strategy:", "null", "{}"} {
		if strings.Contains(string(got), unwanted) {
			t.Errorf("manifest holds %q, noise a reader does not need", unwanted)
		}
	}
}

func TestManifestDeterministic(t *testing.T) {
	o := hello()
	o.Labels = map[string]string{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		o.Labels["example.com/"+k] = k
	}
	first, err := Manifest(o)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := Manifest(o)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(first), string(again)); diff != "" {
			t.Fatalf("Manifest changed between runs (-first +again):\n%s", diff)
		}
	}
}

func TestManifestErrors(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*Options)
		wantErr string
	}{
		{"tag-only reference", func(o *Options) { o.Repository = "registry.example.com/hello/flask:latest" }, `names a tag; give the repository only ("registry.example.com/hello/flask")`},
		{"reference with digest", func(o *Options) { o.Repository = "registry.example.com/hello/flask@" + testDigest }, "already names a digest"},
		{"upper case repository", func(o *Options) { o.Repository = "registry.example.com/Hello" }, "is not a repository"},
		{"empty repository", func(o *Options) { o.Repository = "" }, "is not a repository"},
		{"short digest", func(o *Options) { o.Digest = "sha256:0123" }, `"sha256:0123" is not a digest`},
		{"sha512 digest", func(o *Options) { o.Digest = "sha512:" + strings.Repeat("ab", 64) }, "is not a digest"},
		{"upper case digest", func(o *Options) { o.Digest = strings.ToUpper(testDigest) }, "is not a digest"},
		{"user 0", func(o *Options) { o.User = "0" }, `user "0" is root: runAsNonRoot refuses uid 0`},
		{"user root", func(o *Options) { o.User = "root" }, `must be a numeric uid, e.g. "65532" or "65532:65532": runAsNonRoot needs a number`},
		{"group 0", func(o *Options) { o.User = "65532:0" }, "group 0"},
		{"negative uid", func(o *Options) { o.User = "-1" }, "must be a numeric uid"},
		{"bad name", func(o *Options) { o.Name = "Hello_World" }, `name "Hello_World"`},
		{"app label", func(o *Options) { o.Labels = map[string]string{"app": "other"} }, `label "app" is set from the name`},
		{"bad label key", func(o *Options) { o.Labels = map[string]string{"a b": "c"} }, `label key "a b"`},
		{"bad label value", func(o *Options) { o.Labels = map[string]string{"tier": "back end"} }, `label tier value "back end"`},
		{"port 0", func(o *Options) { o.ContainerPort = 0 }, "container port 0: want 1 to 65535"},
		{"port too big", func(o *Options) { o.ServicePort = 65536 }, "service port 65536"},
		{"negative replicas", func(o *Options) { o.Replicas = -1 }, "replicas -1"},
		{"service type", func(o *Options) { o.ServiceType = "ExternalName" }, `service type "ExternalName": want LoadBalancer, ClusterIP or NodePort`},
		{"quantity", func(o *Options) { o.MemoryRequest = "64 MB" }, `memory request "64 MB" is not a quantity`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := hello()
			tc.modify(&o)
			got, err := Manifest(o)
			if err == nil {
				t.Fatalf("Manifest succeeded, want an error %q:\n%s", tc.wantErr, got)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Manifest error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadDigest(t *testing.T) {
	tests := []struct {
		name    string
		content *string // nil: no file
		want    string
		wantErr string
	}{
		{name: "with newline", content: ptr(testDigest + "\n"), want: testDigest},
		{name: "without newline", content: ptr(testDigest), want: testDigest},
		{name: "missing file", wantErr: "reading digest file"},
		{name: "empty", content: ptr(""), wantErr: `"" is not a digest`},
		{name: "tag", content: ptr("latest\n"), wantErr: `"latest" is not a digest`},
		{name: "two lines", content: ptr(testDigest + "\n" + testDigest + "\n"), wantErr: "is not a digest"},
		{name: "crlf", content: ptr(testDigest + "\r\n"), wantErr: "is not a digest"},
		{name: "reference", content: ptr("registry.example.com/app@" + testDigest + "\n"), wantErr: "is not a digest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "image.digest")
			if tc.content != nil {
				if err := os.WriteFile(path, []byte(*tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ReadDigest(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadDigest = %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("ReadDigest = %q, want %q", got, tc.want)
			}
		})
	}
}
