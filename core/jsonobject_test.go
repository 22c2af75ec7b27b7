package core

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// slowObject is the reference: what encoding/json makes of b.
func slowObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, ErrMalformedResponse
	}
	return m, nil
}

var objectSeeds = []string{
	okToken,
	`{}`, `{ }`, "{\t\"a\" :\r\n1 }", `{"a":null}`, `{"a":true,"b":false}`, `{"a":[]}`, `{"a":{}}`,
	`{"a":[1,"x",null,{"b":[true]}]}`, `{"a":1,"a":2}`, `{"a":{"x":1},"a":"y"}`,
	`{"n":-0,"m":0.5,"e":1e400,"f":-12.5E-3,"g":10}`, `{"s":"héllo wörld ✓"}`,
	`{"code":0,"data":{"access_token":"a","expires_in":1.5}}`, `{"scope":["a","b"]}`,
	// Beyond the fast path: encoding/json decides.
	`{"s":"a\/b"}`, `{"s":"\u00e9"}`, "{\"s\":\"\xff\"}", `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`,
	`{"a":1e}`, `{"a":tru}`, `{"a":truex}`, `{"a":1}}`, `{"a":1} x`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`,
	`{"a":[1,]}`, `{"a":[1 2]}`, "{\"a\":\"\x01\"}", `{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`,
	`{"a":1`, `{"a":"x`, `{`, `{"a":nul}`, `{"a":-01}`, `{"a":1E+}`, `{"a":2E+3}`,
}

func TestFastObject(t *testing.T) {
	t.Parallel()
	fast := map[string]bool{
		okToken: true, `{"a":1,"a":2}`: true, `{"a":[1,"x",null,{"b":[true]}]}`: true,
		`{"n":-0,"m":0.5,"e":1e400,"f":-12.5E-3,"g":10}`: true, `{"s":"héllo wörld ✓"}`: true, `{"a":2E+3}`: true,
		`{"s":"a\/b"}`: false, "{\"s\":\"\xff\"}": false, `{"a":01}`: false, `{"a":1}}`: false,
	}
	for _, s := range objectSeeds {
		got, ok := fastObject([]byte(s))
		if want, listed := fast[s]; listed && ok != want {
			t.Errorf("%q: fast path %t, want %t", s, ok, want)
		}
		want, err := slowObject([]byte(s))
		if ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("%q: fast path gave %#v, encoding/json %#v (%v)", s, got, want, err)
		}
	}
	// The values are what the pipeline reads.
	m, ok := fastObject([]byte(`{"access_token":"at","expires_in":3600,"ok":true,"x":null,"scope":["a"],"d":{}}`))
	if !ok || m["access_token"] != "at" || m["expires_in"] != json.Number("3600") || m["ok"] != true ||
		m["x"] != nil || !reflect.DeepEqual(m["scope"], []any{"a"}) || !reflect.DeepEqual(m["d"], map[string]any{}) {
		t.Fatalf("%#v", m)
	}
	if _, present := m["x"]; !present {
		t.Error("a null member is present with a nil value")
	}
}

// FuzzFastObject holds the hand-written decoder to encoding/json: whatever
// it accepts, encoding/json decodes to the same value.
func FuzzFastObject(f *testing.F) {
	for _, s := range objectSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fastObject([]byte(s))
		if !ok {
			return
		}
		want, err := slowObject([]byte(s))
		if err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v)", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("fast path %#v, encoding/json %#v", got, want)
		}
	})
}
