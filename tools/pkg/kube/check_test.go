package kube

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// manifestOf writes the hello manifest after change has edited its objects.
func manifestOf(t *testing.T, change func(*appsv1.Deployment, *corev1.Service)) []byte {
	t.Helper()
	d, s, err := Objects(hello())
	if err != nil {
		t.Fatal(err)
	}
	change(d, s)
	var docs []string
	for _, obj := range []any{d, s} {
		doc, err := marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(doc))
	}
	return []byte(strings.Join(docs, "---\n"))
}

func TestCheck(t *testing.T) {
	const (
		pod = "spec.template.spec."
		ctr = "spec.template.spec.containers[0].securityContext."
	)
	tests := []struct {
		name   string
		change func(*appsv1.Deployment, *corev1.Service)
		opts   []CheckOption
		want   []string // fields of the findings, in order
	}{
		{name: "generated", change: func(*appsv1.Deployment, *corev1.Service) {}},
		{name: "expected digest", change: func(*appsv1.Deployment, *corev1.Service) {}, opts: []CheckOption{WithDigest(testDigest)}},
		{
			name:   "other digest",
			change: func(*appsv1.Deployment, *corev1.Service) {},
			opts:   []CheckOption{WithDigest("sha256:" + strings.Repeat("f", 64))},
			want:   []string{"spec.template.spec.containers[0].image"},
		},
		{
			name: "tag instead of digest",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				d.Spec.Template.Spec.Containers[0].Image = "registry.example.com/hello/flask:latest"
			},
			want: []string{"spec.template.spec.containers[0].image"},
		},
		{
			name: "no security context at all",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				d.Spec.Template.Spec.SecurityContext = nil
				d.Spec.Template.Spec.Containers[0].SecurityContext = nil
				d.Spec.Template.Spec.AutomountServiceAccountToken = nil
			},
			want: []string{
				pod + "automountServiceAccountToken",
				pod + "securityContext.runAsNonRoot",
				pod + "securityContext.runAsUser",
				pod + "securityContext.runAsGroup",
				pod + "securityContext.seccompProfile.type",
				ctr + "readOnlyRootFilesystem",
				ctr + "allowPrivilegeEscalation",
				ctr + "capabilities.drop",
			},
		},
		{
			name: "writable root, escalation, privileged, capabilities",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				sc := d.Spec.Template.Spec.Containers[0].SecurityContext
				sc.ReadOnlyRootFilesystem = ptr(false)
				sc.AllowPrivilegeEscalation = nil
				sc.Privileged = ptr(true)
				sc.Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE", "SYS_ADMIN"}}
			},
			want: []string{
				ctr + "readOnlyRootFilesystem",
				ctr + "allowPrivilegeEscalation",
				ctr + "privileged",
				ctr + "capabilities.drop",
				ctr + "capabilities.add",
			},
		},
		{
			name: "container runs as root",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				sc := d.Spec.Template.Spec.Containers[0].SecurityContext
				sc.RunAsUser = ptr(int64(0))
				sc.RunAsNonRoot = ptr(false)
			},
			want: []string{ctr + "runAsNonRoot", ctr + "runAsUser"},
		},
		{
			name: "container settings replace the pod's",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				d.Spec.Template.Spec.SecurityContext = nil
				sc := d.Spec.Template.Spec.Containers[0].SecurityContext
				sc.RunAsNonRoot = ptr(true)
				sc.RunAsUser = ptr(int64(1000))
				sc.RunAsGroup = ptr(int64(1000))
				sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
			},
		},
		{
			name: "unconfined seccomp, group 0",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				psc := d.Spec.Template.Spec.SecurityContext
				psc.SeccompProfile.Type = corev1.SeccompProfileTypeUnconfined
				psc.RunAsGroup = ptr(int64(0))
			},
			want: []string{pod + "securityContext.runAsGroup", pod + "securityContext.seccompProfile.type"},
		},
		{
			name: "host namespaces, token",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				d.Spec.Template.Spec.HostNetwork = true
				d.Spec.Template.Spec.HostPID = true
				d.Spec.Template.Spec.AutomountServiceAccountToken = ptr(true)
			},
			want: []string{pod + "automountServiceAccountToken", pod + "hostNetwork", pod + "hostPID"},
		},
		{
			name: "init container is checked too",
			change: func(d *appsv1.Deployment, _ *corev1.Service) {
				d.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "busybox"}}
			},
			want: []string{
				"spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem",
				"spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation",
				"spec.template.spec.initContainers[0].securityContext.capabilities.drop",
				"spec.template.spec.initContainers[0].image",
			},
		},
		{
			name:   "service selects nothing",
			change: func(_ *appsv1.Deployment, s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "other"} },
			want:   []string{"spec.selector"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			manifest := manifestOf(t, tc.change)
			findings, err := Check(manifest, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findings {
				got = append(got, f.Field)
				if f.Object == "" || f.Problem == "" {
					t.Errorf("finding %+v lacks its object or problem", f)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check findings (-want +got):\n%s\n%v", diff, findings)
			}
		})
	}
}

func TestCheckFindingLine(t *testing.T) {
	manifest := manifestOf(t, func(d *appsv1.Deployment, _ *corev1.Service) {
		d.Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem = nil
	})
	findings, err := Check(manifest)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Deployment hello: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: must be true: nothing can be written into the image at run time; mount an emptyDir where the app writes"}
	var got []string
	for _, f := range findings {
		got = append(got, f.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestCheckDocuments(t *testing.T) {
	generated, err := Manifest(hello())
	if err != nil {
		t.Fatal(err)
	}
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  containers:
  - name: bare
    image: nginx
`
	tests := []struct {
		name     string
		manifest string
		want     []string // findings as lines, only their "OBJECT: FIELD" part
		wantErr  string
	}{
		{name: "leading separator and comments", manifest: "---\n# only a comment\n---\n" + string(generated) + "\n...\n--- # end\n"},
		{name: "other kinds are skipped", manifest: string(generated) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"},
		{name: "no workload", manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", want: []string{"manifest: kind"}},
		{name: "empty", manifest: "", want: []string{"manifest: kind"}},
		{name: "pod", manifest: pod, want: []string{
			"Pod bare: spec.automountServiceAccountToken",
			"Pod bare: spec.securityContext.runAsNonRoot",
			"Pod bare: spec.securityContext.runAsUser",
			"Pod bare: spec.securityContext.runAsGroup",
			"Pod bare: spec.securityContext.seccompProfile.type",
			"Pod bare: spec.containers[0].securityContext.readOnlyRootFilesystem",
			"Pod bare: spec.containers[0].securityContext.allowPrivilegeEscalation",
			"Pod bare: spec.containers[0].securityContext.capabilities.drop",
			"Pod bare: spec.containers[0].image",
		}},
		{
			name:     "misspelt setting",
			manifest: strings.Replace(string(generated), "readOnlyRootFilesystem", "readOnlyRootFileSystem", 1),
			wantErr:  `document 1 (Deployment): unknown field "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem": a setting the Kubernetes API does not know is ignored`,
		},
		{
			name:     "unknown setting",
			manifest: strings.Replace(string(generated), "automountServiceAccountToken", "mountToken", 1),
			wantErr:  `unknown field "spec.template.spec.mountToken"`,
		},
		{
			name:     "repeated setting",
			manifest: strings.Replace(string(generated), "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n", 1),
			wantErr:  "document 1 (Deployment)",
		},
		{name: "not yaml", manifest: "apiVersion: apps/v1\nkind: Deployment\nspec: [\n", wantErr: "document 1"},
		{name: "wrong type", manifest: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: two\n", wantErr: "document 1 (Deployment)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			findings, err := Check([]byte(tc.manifest))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Check error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findings {
				got = append(got, f.Object+": "+f.Field)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckBadDigestOption(t *testing.T) {
	if _, err := Check(nil, WithDigest("latest")); err == nil || !strings.Contains(err.Error(), `"latest" is not a digest`) {
		t.Errorf("Check with digest \"latest\" = %v, want an error", err)
	}
}
