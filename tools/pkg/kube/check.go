package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Finding is one hardening setting a workload of a manifest lacks.
type Finding struct {
	// Object is the kind and name, e.g. "Deployment hello".
	Object string
	// Field is the path of the setting in the object, e.g.
	// "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem".
	Field string
	// Problem says what the setting should be and why.
	Problem string
}

// String returns the finding as one line: "OBJECT: FIELD: PROBLEM".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Object, f.Field, f.Problem)
}

// CheckOption tunes Check.
type CheckOption func(*checkOptions)

type checkOptions struct {
	digest string
}

// WithDigest makes Check require every container image to be pinned to
// digest ("sha256:<hex>"), not just to some digest.
func WithDigest(digest string) CheckOption {
	return func(o *checkOptions) { o.digest = digest }
}

// Check parses a multi-document manifest with the Kubernetes API types and
// returns, in document order, every hardening setting its workloads lack:
// the settings Manifest writes. Deployments, StatefulSets, DaemonSets,
// ReplicaSets (apps/v1) and Pods (v1) are checked; a Service must select the
// pods of one of them. Other kinds are skipped. A manifest without any
// workload is a finding. A document that does not parse, or that has a field
// the API types do not know (a misspelt setting would otherwise be dropped
// silently), is an error.
func Check(manifest []byte, options ...CheckOption) ([]Finding, error) {
	var opts checkOptions
	for _, o := range options {
		o(&opts)
	}
	if opts.digest != "" {
		if err := checkDigest(opts.digest); err != nil {
			return nil, err
		}
	}
	docs, err := splitDocuments(manifest)
	if err != nil {
		return nil, err
	}
	var findings []Finding
	var pods []map[string]string // pod template labels of every workload
	var services []*corev1.Service
	for i, doc := range docs {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "apps/v1 StatefulSet":
			obj = &appsv1.StatefulSet{}
		case "apps/v1 DaemonSet":
			obj = &appsv1.DaemonSet{}
		case "apps/v1 ReplicaSet":
			obj = &appsv1.ReplicaSet{}
		case "v1 Pod":
			obj = &corev1.Pod{}
		case "v1 Service":
			obj = &corev1.Service{}
		default:
			continue
		}
		if err := decodeStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i+1, meta.Kind, err)
		}
		var podMeta metav1.ObjectMeta
		var spec *corev1.PodSpec
		var prefix string
		var objMeta metav1.ObjectMeta
		switch o := obj.(type) {
		case *appsv1.Deployment:
			objMeta, podMeta, spec, prefix = o.ObjectMeta, o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
		case *appsv1.StatefulSet:
			objMeta, podMeta, spec, prefix = o.ObjectMeta, o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
		case *appsv1.DaemonSet:
			objMeta, podMeta, spec, prefix = o.ObjectMeta, o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
		case *appsv1.ReplicaSet:
			objMeta, podMeta, spec, prefix = o.ObjectMeta, o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec, "spec.template.spec"
		case *corev1.Pod:
			objMeta, podMeta, spec, prefix = o.ObjectMeta, o.ObjectMeta, &o.Spec, "spec"
		case *corev1.Service:
			services = append(services, o)
			continue
		}
		pods = append(pods, podMeta.Labels)
		c := checker{object: meta.Kind + " " + objMeta.Name, prefix: prefix, digest: opts.digest}
		c.pod(spec)
		findings = append(findings, c.findings...)
	}
	if len(pods) == 0 {
		findings = append(findings, Finding{Object: "manifest", Field: "kind", Problem: "no Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod to check"})
	}
	for _, s := range services {
		if len(s.Spec.Selector) == 0 {
			continue // endpoints managed by hand
		}
		selector := labels.SelectorFromSet(s.Spec.Selector)
		matched := false
		for _, l := range pods {
			matched = matched || selector.Matches(labels.Set(l))
		}
		if !matched {
			findings = append(findings, Finding{
				Object:  "Service " + s.Name,
				Field:   "spec.selector",
				Problem: fmt.Sprintf("selects no pods of this manifest (%s): the Service would have no endpoints", selector),
			})
		}
	}
	return findings, nil
}

// decodeStrict decodes a YAML document as the API server does: field names
// are case-sensitive, and an unknown or repeated field is an error.
func decodeStrict(doc []byte, obj any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		// "yaml: unmarshal errors:\n  line 6: ...": one line, as errors are.
		return errors.New(strings.Join(strings.Fields(err.Error()), " "))
	}
	strict, err := kjson.UnmarshalStrict(j, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("%s: a setting the Kubernetes API does not know is ignored; fix its spelling", strings.Join(msgs, "; "))
	}
	return nil
}

// splitDocuments splits YAML at "---" lines and drops documents that hold
// only comments and blank lines.
func splitDocuments(data []byte) ([][]byte, error) {
	var docs [][]byte
	var cur bytes.Buffer
	empty := true
	flush := func() {
		if !empty {
			docs = append(docs, bytes.Clone(cur.Bytes()))
		}
		cur.Reset()
		empty = true
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line := sc.Text()
		if line == "---" || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "---\t") {
			flush()
			continue
		}
		if line == "..." {
			continue
		}
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			empty = false
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	flush()
	return docs, nil
}

type checker struct {
	object, prefix, digest string
	findings               []Finding
	seen                   map[string]bool
}

func (c *checker) add(field, problem string) {
	if c.seen[field] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[field] = true
	c.findings = append(c.findings, Finding{Object: c.object, Field: field, Problem: problem})
}

func (c *checker) pod(spec *corev1.PodSpec) {
	p := c.prefix
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		c.add(p+".automountServiceAccountToken", "must be false: the app does not call the Kubernetes API, so its pods need no service account token to steal")
	}
	for _, host := range []struct {
		field string
		on    bool
	}{{"hostNetwork", spec.HostNetwork}, {"hostPID", spec.HostPID}, {"hostIPC", spec.HostIPC}} {
		if host.on {
			c.add(p+"."+host.field, "must be false: it shares the node's namespaces with the pod")
		}
	}
	psc := spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if len(spec.Containers) == 0 {
		c.add(p+".containers", "no container to check")
	}
	containers := map[string][]corev1.Container{"containers": spec.Containers, "initContainers": spec.InitContainers}
	for _, kind := range []string{"initContainers", "containers"} {
		for i, ctr := range containers[kind] {
			c.container(fmt.Sprintf("%s.%s[%d]", p, kind, i), psc, ctr)
		}
	}
}

func (c *checker) container(cp string, psc *corev1.PodSecurityContext, ctr corev1.Container) {
	pp := c.prefix + ".securityContext"
	sc := ctr.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	// Where the effective value of a setting comes from: the container's own
	// securityContext when it sets one, else the pod's.
	where := func(set bool, field string) string {
		if set {
			return cp + ".securityContext." + field
		}
		return pp + "." + field
	}

	nonRoot := psc.RunAsNonRoot
	if sc.RunAsNonRoot != nil {
		nonRoot = sc.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		c.add(where(sc.RunAsNonRoot != nil, "runAsNonRoot"), "must be true: the kubelet then refuses to start the container as root")
	}
	uid := psc.RunAsUser
	if sc.RunAsUser != nil {
		uid = sc.RunAsUser
	}
	if uid == nil || *uid == 0 {
		c.add(where(sc.RunAsUser != nil, "runAsUser"), "must be a non-zero uid, e.g. 65532 (nonroot): without a number the kubelet trusts the image's USER")
	}
	gid := psc.RunAsGroup
	if sc.RunAsGroup != nil {
		gid = sc.RunAsGroup
	}
	if gid == nil || *gid == 0 {
		c.add(where(sc.RunAsGroup != nil, "runAsGroup"), "must be a non-zero gid, e.g. 65532: group 0 is root's group")
	}
	seccomp := psc.SeccompProfile
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile
	}
	if seccomp == nil || (seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
		c.add(where(sc.SeccompProfile != nil, "seccompProfile.type"), "must be RuntimeDefault (or Localhost): without a seccomp profile every system call is allowed")
	}

	sp := cp + ".securityContext."
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		c.add(sp+"readOnlyRootFilesystem", "must be true: nothing can be written into the image at run time; mount an emptyDir where the app writes")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		c.add(sp+"allowPrivilegeEscalation", "must be false: no setuid binary or file capability can raise the process's privileges")
	}
	if sc.Privileged != nil && *sc.Privileged {
		c.add(sp+"privileged", "must be false: a privileged container has every capability and the node's devices")
	}
	dropsAll := false
	var added []string
	if sc.Capabilities != nil {
		for _, capability := range sc.Capabilities.Drop {
			dropsAll = dropsAll || strings.EqualFold(string(capability), "ALL")
		}
		for _, capability := range sc.Capabilities.Add {
			if capability != "NET_BIND_SERVICE" {
				added = append(added, string(capability))
			}
		}
	}
	if !dropsAll {
		c.add(sp+"capabilities.drop", "must hold ALL: the app needs no Linux capability")
	}
	if len(added) > 0 {
		c.add(sp+"capabilities.add", fmt.Sprintf("adds %s: only NET_BIND_SERVICE may be added back", strings.Join(added, ", ")))
	}

	if _, err := name.NewDigest(ctr.Image); err != nil {
		c.add(cp+".image", fmt.Sprintf("%q is not pinned by digest: write REPOSITORY@sha256:..., so every pod runs the image that was built and tested", ctr.Image))
	} else if c.digest != "" && !strings.HasSuffix(ctr.Image, "@"+c.digest) {
		c.add(cp+".image", fmt.Sprintf("%q is not the expected image %s", ctr.Image, c.digest))
	}
}
