package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
)

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// section prints a heading and aligned name/value rows under it.
type section struct {
	title string
	rows  [][2]string
}

func (s *section) add(name, value string) {
	if value != "" {
		s.rows = append(s.rows, [2]string{name, value})
	}
}

func (s *section) print(w io.Writer) {
	if len(s.rows) == 0 {
		return
	}
	indent := ""
	if s.title != "" {
		fmt.Fprintln(w, s.title)
		indent = "  "
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range s.rows {
		fmt.Fprintf(tw, "%s%s\t%s\n", indent, r[0], r[1])
	}
	_ = tw.Flush()
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
}

// printSections prints sections separated by blank lines.
func printSections(w io.Writer, ss ...*section) {
	first := true
	for _, s := range ss {
		if s == nil || len(s.rows) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(w)
		}
		first = false
		s.print(w)
	}
}

// tokenJSON is a token answer as the CLI prints and saves it: the fields
// of core.Token, the tokens themselves only when asked for. A saved token
// file has this shape, and refresh, revoke, introspect and userinfo read
// it back.
type tokenJSON struct {
	TokenType    string     `json:"token_type,omitempty"`
	AccessToken  string     `json:"access_token,omitempty"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	IDToken      string     `json:"id_token,omitempty"`
	Scope        string     `json:"scope,omitempty"`
	Expiry       *time.Time `json:"expiry,omitempty"`
	// DPoPJKT is the thumbprint (RFC 7638) of the DPoP key a DPoP token is
	// bound to: public, it tells which key the token needs.
	DPoPJKT string `json:"dpop_jkt,omitempty"`
	// Hidden names the tokens the answer has but the output leaves out
	// (--show-tokens prints them).
	Hidden []string `json:"hidden,omitempty"`
}

// newTokenJSON describes t, with the tokens when show is set. key is the
// DPoP key the client holds, or nil: a DPoP token names its thumbprint.
func newTokenJSON(t *core.Token, show bool, key *dpop.Key) *tokenJSON {
	j := &tokenJSON{TokenType: t.TokenType, Scope: t.Scope}
	if key != nil && isDPoP(t) {
		j.DPoPJKT = key.Thumbprint()
	}
	if !t.Expiry.IsZero() {
		e := t.Expiry.UTC()
		j.Expiry = &e
	}
	for _, f := range []struct {
		name  string
		value string
		dst   *string
	}{
		{"access_token", t.AccessToken, &j.AccessToken},
		{"refresh_token", t.RefreshToken, &j.RefreshToken},
		{"id_token", t.IDToken, &j.IDToken},
	} {
		switch {
		case f.value == "":
		case show:
			*f.dst = f.value
		default:
			j.Hidden = append(j.Hidden, f.name)
		}
	}
	return j
}

// token returns the core.Token the JSON describes.
func (j *tokenJSON) token() *core.Token {
	t := &core.Token{TokenType: j.TokenType, AccessToken: j.AccessToken, RefreshToken: j.RefreshToken, IDToken: j.IDToken, Scope: j.Scope}
	if j.Expiry != nil {
		t.Expiry = *j.Expiry
	}
	return t
}

// saveToken writes t with its tokens to path, readable by the owner only.
// A DPoP token's key (key, which the client that got the token holds) is
// written first, beside it (see dpopkey.go), so that the token file never
// exists without its key.
func saveToken(path string, t *core.Token, key *dpop.Key) error {
	if isDPoP(t) {
		if key == nil {
			return errors.New("saving the token: it is DPoP-bound and there is no key to save with it")
		}
		if err := writeDPoPKey(dpopKeyPath(path), key); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if err := writeJSON(&b, newTokenJSON(t, true, key)); err != nil {
		return err
	}
	if err := writePrivate(path, b.Bytes()); err != nil {
		return fmt.Errorf("saving the token: %w", err)
	}
	return nil
}

// tokenSection describes a token without revealing it, unless show.
func tokenSection(t *core.Token, show bool, now time.Time) *section {
	s := &section{title: "Token"}
	s.add("type", t.TokenType)
	s.add("access token", describeSecret(t.AccessToken, show))
	s.add("refresh token", describeSecret(t.RefreshToken, show))
	s.add("ID token", describeSecret(t.IDToken, show))
	s.add("scope", t.Scope)
	if !t.Expiry.IsZero() {
		s.add("expires", fmt.Sprintf("%s (%s)", t.Expiry.UTC().Format(time.RFC3339), relative(t.Expiry, now)))
	}
	return s
}

// describeSecret says what a token is (its kind and length) or, when show,
// prints it.
func describeSecret(v string, show bool) string {
	switch {
	case v == "":
		return ""
	case show:
		return v
	case strings.Count(v, ".") == 2:
		return fmt.Sprintf("JWT, %d bytes (--show-tokens prints it)", len(v))
	}
	return fmt.Sprintf("opaque, %d bytes (--show-tokens prints it)", len(v))
}

// relative says how far t is from now: "in 59m59s" or "1m0s ago".
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d == 0 {
		return "now"
	}
	if d > 0 {
		return "in " + d.String()
	}
	return (-d).String() + " ago"
}

// userSection describes a user.
func userSection(u *core.User) *section {
	s := &section{title: "User"}
	if u == nil {
		return s
	}
	s.add("id", u.ID)
	if u.Email != "" {
		if u.EmailVerified {
			s.add("email", u.Email+" (verified)")
		} else {
			s.add("email", u.Email+" (not verified)")
		}
	}
	s.add("name", u.Name)
	s.add("username", u.Username)
	s.add("avatar", u.AvatarURL)
	s.add("union id", u.UnionID)
	return s
}

// timeClaims are the claims that hold NumericDate values.
var timeClaims = []string{"exp", "iat", "nbf", "auth_time", "updated_at"}

// claimsSection lists a JWT's claims in name order, times as dates.
func claimsSection(title string, claims map[string]any) *section {
	s := &section{title: title}
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s.add(k, claimString(k, claims[k]))
	}
	return s
}

// claimString formats one claim value.
func claimString(name string, v any) string {
	if n, ok := v.(json.Number); ok && slices.Contains(timeClaims, name) {
		if secs, err := n.Int64(); err == nil {
			return time.Unix(secs, 0).UTC().Format(time.RFC3339)
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = claimString("", p)
		}
		return strings.Join(parts, " ")
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jwtParts decodes the header and payload of a compact JWS without
// verifying anything, for display. Callers print what the library has
// verified, or say that it is not verified.
func jwtParts(raw string) (header, payload map[string]any, err error) {
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("not a compact JWS: %d segments, want 3", len(parts))
	}
	decode := func(seg, what string) (map[string]any, error) {
		b, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			return nil, fmt.Errorf("%s is not base64url", what)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		m := map[string]any{}
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("%s is not a JSON object", what)
		}
		return m, nil
	}
	if header, err = decode(parts[0], "header"); err != nil {
		return nil, nil, err
	}
	if payload, err = decode(parts[1], "payload"); err != nil {
		return nil, nil, err
	}
	return header, payload, nil
}
