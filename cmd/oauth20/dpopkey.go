package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
)

// DPoP keys (RFC 9449) as the CLI keeps them. A login with --dpop binds
// its tokens to a fresh ES256 key, or to the key that --dpop-key names.
// --save writes the key beside the token file, as FILE.dpop.pem (PKCS#8
// PEM, mode 0600), and the token file records the key's thumbprint
// (dpop_jkt, which is public). refresh, revoke, introspect and userinfo
// take the key from --dpop-key, else from beside the token file, and check
// it against dpop_jkt before anything is sent.
//
// A DPoP token is never sent without a proof of its key: without the key,
// refresh and userinfo refuse to run. revoke and introspect run without it
// (with a note), because neither presents the token as a credential: it
// goes in the request body, under the client's own authentication, and
// revoking is what to do with a token whose key is lost.

// dpopKeySuffix names the key file beside a token file.
const dpopKeySuffix = ".dpop.pem"

// dpopKeyPath is where the key of the token file path is kept.
func dpopKeyPath(tokenFile string) string { return tokenFile + dpopKeySuffix }

// isDPoP reports whether t is a DPoP-bound token.
func isDPoP(t *core.Token) bool {
	return t != nil && strings.EqualFold(t.TokenType, core.TokenTypeDPoP)
}

// readDPoPKey reads a PEM private key (PKCS#8, SEC 1 or PKCS#1, as keygen
// writes it) as a DPoP key: ECDSA P-256, P-384 or P-521, Ed25519, or RSA
// of 2048 bits or more.
func readDPoPKey(path string) (*dpop.Key, error) {
	signer, err := readPrivateKey(path)
	if err != nil {
		return nil, usageError(fmt.Errorf("DPoP key: %w", err))
	}
	k, err := dpop.NewKey(signer)
	if err != nil {
		return nil, usageError(fmt.Errorf("DPoP key %s: %w", path, err))
	}
	return k, nil
}

// describeKey names a key by its algorithm and thumbprint, never its
// private part.
func describeKey(k *dpop.Key) string {
	return k.Algorithm() + ", thumbprint " + k.Thumbprint()
}

// loginKey returns the DPoP key of a login: the one of --dpop-key, else a
// fresh ES256 key when --dpop or the spec file's dpop asks for one, else
// nil. fresh tells a made key from a read one.
func (f *loginFlags) loginKey(s *specFile) (key *dpop.Key, fresh bool, err error) {
	switch {
	case f.dpopKeyFile != "":
		key, err = readDPoPKey(f.dpopKeyFile)
		return key, false, err
	case f.dpop || s.DPoP:
		key, err = dpop.GenerateKey(dpop.ES256)
		return key, true, err
	}
	return nil, false, nil
}

// tokenKey returns the DPoP key for a token command: the one of
// --dpop-key, else, for a DPoP token read from a file, the one saved
// beside it; nil when there is none. A key whose thumbprint is not the
// token file's dpop_jkt is refused.
func (f *tokenFlags) tokenKey(in *tokenInput) (*dpop.Key, error) {
	path := f.dpopKeyFile
	if path == "" {
		if !in.bound() || f.tokenFile == "-" {
			return nil, nil
		}
		path = dpopKeyPath(f.tokenFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	key, err := readDPoPKey(path)
	if err != nil {
		return nil, err
	}
	if in.jkt != "" && key.Thumbprint() != in.jkt {
		return nil, usagef("the DPoP key in %s is not the one the token is bound to: its thumbprint is %s, the token file's dpop_jkt %s", path, key.Thumbprint(), in.jkt)
	}
	return key, nil
}

// errKeyNotFound is the refusal of refresh and userinfo for a DPoP token
// whose key tokenKey did not find.
func (f *tokenFlags) errKeyNotFound() error {
	if f.tokenFile == "-" {
		return usagef("the token is DPoP-bound and was read from standard input: give its key with --dpop-key FILE (a DPoP token is never sent without a proof of its key)")
	}
	return usagef("the token is DPoP-bound and its key is not in %s: give it with --dpop-key FILE (a DPoP token is never sent without a proof of its key)", dpopKeyPath(f.tokenFile))
}

// writeDPoPKey writes k as PKCS#8 PEM to path, readable by the owner only.
func writeDPoPKey(path string, k *dpop.Key) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer())
	if err != nil {
		return fmt.Errorf("saving the DPoP key: %w", err)
	}
	if err := writePrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return fmt.Errorf("saving the DPoP key: %w", err)
	}
	return nil
}

// writePrivate replaces path with data, readable by the owner only. It
// writes a temporary file (os.CreateTemp makes it with mode 0600) in the
// same directory and renames it over path: a file that exists with a wider
// mode does not keep it, and no reader sees half a key or token. A
// symbolic link is followed (the file it names is replaced), and what is
// not a regular file (a named pipe, /dev/stdout) is written to as it is.
func writePrivate(path string, data []byte) error {
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return os.WriteFile(path, data, 0o600)
		}
		if path, err = filepath.EvalSymlinks(path); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
	}
	return err
}
