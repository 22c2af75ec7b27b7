package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/providers"
	"github.com/spf13/cobra"
)

func newCheckCmd(a *app, g *globals) *cobra.Command {
	f := &targetFlags{}
	cmd := &cobra.Command{
		Use:   "check DIR",
		Short: "Run the conformance kit on a cassette directory",
		Long: `check replays every cassette (*.json) of DIR against the provider, as
conformance.Check does: the requests the library sends must match the recording
exactly, and the token, user or typed error it makes of the answers must match
the expectations. It prints one line per scenario with where its shapes come
from, the problems of the failing ones, and how many scenarios are unverified
(their source is "unverified: ..." or missing).

The provider is the one the flags name, else the one DIR/provider.yaml
describes (record writes it), else the built-in provider the cassette names,
built as the repository's own conformance suite builds it. No credentials are
needed: the replay uses fake ones.`,
		Example: example(
			"oauth20 check conformance/testdata/github",
			"oauth20 check testdata/acme --spec acme.yaml",
			"oauth20 check testdata/idp --json",
		),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			c, err := conformance.LoadDir(dir)
			if err != nil {
				return usageError(err)
			}
			spec, err := checkSpec(f, dir, c)
			if err != nil {
				return err
			}
			if err := spec.recordable(); err != nil {
				return err
			}
			p, cleanup, err := spec.buildFake()
			if err != nil {
				return err
			}
			defer cleanup()
			report, err := conformance.Check(cmd.Context(), p, c)
			if err != nil {
				return usageError(err)
			}
			if g.json {
				if err := writeJSON(a.stdout, newCheckJSON(report)); err != nil {
					return err
				}
			} else {
				printReport(a.stdout, report)
			}
			if !report.OK() {
				return failure(errReported)
			}
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

// checkSpec chooses the provider of a cassette directory.
func checkSpec(f *targetFlags, dir string, c *conformance.Cassette) (*specFile, error) {
	if f.provider != "" || f.issuer != "" || f.specPath != "" {
		return f.spec()
	}
	path := filepath.Join(dir, specFileName)
	if _, err := os.Stat(path); err == nil {
		return loadSpec(path)
	}
	if _, err := findBuiltin(c.Provider); err != nil {
		return nil, usagef("the cassette's provider %q is not built in: give --spec FILE or --issuer URL, or put %s in %s", c.Provider, specFileName, dir)
	}
	return &specFile{Provider: c.Provider}, nil
}

// buildFake builds the provider with fake credentials for a replay. A
// built-in provider without settings is built as internal/builtin builds
// it for the repository's conformance suite, with the fixed values its
// cassettes were written for. Where the real client signs with a key
// (Apple, private_key_jwt), a throwaway key is used; cleanup removes it.
func (s *specFile) buildFake() (*core.Provider, func(), error) {
	cleanup := func() {}
	if s.Provider != "" && len(s.Settings) == 0 {
		for _, b := range builtin.All() {
			if b.Name == s.Provider {
				opts := []providers.Option{providers.WithRedirectURL(fakeRedirectURL)}
				if s.Name != "" {
					opts = append(opts, providers.WithName(s.Name))
				}
				p, err := b.New(fakeClientID, fakeClientSecret, opts...)
				return p, cleanup, usageError(err)
			}
		}
	}
	c := *s
	keyNeeded := (c.Provider == "apple" && c.Settings["key-file"] == "") ||
		(c.Endpoints != nil && core.AuthMethod(c.AuthMethod) == core.AuthPrivateKeyJWT && c.PrivateKeyFile == "")
	if keyNeeded {
		path, err := throwawayKey()
		if err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { _ = os.Remove(path) }
		if c.Provider != "" {
			c.Settings = copyMap(c.Settings)
			c.Settings["key-file"] = path
		} else {
			c.PrivateKeyFile, c.dir = path, ""
		}
	}
	p, err := c.build(fakeClientID, fakeClientSecret, buildOptions{redirectURL: fakeRedirectURL})
	return p, cleanup, err
}

// throwawayKey writes a fresh P-256 key to a temporary file.
func throwawayKey() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "oauth20-check-*.pem")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return "", err
	}
	return f.Name(), nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkJSON is check's --json output.
type checkJSON struct {
	Provider   string             `json:"provider"`
	OK         bool               `json:"ok"`
	Scenarios  []checkScenarioOut `json:"scenarios"`
	Unverified int                `json:"unverified"`
}

type checkScenarioOut struct {
	Name     string   `json:"name"`
	Source   string   `json:"source,omitempty"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems,omitempty"`
}

func newCheckJSON(r *conformance.Report) checkJSON {
	out := checkJSON{Provider: r.Provider, OK: r.OK(), Unverified: r.Unverified}
	for _, s := range r.Scenarios {
		out.Scenarios = append(out.Scenarios, checkScenarioOut{Name: s.Name, Source: s.Source, OK: len(s.Problems) == 0, Problems: s.Problems})
	}
	return out
}

func printReport(w io.Writer, r *conformance.Report) {
	failed := 0
	s := &section{}
	for _, sc := range r.Scenarios {
		mark := "ok"
		if len(sc.Problems) > 0 {
			mark = "FAIL"
			failed++
		}
		source := sc.Source
		if source == "" {
			source = "(no source)"
		}
		s.rows = append(s.rows, [2]string{mark + "\t" + sc.Name, source})
	}
	fmt.Fprintf(w, "Provider %s\n", r.Provider)
	s.print(w)
	for _, sc := range r.Scenarios {
		if len(sc.Problems) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", sc.Name)
		for _, p := range sc.Problems {
			fmt.Fprintf(w, "  - %s\n", strings.ReplaceAll(p, "\n", "\n    "))
		}
	}
	fmt.Fprintf(w, "\n%d scenarios, %d failed, %d unverified\n", len(r.Scenarios), failed, r.Unverified)
}
