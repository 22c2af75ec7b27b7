package hydra

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/internal/filelock"
)

// Version is the Hydra release that the build module pins.
const Version = "v2.3.0"

// EnvBinary names the environment variable that points at a prebuilt hydra
// binary; when set, nothing is built and no Go toolchain is needed.
const EnvBinary = "OAUTH20_HYDRA_BIN"

// buildTimeout bounds one `go build` of Hydra. A cold build (empty module
// and build caches) takes a minute or two on two cores.
const buildTimeout = 15 * time.Minute

// hydraPackage is the main package of Hydra, built from the build module.
const hydraPackage = "github.com/ory/hydra/v2"

// buildTags select SQLite, for dsn: memory, without extension loading.
const buildTags = "sqlite,sqlite_omit_load_extension"

// ErrUnavailable is wrapped by the errors of [New] when Hydra cannot be had
// on this machine: no Go toolchain or no C compiler to build it, and no
// prebuilt binary in OAUTH20_HYDRA_BIN. [Start] skips the test then, unless
// OAUTH20_E2E=1.
var ErrUnavailable = errors.New("hydra: cannot build Ory Hydra here")

// binaryOnce makes the build run once per test binary; the file lock in
// buildLocked serializes test binaries of different packages.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the path of a hydra binary: the one in OAUTH20_HYDRA_BIN,
// or the one built from the build module into the user's cache directory,
// building it first when it is missing. The build runs once per machine for
// each version of build/go.mod and build/go.sum.
func Binary() (string, error) {
	binaryOnce.Do(func() { binaryPath, binaryErr = findOrBuild() })
	return binaryPath, binaryErr
}

func findOrBuild() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if !isFile(p) {
			return "", fmt.Errorf("hydra: %s=%s is not a file", EnvBinary, p)
		}
		return p, nil
	}
	src, err := buildDir()
	if err != nil {
		return "", err
	}
	sum, err := buildHash(src)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir(), "hydra-"+Version+"-"+sum)
	bin := filepath.Join(dir, "hydra")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	// The binary is renamed into place when complete, so one that exists
	// is whole.
	if isFile(bin) {
		return bin, nil
	}

	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: the go command is not in PATH (or set %s to a hydra binary)", ErrUnavailable, EnvBinary)
	}
	if err := checkCCompiler(goTool); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("hydra: create the cache folder: %w", err)
	}
	if err := buildLocked(goTool, src, dir, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// buildLocked builds bin unless another process already did, holding the
// lock of the cache folder meanwhile.
func buildLocked(goTool, src, dir, bin string) error {
	unlock, err := filelock.Lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return fmt.Errorf("hydra: lock the cache folder: %w", err)
	}
	defer unlock()
	if isFile(bin) {
		return nil // built by another process meanwhile
	}

	tmp := bin + ".tmp"
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-tags", buildTags, "-o", tmp, hydraPackage)
	cmd.Dir = src
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=1",
		"GOWORK=off",
		// The committed go.sum is complete, so the build changes no file in
		// the source tree; GOFLAGS from the environment (-mod=vendor, -race
		// ...) would only get in the way.
		"GOFLAGS=-mod=readonly",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("hydra: go build %s in %s failed after %v: %w\n%s",
			hydraPackage, src, time.Since(began).Round(time.Second), err, out.Bytes())
	}
	if err := os.Rename(tmp, bin); err != nil {
		return fmt.Errorf("hydra: move the built binary into place: %w", err)
	}
	return nil
}

// checkCCompiler finds the C compiler that cgo would use: go env CC.
func checkCCompiler(goTool string) error {
	out, err := exec.Command(goTool, "env", "CC").Output()
	if err != nil {
		return fmt.Errorf("%w: go env CC: %v", ErrUnavailable, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return fmt.Errorf("%w: go env CC names no C compiler, and cgo needs one for SQLite", ErrUnavailable)
	}
	if _, err := exec.LookPath(fields[0]); err != nil {
		return fmt.Errorf("%w: the C compiler %q (go env CC) is not in PATH, and cgo needs one for SQLite", ErrUnavailable, fields[0])
	}
	return nil
}

// buildDir is the build module's folder, found next to this source file.
func buildDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("hydra: cannot locate the package source")
	}
	dir := filepath.Join(filepath.Dir(file), "build")
	if _, err := os.Stat(filepath.Join(dir, "go.sum")); err != nil {
		return "", fmt.Errorf("hydra: the build module is missing: %w", err)
	}
	return dir, nil
}

// buildHash names a build: a hash of build/go.mod, build/go.sum and the
// build tags, so that a change to any of them builds anew.
func buildHash(dir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("hydra: read build/%s: %w", name, err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	fmt.Fprintf(h, "tags %s\n", buildTags)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// cacheDir is os.UserCacheDir()/oauth20, or a folder in the temporary
// directory where the user has no cache directory.
func cacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "oauth20")
}

// isFile reports whether path is a regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
