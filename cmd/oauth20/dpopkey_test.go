package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
)

// TestLoginDPoPBearerAnswer: a login with --dpop sends dpop_jkt and
// proofs; a provider that ignores them (oidctest) answers a Bearer token,
// which the output says is not bound, and no key is saved for it.
func TestLoginDPoPBearerAnswer(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	c := newCLI(t).confidential()
	c.browser = oidctestBrowser(op)
	save := filepath.Join(t.TempDir(), "token.json")
	r := c.mustRun(0, "login", "--issuer", op.Issuer(), "--dpop", "--save", save)

	auth, tok := op.Requests(oidctest.AuthorizeEndpoint), op.Requests(oidctest.TokenEndpoint)
	if len(auth) != 1 || auth[0].Query.Get("dpop_jkt") == "" {
		t.Errorf("authorization request without dpop_jkt: %+v", auth)
	}
	if len(tok) != 1 || strings.Count(tok[0].Header.Get("DPoP"), ".") != 2 {
		t.Errorf("token request without a DPoP proof: %+v", tok)
	}
	if !strings.Contains(r.stdout, "DPoP      asked for, but the provider issued a Bearer token, not bound to the key") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if _, err := os.Stat(dpopKeyPath(save)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key was saved for a Bearer token: %v", err)
	}
	saved, err := readToken(&app{}, save)
	if err != nil || saved.bound() || saved.token.TokenType != "Bearer" {
		t.Errorf("saved token: %+v, %v", saved, err)
	}
}

// failingTransport fails the test for any request: the command should
// have stopped before sending one.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.t.Errorf("a request was sent: %s %s", req.Method, req.URL)
	return nil, errors.New("no network in this test")
}

// TestDPoPTokenWithoutItsKey: refresh and userinfo refuse a DPoP token
// whose key is missing, another, or not a key, before anything is sent
// (exit 2, saying what to do).
func TestDPoPTokenWithoutItsKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, other := newKey(t), newKey(t)
	saved := filepath.Join(dir, "token.json")
	tok := &core.Token{AccessToken: "access-123", RefreshToken: "refresh-456", TokenType: core.TokenTypeDPoP}
	if err := saveToken(saved, tok, key); err != nil {
		t.Fatal(err)
	}
	keyless := filepath.Join(dir, "keyless.json")
	if err := os.Rename(saved, keyless); err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(dir, "other.pem")
	if err := writeDPoPKey(otherFile, other); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(keyless)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		stderr string
	}{
		{name: "no key beside", args: []string{"--token-file", keyless},
			stderr: "the token is DPoP-bound and its key is not in " + keyless + dpopKeySuffix + ": give it with --dpop-key FILE"},
		{name: "standard input", stdin: string(data),
			stderr: "the token is DPoP-bound and was read from standard input: give its key with --dpop-key FILE"},
		{name: "another key", args: []string{"--token-file", keyless, "--dpop-key", otherFile},
			stderr: "the DPoP key in " + otherFile + " is not the one the token is bound to"},
		{name: "not a key", args: []string{"--token-file", keyless, "--dpop-key", keyless}, stderr: "DPoP key: private key " + keyless + ": no PEM block"},
		{name: "no such key", args: []string{"--token-file", keyless, "--dpop-key", filepath.Join(dir, "nothing.pem")}, stderr: "DPoP key: private key: open"},
	}
	for _, cmd := range []string{"userinfo", "refresh"} {
		for _, tt := range tests {
			t.Run(cmd+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c := newCLI(t).confidential()
				c.httpClient = &http.Client{Transport: failingTransport{t}}
				c.stdin = tt.stdin
				r := c.mustRun(2, append([]string{cmd, "--issuer", "http://127.0.0.1:9"}, tt.args...)...)
				if !strings.Contains(r.stderr, tt.stderr) {
					t.Errorf("stderr does not say %q:\n%s", tt.stderr, r.stderr)
				}
				if strings.Contains(r.stderr, "access-123") || strings.Contains(r.stderr, "refresh-456") {
					t.Error("a token was printed")
				}
			})
		}
	}
}

// TestRevokeDPoPTokenWithoutItsKey: revocation does not present the token
// as a credential, so a DPoP token whose key is lost can still be revoked,
// with a note.
func TestRevokeDPoPTokenWithoutItsKey(t *testing.T) {
	t.Parallel()
	op := startOP(t)
	path := filepath.Join(t.TempDir(), "token.json")
	tok := &core.Token{AccessToken: "access-123", RefreshToken: "refresh-456", TokenType: core.TokenTypeDPoP}
	if err := saveToken(path, tok, newKey(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dpopKeyPath(path)); err != nil {
		t.Fatal(err)
	}
	r := newCLI(t).confidential().mustRun(0, "revoke", "--issuer", op.Issuer(), "--token-file", path)
	if !strings.Contains(r.stderr, "its key was not found: it is sent without a proof") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	reqs := op.Requests(oidctest.RevocationEndpoint)
	if len(reqs) != 1 || reqs[0].Form.Get("token") != "refresh-456" || reqs[0].Header.Get("DPoP") != "" {
		t.Errorf("revocation request: %+v", reqs)
	}
}

// TestSaveTokenFiles: a DPoP token is saved with its key beside it, both
// of mode 0600 even over files that had a wider one, through a symbolic
// link to the file it names; a DPoP token without a key is not saved.
func TestSaveTokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := newKey(t)
	target := filepath.Join(dir, "real.json")
	for _, f := range []string{target, dpopKeyPath(filepath.Join(dir, "token.json"))} {
		if err := os.WriteFile(f, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "token.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	tok := &core.Token{AccessToken: "a", TokenType: core.TokenTypeDPoP}
	if err := saveToken(link, tok, key); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v, %v", fi, err)
	}
	for _, f := range []string{target, dpopKeyPath(link)} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", f, fi, err)
		}
	}
	var j tokenJSON
	data, err := os.ReadFile(target)
	if err != nil || json.Unmarshal(data, &j) != nil || j.DPoPJKT != key.Thumbprint() || j.AccessToken != "a" {
		t.Errorf("token file %s: %v", data, err)
	}
	if strings.Contains(string(data), "PRIVATE") {
		t.Error("the token file holds the key")
	}
	back, err := readDPoPKey(dpopKeyPath(link))
	if err != nil || back.Thumbprint() != key.Thumbprint() {
		t.Errorf("the key read back: %v, %v", back, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
	if err := saveToken(filepath.Join(dir, "x.json"), tok, nil); err == nil {
		t.Error("a DPoP token was saved without its key")
	}
}

// TestRecordRefusesExtensions: the conformance kit neither records nor
// replays pushed requests or DPoP proofs, and record and check say so.
func TestRecordRefusesExtensions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, field := range []string{"par", "dpop"} {
		spec := filepath.Join(dir, field+".yaml")
		if err := os.WriteFile(spec, []byte("issuer: http://127.0.0.1:9\n"+field+": true\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := newCLI(t).confidential()
		c.httpClient = &http.Client{Transport: failingTransport{t}}
		for _, args := range [][]string{
			{"record", "--spec", spec, "--out", filepath.Join(dir, "out")},
			{"check", "--spec", spec, filepath.Join("..", "..", "conformance", "testdata", "github")},
		} {
			r := c.mustRun(2, args...)
			if !strings.Contains(r.stderr, "records and replays neither pushed authorization requests nor DPoP proofs") {
				t.Errorf("%v: %s", args, r.stderr)
			}
		}
	}
}

func newKey(t *testing.T) *dpop.Key {
	t.Helper()
	k, err := dpop.GenerateKey(dpop.ES256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
