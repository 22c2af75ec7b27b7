package core

import (
	"encoding/json"
	"reflect"
	"testing"
)

var recordSeeds = []flowRecord{
	{State: "st", Provider: "p", RedirectURI: "https://rp.example/cb", ReturnTo: "/", Created: 1},
	{State: "Xk3v9Qm2cP0aT7sLwY4eRb8nHj1uZ6dG5fKq-oIx_Ac", Verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		Nonce: "q8Rz2Wm5Yt1Lk9Vb3Nc7Xa0Ps4Dh6Fg", Provider: "google", RedirectURI: "https://rp.example/auth/google/callback",
		ReturnTo: "/me?tab=1", Issuer: "https://accounts.example", MaxAge: 300, MaxAgeSet: true, Created: 1_700_000_000},
	{MaxAgeSet: true, Created: -5},
	{ReturnTo: "/a&b<c>", RedirectURI: "https://rp.example/cb?x=\"y\"", Issuer: "https://ex\u2028ample", Nonce: "é", Created: 7},
	{State: "\x00\xff", Created: 0},
	{State: "st", Provider: "p", Created: 2, AppState: `{"cart":"c-7"}`, TokenOnly: true},
	{State: "st", Provider: "p", Created: 3, AppState: "invite-42"},
}

func TestFlowRecordCodec(t *testing.T) {
	t.Parallel()
	for _, rec := range recordSeeds {
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.marshal(); string(got) != string(want) {
			t.Errorf("marshal\n got %s\nwant %s", got, want)
		}
		var back, ref flowRecord
		if err := back.unmarshal(want); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(want, &ref)
		if back != ref {
			t.Errorf("unmarshal %s\n got %+v\nwant %+v", want, back, ref)
		}
	}
	// Records of another shape go through encoding/json.
	for _, s := range []string{`{"S":"x","c":1}`, `{"s":null,"c":1}`, `{"c":1.0}`, `{"c":1e3}`, `{"x":[1],"c":2}`, `{"s":"a\/b"}`} {
		var got, want flowRecord
		errGot, errWant := got.unmarshal([]byte(s)), json.Unmarshal([]byte(s), &want)
		if (errGot == nil) != (errWant == nil) || errGot == nil && got != want {
			t.Errorf("%s: got %+v (%v), want %+v (%v)", s, got, errGot, want, errWant)
		}
	}
}

// FuzzFlowRecord holds the hand-written record codec to encoding/json.
func FuzzFlowRecord(f *testing.F) {
	for _, rec := range recordSeeds {
		b, _ := json.Marshal(rec)
		f.Add(string(b))
	}
	f.Add(`{"s":"a","s":"b","c":1,"m":-3,"ms":false}`)
	f.Fuzz(func(t *testing.T, s string) {
		var got, want flowRecord
		errGot, errWant := got.unmarshal([]byte(s)), json.Unmarshal([]byte(s), &want)
		if (errGot == nil) != (errWant == nil) || errGot == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("unmarshal: got %+v (%v), encoding/json %+v (%v)", got, errGot, want, errWant)
		}
		if errGot != nil {
			return
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if m := got.marshal(); string(m) != string(b) {
			t.Fatalf("marshal: got %s, encoding/json %s", m, b)
		}
	})
}
