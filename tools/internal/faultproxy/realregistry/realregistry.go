package realregistry

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Binary finds the registry binary: on PATH, else in $RULES_DISTILL_BIN,
// else in ${XDG_CACHE_HOME:-$HOME/.cache}/rules_distill/bin, where
// tests/setup.sh installs it.
func Binary() (string, error) {
	if p, err := exec.LookPath("registry"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("RULES_DISTILL_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "rules_distill", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "registry")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("finding distribution's registry binary: not on PATH nor in %s: run tests/setup.sh (it installs it) and source tests/lib/env.sh", strings.Join(dirs, ", "))
}

// Registry is a running registry.
type Registry struct {
	// Addr is its HOST:PORT on 127.0.0.1.
	Addr string
	// Dir holds its configuration, log and storage.
	Dir string
}

// Start starts a registry for the test and stops it when the test ends.
// A missing binary fails the test: CI installs it.
func Start(t testing.TB) *Registry {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var lastErr error
	// A free port can be taken between choosing and binding it: try a few.
	for range 5 {
		reg, err := start(t, bin, dir)
		if err == nil {
			return reg
		}
		lastErr = err
	}
	t.Fatalf("starting the registry: %v", lastErr)
	return nil
}

func start(t testing.TB, bin, dir string) (*Registry, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	config := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)
	configPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		return nil, fmt.Errorf("writing the registry's configuration: %w", err)
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, fmt.Errorf("creating the registry's log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve", configPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// No telemetry exporters: nothing of the registry's leaves the machine.
	cmd.Env = append(os.Environ(), "OTEL_SDK_DISABLED=true", "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=none", "OTEL_LOGS_EXPORTER=none")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Kill() //nolint:errcheck // it may have exited
		<-exited
	}
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("the registry exited (%v); its log:\n%s", err, log)
		default:
		}
		resp, err := client.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			select {
			case err := <-exited: // another server holds the port
				exited <- err
				continue
			default:
			}
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return &Registry{Addr: addr, Dir: dir}, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(logFile.Name())
			return nil, errors.Join(fmt.Errorf("the registry did not answer on %s within 30s; its log:\n%s", addr, log), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port on 127.0.0.1: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
