package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// Runtimes lists the runtimes that auto tries, in order.
var Runtimes = []string{"podman", "docker"}

// Find returns the path of the runtime to use: runtime itself ("podman" or
// "docker"), or with "auto" (or "") the first of Runtimes on PATH.
func Find(runtime string) (string, error) {
	candidates := Runtimes
	switch runtime {
	case "", "auto":
	case "podman", "docker":
		candidates = []string{runtime}
	default:
		return "", fmt.Errorf("runtime %q: want auto, podman or docker", runtime)
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	if len(candidates) == 1 {
		return "", fmt.Errorf("%s not found on PATH: install %s, or use --runtime auto", runtime, runtime)
	}
	return "", errors.New("neither podman nor docker found on PATH: install podman or docker")
}

// Load runs `<runtime> load -i tarball`, passing its output through.
func Load(ctx context.Context, runtime, tarball string, stdout, stderr io.Writer) error {
	bin, err := Find(runtime)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "load", "-i", tarball)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s load -i %s: %w", bin, tarball, err)
	}
	return nil
}
