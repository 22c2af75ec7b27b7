package realop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/internal/filelock"
)

// installTimeout bounds one `npm ci`.
const installTimeout = 5 * time.Minute

// stampName is written into node_modules after a successful `npm ci`; it
// holds a hash of package.json and package-lock.json, so a changed lock file
// makes node_modules stale.
const stampName = ".realop-stamp"

// installOnce makes the install check run once per test binary; the file
// lock in ensureModulesLocked serializes binaries of different packages.
var (
	installOnce sync.Once
	installErr  error
)

// ensureModules runs `npm ci` in dir unless node_modules is current.
func ensureModules(npm, dir string) error {
	installOnce.Do(func() { installErr = ensureModulesLocked(npm, dir) })
	return installErr
}

func ensureModulesLocked(npm, dir string) error {
	unlock, err := filelock.Lock(filepath.Join(dir, ".realop.lock"))
	if err != nil {
		return fmt.Errorf("realop: lock the node folder: %w", err)
	}
	defer unlock()

	want, err := manifestHash(dir)
	if err != nil {
		return err
	}
	stamp := filepath.Join(dir, "node_modules", stampName)
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err == nil {
			return nil
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("realop: npm ci in %s: %w\n%s", dir, err, out.Bytes())
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		return fmt.Errorf("realop: write install stamp: %w", err)
	}
	return nil
}

// manifestHash hashes package.json and package-lock.json.
func manifestHash(dir string) (string, error) {
	h := sha256.New()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("realop: read %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
