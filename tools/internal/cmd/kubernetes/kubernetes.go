package kubernetes

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/rules-distill/rules_distill/tools/internal/cli"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
	"github.com/rules-distill/rules_distill/tools/pkg/kube"
)

// Command is `distill kubernetes`.
var Command = cli.Command{
	Name:    "kubernetes",
	Summary: "write a hardened Deployment + Service manifest for an image pinned by digest, or --check one",
	Usage: "--name NAME --image REPO --digest-file DIGEST [--replicas N] [--container-port PORT] [--service-port PORT] " +
		"[--service-type LoadBalancer|ClusterIP|NodePort] [--user UID[:GID]] [--label K=V]... [--probes=false] " +
		"[--cpu-request Q] [--memory-request Q] [--cpu-limit Q] [--memory-limit Q] --output kubernetes.yaml" +
		" | --check kubernetes.yaml [--digest-file DIGEST]",
	Run: Run,
}

// generateOnly are the flags that only writing a manifest takes.
var generateOnly = []string{
	"name", "image", "replicas", "container-port", "service-port", "service-type", "user", "label",
	"probes", "cpu-request", "memory-request", "cpu-limit", "memory-limit", "output",
}

// Run runs `distill kubernetes` with args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	d := kube.Defaults()
	fs := cli.NewFlagSet("kubernetes")
	name := fs.String("name", "", "`NAME` of the Deployment, the Service and the container; the pods get the label app=NAME")
	image := fs.String("image", "", "the repository `REPO` the image is pushed to (HOST/PATH, no tag): the manifest uses REPO@DIGEST")
	digestFile := fs.String("digest-file", "", "`FILE` holding the image digest sha256:<hex>, as the image's .digest output; with --check, the digest every image must be pinned to")
	replicas := fs.Int("replicas", int(d.Replicas), "number of pods")
	containerPort := fs.Int("container-port", int(d.ContainerPort), "`PORT` the app listens on; the probes and the Service target it")
	servicePort := fs.Int("service-port", int(d.ServicePort), "`PORT` the Service listens on")
	serviceType := fs.String("service-type", d.ServiceType, "Service `TYPE`: LoadBalancer, ClusterIP or NodePort")
	user := fs.String("user", d.User, "numeric `UID[:GID]` the pod runs as (not 0); fsGroup is GID")
	var labels cli.Strings
	fs.Var(&labels, "label", "`KEY=VALUE` added to both objects and the pods, repeatable")
	probes := fs.Bool("probes", d.Probes, "add readiness and liveness probes (HTTP GET / on the container port)")
	cpuRequest := fs.String("cpu-request", d.CPURequest, "CPU request `Q` (empty: none)")
	memoryRequest := fs.String("memory-request", d.MemoryRequest, "memory request `Q` (empty: none)")
	cpuLimit := fs.String("cpu-limit", "", "CPU limit `Q` (empty: none)")
	memoryLimit := fs.String("memory-limit", "", "memory limit `Q` (empty: none)")
	output := fs.String("output", "", "where to write the manifest (`kubernetes.yaml`)")
	check := fs.String("check", "", "check the manifest `FILE` instead of writing one: print each missing hardening setting and fail")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}

	if cli.IsSet(fs, "check") {
		for _, f := range generateOnly {
			if cli.IsSet(fs, f) {
				return cli.Usagef(fs, "--check takes --digest-file only, not --%s", f)
			}
		}
		return runCheck(*check, *digestFile, stdout, stderr)
	}

	var missing []string
	for _, f := range []string{"name", "image", "digest-file", "output"} {
		if !cli.IsSet(fs, f) {
			missing = append(missing, "--"+f)
		}
	}
	if len(missing) > 0 {
		return cli.Usagef(fs, "missing required flag %s (or --check FILE)", strings.Join(missing, ", "))
	}
	o := kube.Options{
		Name:          *name,
		Repository:    *image,
		User:          *user,
		ServiceType:   *serviceType,
		Probes:        *probes,
		CPURequest:    *cpuRequest,
		MemoryRequest: *memoryRequest,
		CPULimit:      *cpuLimit,
		MemoryLimit:   *memoryLimit,
	}
	for _, n := range []struct {
		flag  string
		value int
		dst   *int32
	}{
		{"replicas", *replicas, &o.Replicas},
		{"container-port", *containerPort, &o.ContainerPort},
		{"service-port", *servicePort, &o.ServicePort},
	} {
		if n.value < math.MinInt32 || n.value > math.MaxInt32 {
			return cli.Usagef(fs, "--%s %d is out of range", n.flag, n.value)
		}
		*n.dst = int32(n.value)
	}
	for _, l := range labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return cli.Usagef(fs, "--label %q: want KEY=VALUE", l)
		}
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		o.Labels[k] = v
	}
	if err := o.Validate(); err != nil {
		return cli.Usagef(fs, "%v", err)
	}
	digest, err := kube.ReadDigest(*digestFile)
	if err != nil {
		return err
	}
	o.Digest = digest
	manifest, err := kube.Manifest(o)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(*output, manifest)
}

// runCheck checks the manifest at path: each finding is one line on stderr,
// and any finding fails the command.
func runCheck(path, digestFile string, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading manifest: %w", err)
	}
	var opts []kube.CheckOption
	if digestFile != "" {
		digest, err := kube.ReadDigest(digestFile)
		if err != nil {
			return err
		}
		opts = append(opts, kube.WithDigest(digest))
	}
	findings, err := kube.Check(data, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, f := range findings {
		fmt.Fprintf(stderr, "distill kubernetes: %s: %s\n", path, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%s: %d hardening setting(s) missing, listed above", path, len(findings))
	}
	_, err = fmt.Fprintf(stdout, "%s: hardened\n", path)
	return err
}
