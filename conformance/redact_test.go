package conformance

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want bodyKind
	}{
		{"empty", "  \n", bodyEmpty},
		{"json object", `{"b":1,"a":[true,null,"x"]}`, bodyJSON},
		{"json array", `[{"email":"a@b"}]`, bodyJSON},
		{"json with trailing data", `{"a":1} {"b":2}`, bodyOpaque},
		{"jsonp", `callback( {"openid":"x"} );`, bodyJSONP},
		{"jsonp without semicolon", `cb({"a":1})`, bodyJSONP},
		{"form", "access_token=abc&expires_in=7776000&refresh_token=def", bodyForm},
		{"form with an empty value", "error=&x=1", bodyForm},
		{"jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", bodyJWT},
		{"plain text", "Bad Request", bodyLine},
		{"one word", "OK", bodyLine},
		{"json null", "null", bodyLine},
		{"html", "<html><body>hello</body></html>", bodyOpaque},
		{"three dotted words", "a.b.c", bodyLine},
		{"two lines", "Bad\nRequest", bodyOpaque},
		{"a long text", strings.Repeat("Bad Request ", 11), bodyOpaque},
		{"not UTF-8", "Bad \xff Request", bodyOpaque},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := parseBody([]byte(tt.body)).kind; got != tt.want {
				t.Errorf("parseBody(%q) = %d, want %d", tt.body, got, tt.want)
			}
		})
	}
}

// TestOrderedJSON checks that a body is written back with its members in
// order and its numbers as they were spelt.
func TestOrderedJSON(t *testing.T) {
	t.Parallel()
	in := `{"z":1.50,"a":{"y":[1,2e3,"<&>"],"b":null},"m":false}`
	v, err := parseOrderedJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := orderedJSONText(v); got != in {
		t.Errorf("got %s, want %s", got, in)
	}
}

func TestMayHoldSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    string
		want bool
	}{
		{"2022-11-28", false},
		{"application/vnd.github+json", false},
		{"id,name,email,picture.type(large)", false},
		{"profile_image_url,description", false},
		{"{{access_token}}", false},
		{"Bearer {{access_token}}", false},
		{"1000002", false},
		{"abcdefghijklmnopqrstuvwxyz", false},
		{"0a1b2c3d4e5f6a7b8c9d", true},
		{"AbCdEfGhIjKlMnOpQr", true},
		{"550e8400-e29b-41d4-a716-446655440000", true},
		{"jane@example.com", true},
		{"sk_L1ve_{{client_id}}_0123456789abcdef", true},
	}
	for _, tt := range tests {
		if got := mayHoldSecret(tt.v); got != tt.want {
			t.Errorf("mayHoldSecret(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestReplaceWord(t *testing.T) {
	t.Parallel()
	tests := []struct{ s, old, want string }{
		{"https://github.com/jane/repos", "jane", "https://github.com/X/repos"},
		{"janet and jane", "jane", "janet and X"},
		{"female", "male", "female"},
		{"code=abc123, again abc123", "abc123", "code=X, again X"},
		{"-tok-", "-tok-", "X"},
	}
	for _, tt := range tests {
		if got := replaceWord(tt.s, tt.old, "X"); got != tt.want {
			t.Errorf("replaceWord(%q, %q) = %q, want %q", tt.s, tt.old, got, tt.want)
		}
	}
}

// FuzzParseBody checks that any body is classified without panicking and
// that a JSON body written back decodes to the same value.
func FuzzParseBody(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","n":1.0}`, `callback( {"openid":"x"} );`, "a=1&b=%7B%7D",
		"eyJhbGciOiJub25lIn0.e30.", "<html>", `[1,"2",{"3":[]}]`, `{"a":"\u003c\ud83d\ude00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pb := parseBody(b)
		if pb.kind != bodyJSON && pb.kind != bodyJSONP {
			if pb.kind == bodyForm {
				if _, ok := parseForm(writeForm(pb.form)); !ok {
					t.Fatalf("a form written back does not parse: %q", writeForm(pb.form))
				}
			}
			return
		}
		out := orderedJSONText(pb.tree)
		var a, c any
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatalf("written back %q does not decode: %v", out, err)
		}
		again, err := parseOrderedJSON([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(orderedJSONText(again)), &c); err != nil || !reflect.DeepEqual(a, c) {
			t.Fatalf("not stable: %q", out)
		}
	})
}
