package conformance

import (
	"errors"
	"strings"
	"testing"
)

// minimal is a valid cassette with one revocation scenario; the table
// below breaks it in one place at a time.
const minimal = `{
  "provider": "acme",
  "scenarios": [{
    "name": "revocation",
    "op": "revocation",
    "interactions": [{
      "request": {"method": "POST", "url": "https://as.example/revoke", "auth": "client_secret_basic",
                  "form": {"token": "{{access_token}}"}},
      "response": {"status": 200}
    }]
  }]
}`

func TestParseMinimal(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Scenarios[0].Interactions[0].Request.Auth.Method; got != "client_secret_basic" {
		t.Fatalf("auth method %q", got)
	}
}

func TestParseBadCassettes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string
		want     string
		line     int
	}{
		{"unknown field", `"op": "revocation",`, `"op": "revocation", "opp": 1,`, `unknown field "opp"`, 5},
		{"response without status", `"response": {"status": 200}`, `"response": {"headers": {"A": "b"}}`, `interactions[0].response: no status`, 0},
		{"placeholder never bound", `{{access_token}}`, `{{acess_token}}`, `placeholder {{acess_token}} is never bound`, 0},
		{"unterminated placeholder", `{{access_token}}`, `{{access_token`, `unterminated placeholder`, 0},
		{"invalid placeholder", `{{access_token}}`, `{{Access Token}}`, `invalid placeholder "{{Access Token}}"`, 0},
		{"wildcard in an answer", `"response": {"status": 200}`, `"response": {"status": 200, "body": "{{*}}"}`, `the wildcard {{*}} only matches request values`, 0},
		{"unknown auth method", `"client_secret_basic"`, `"client_secret_bsaic"`, `unknown auth method "client_secret_bsaic"`, 0},
		{"unknown auth object", `"client_secret_basic"`, `{"digest": "x"}`, `unknown field "digest"`, 0},
		{"unknown op", `"op": "revocation"`, `"op": "revoke"`, `unknown operation "revoke"`, 0},
		{"scenario name with a space", `"name": "revocation"`, `"name": "revoke it"`, `use lowercase letters`, 0},
		{"URL with a query", `https://as.example/revoke"`, `https://as.example/revoke?x=1"`, `has a query: list its parameters in query`, 0},
		{"two bodies", `"form": {"token": "{{access_token}}"}`, `"form": {}, "body": "x"`, `give one of form, json and body`, 0},
		{"status out of range", `"status": 200`, `"status": 999`, `999 is not an HTTP status`, 0},
		{"syntax error", `"op": "revocation",`, `"op": "revocation",,`, `invalid character`, 5},
		{"wrong type", `"status": 200`, `"status": "200"`, `cannot be a int`, 0},
		{"no expect", `"op": "revocation",`, `"op": "exchange",`, `expect: missing`, 0},
		{"error expect without code", `"op": "revocation",`, `"op": "revocation", "expect": {"error": {"status": 400}},`, `give code (an OAuth error code) or is`, 0},
		{"unknown sentinel", `"op": "revocation",`, `"op": "revocation", "expect": {"error": {"is": "timeout"}},`, `unknown sentinel "timeout"`, 0},
		{"token from a revocation", `"op": "revocation",`, `"op": "revocation", "expect": {"token": {"access_token": "x", "token_type": "Bearer"}},`, `a revocation returns no token`, 0},
		{"builtin redefined", `"provider": "acme",`, `"provider": "acme", "values": {"code": "x"},`, `name "code" is bound by the replay`, 0},
		{"no provider", `"provider": "acme",`, `"provider": "",`, `provider is empty`, 0},
		{"trailing data", `]
}`, `]
} {}`, `trailing data`, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(minimal, tt.old, tt.new, 1)
			if src == minimal {
				t.Fatalf("the replacement of %q did not apply", tt.old)
			}
			_, err := parse([]byte(src), "testdata/acme/bad.json")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrBadCassette) {
				t.Errorf("error %v does not wrap ErrBadCassette", err)
			}
			var ce *CassetteError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CassetteError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), `conformance: bad cassette "testdata/acme/bad.json"`) {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.line != 0 && ce.Line != tt.line {
				t.Errorf("line %d, want %d", ce.Line, tt.line)
			}
		})
	}
}

func TestLoadDirMissing(t *testing.T) {
	t.Parallel()
	if _, err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.json cassette") {
		t.Fatalf("err = %v", err)
	}
}

func TestMatchWildcard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		want, got string
		ok        bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"{{*}}", "x", true},
		{"{{*}}", "", false},
		{"a.{{*}}.c", "a.b.c", true},
		{"a.{{*}}.c", "a..c", false},
		{"{{*}}.{{*}}", "x.y.z", true},
		{"Bearer {{*}}", "Basic x", false},
	}
	for _, tt := range tests {
		if got := match(tt.want, tt.got); got != tt.ok {
			t.Errorf("match(%q, %q) = %t", tt.want, tt.got, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"provider":"x","scenarios":[{"name":"a","op":"user","expect":{"user":{"id":"{{"}}}]}`))
	f.Add([]byte(`{"provider":"x","scenarios":[{"name":"a","op":"authorization_url","authorization":{"url":"::","query":{"{{*}}":"}}"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil && !errors.Is(err, ErrBadCassette) {
			t.Fatalf("error %v does not wrap ErrBadCassette", err)
		}
		if err == nil && c == nil {
			t.Fatal("nil cassette without error")
		}
	})
}
