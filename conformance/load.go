package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrBadCassette is wrapped by every error about a cassette's content, so
// errors.Is(err, conformance.ErrBadCassette) tells a broken file from a
// failing provider.
var ErrBadCassette = errors.New("conformance: bad cassette")

// CassetteError is one problem with a cassette. Several are joined with
// errors.Join. It wraps ErrBadCassette.
type CassetteError struct {
	// File is the cassette's path, "" for one built in memory.
	File string
	// Line is the line of a syntax error or unknown field, 0 when unknown.
	Line int
	// Where locates the problem: `scenario "refresh": interactions[1].response`.
	Where string
	// Reason says what is wrong.
	Reason string
}

// Error implements error: the file, the line and place in it, and the reason.
func (e *CassetteError) Error() string {
	s := "conformance: bad cassette"
	if e.File != "" {
		s += " " + strconv.Quote(e.File)
		if e.Line > 0 {
			s += " line " + strconv.Itoa(e.Line)
		}
	}
	if e.Where != "" {
		s += ": " + e.Where
	}
	return s + ": " + e.Reason
}

// Unwrap returns ErrBadCassette.
func (e *CassetteError) Unwrap() error { return ErrBadCassette }

// Parse decodes and validates a cassette. Unknown fields, trailing data and
// every problem Validate finds are errors wrapping ErrBadCassette.
func Parse(data []byte) (*Cassette, error) { return parse(data, "") }

// Load reads and parses one cassette file.
func Load(path string) (*Cassette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	return parse(data, path)
}

// LoadDir loads every *.json file of dir, in name order, and merges them
// into one cassette: the same provider, scenarios appended (names must stay
// unique), shared interactions appended, values and keys merged (a name
// bound twice to different values is an error), ID tokens merged (each
// defined in one file). The clock of the first file that sets
// one is used. A directory without cassettes is an error wrapping
// fs.ErrNotExist.
func LoadDir(dir string) (*Cassette, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	if len(paths) == 0 {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("conformance: no cassette directory: %w", serr)
		}
		return nil, fmt.Errorf("conformance: no *.json cassette in %q: %w", dir, os.ErrNotExist)
	}
	sort.Strings(paths)
	files := make([]*Cassette, len(paths))
	// Values, keys and ID tokens bound in one file may be used in the
	// others: each file is checked against all of them.
	bound := &Cassette{Values: map[string]string{}, Keys: map[string]json.RawMessage{}, IDTokens: map[string]IDTokenTemplate{}}
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
		if files[i], err = decode(data, p); err != nil {
			return nil, err
		}
		maps.Copy(bound.Values, files[i].Values)
		maps.Copy(bound.Keys, files[i].Keys)
		maps.Copy(bound.IDTokens, files[i].IDTokens)
	}
	var errs []error
	for i, c := range files {
		errs = append(errs, c.validateIn(paths[i], true, bound))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := files[0]
	for i, c := range files[1:] {
		if err := out.merge(c, paths[i+1]); err != nil {
			return nil, err
		}
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Cassette) merge(o *Cassette, file string) error {
	bad := func(reason string, args ...any) error {
		return &CassetteError{File: file, Reason: fmt.Sprintf(reason, args...)}
	}
	if o.Provider != c.Provider {
		return bad("provider %q differs from %q in the other files", o.Provider, c.Provider)
	}
	if c.Clock.IsZero() {
		c.Clock = o.Clock
	}
	for k, v := range o.Values {
		if old, ok := c.Values[k]; ok && old != v {
			return bad("value %q is bound differently in another file", k)
		}
		if c.Values == nil {
			c.Values = map[string]string{}
		}
		c.Values[k] = v
	}
	for k, v := range o.Keys {
		if old, ok := c.Keys[k]; ok && !bytes.Equal(old, v) {
			return bad("key %q is defined differently in another file", k)
		}
		if c.Keys == nil {
			c.Keys = map[string]json.RawMessage{}
		}
		c.Keys[k] = v
	}
	for k, v := range o.IDTokens {
		if _, ok := c.IDTokens[k]; ok {
			return bad("ID token %q is defined in another file too", k)
		}
		if c.IDTokens == nil {
			c.IDTokens = map[string]IDTokenTemplate{}
		}
		c.IDTokens[k] = v
	}
	c.Shared = append(c.Shared, o.Shared...)
	c.Scenarios = append(c.Scenarios, o.Scenarios...)
	return nil
}

func parse(data []byte, file string) (*Cassette, error) {
	c, err := decode(data, file)
	if err != nil {
		return nil, err
	}
	if err := c.validate(file, true); err != nil {
		return nil, err
	}
	return c, nil
}

// decode reads a cassette without checking its content.
func decode(data []byte, file string) (*Cassette, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	var c Cassette
	if err := d.Decode(&c); err != nil {
		e := &CassetteError{File: file, Reason: describeJSONError(err)}
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			e.Line = lineAt(data, se.Offset)
		case strings.Contains(err.Error(), "unknown field "):
			e.Line = unknownFieldLine(data, err.Error())
		}
		return nil, e
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, &CassetteError{File: file, Line: lineAt(data, d.InputOffset()), Reason: "trailing data after the cassette object"}
	}
	return &c, nil
}

// describeJSONError rewords encoding/json's errors without its "json: "
// prefix.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("field %q: a JSON %s cannot be a %s", te.Field, te.Value, te.Type)
	}
	if errors.Is(err, io.EOF) {
		return "empty file"
	}
	s := err.Error()
	if len(s) > 6 && s[:6] == "json: " {
		s = s[6:]
	}
	return s
}

// unknownFieldLine finds the line of the first member named as in
// encoding/json's "unknown field" message; 0 when it cannot tell.
func unknownFieldLine(data []byte, msg string) int {
	_, name, ok := strings.Cut(msg, "unknown field ")
	if !ok {
		return 0
	}
	re, err := regexp.Compile(regexp.QuoteMeta(name) + `\s*:`)
	if err != nil {
		return 0
	}
	loc := re.FindIndex(data)
	if loc == nil {
		return 0
	}
	return lineAt(data, int64(loc[0]))
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}
