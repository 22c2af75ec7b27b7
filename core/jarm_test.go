package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// jarmVerifier verifies "signed" responses of the form
// "jarm:" + form-encoded parameters, and refuses anything else.
type jarmVerifier struct{ recordingVerifier }

var errFakeSignature = errors.New("fake: bad signature")

func (*jarmVerifier) VerifyAuthResponse(_ context.Context, response string) (url.Values, error) {
	rest, ok := strings.CutPrefix(response, "jarm:")
	if !ok {
		return nil, errFakeSignature
	}
	return url.ParseQuery(rest)
}

func jarmEnv(t *testing.T, mode string, v IDTokenVerifier) *flowEnv {
	e := newFlowEnv(t, func(s *ProviderSpec) {
		s.OIDC, s.JARM = true, mode
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Issuer: s.Client.Issuer, Endpoints: s.Client.Endpoints, Verifier: v}, nil
		}
	})
	e.f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"Bearer","id_token":"h.p.s"}`)
	return e
}

// TestJARMComplete: the authorization request asks for the response mode;
// the callback is read from the verified response alone, whose iss is
// checked as RFC 9207's; a missing or refused response fails with 400
// before anything else of the callback is used.
func TestJARMComplete(t *testing.T) {
	t.Parallel()
	e := jarmEnv(t, JARMQuery, &jarmVerifier{})
	q, c := e.begin(t, "fake", BeginOptions{})
	if q.Get("response_mode") != JARMQuery {
		t.Fatalf("response_mode %q", q.Get("response_mode"))
	}
	inner := url.Values{"code": {"good-code"}, "state": {q.Get("state")}, "iss": {e.f.URL}}
	// Parameters beside the response are not read: a forged code there
	// would be used otherwise.
	cb := url.Values{"response": {"jarm:" + inner.Encode()}, "code": {"forged"}, "state": {"forged"}}
	res, _, err := e.auth.Complete(context.Background(), "fake", cb, jar(c))
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.AccessToken != "at" {
		t.Errorf("token %v", res.Token)
	}

	for name, tc := range map[string]struct {
		cb   url.Values
		want error
	}{
		"no response":        {url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, ErrInvalidCallback},
		"refused response":   {url.Values{"response": {"forged"}}, errFakeSignature},
		"wrong iss inside":   {url.Values{"response": {"jarm:" + url.Values{"code": {"c"}, "state": {"s"}, "iss": {"https://evil.example"}}.Encode()}}, ErrAuthResponseIssuer},
		"no state inside":    {url.Values{"response": {"jarm:code=c"}}, ErrStateMismatch},
		"error inside (401)": {url.Values{"response": {"jarm:" + url.Values{"error": {"access_denied"}, "state": {"s"}}.Encode()}}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			q, c := e.begin(t, "fake", BeginOptions{})
			if name == "wrong iss inside" || name == "error inside (401)" {
				inner, _ := url.ParseQuery(strings.TrimPrefix(tc.cb.Get("response"), "jarm:"))
				inner.Set("state", q.Get("state"))
				tc.cb = url.Values{"response": {"jarm:" + inner.Encode()}}
			}
			_, _, err := e.auth.Complete(context.Background(), "fake", tc.cb, jar(c))
			if tc.want == nil {
				if !errors.Is(err, ErrAccessDenied) || statusOf(err) != http.StatusUnauthorized {
					t.Fatalf("err %v (%d), want access_denied 401", err, statusOf(err))
				}
				return
			}
			if !errors.Is(err, tc.want) || statusOf(err) != http.StatusBadRequest {
				t.Fatalf("err %v (%d), want %v and 400", err, statusOf(err), tc.want)
			}
		})
	}
}

// TestJARMConfig: the response mode must be one the server can read, the
// form-post mode makes the flow cookie cross-site, and a verifier that
// cannot verify responses is a configuration error.
func TestJARMConfig(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	for _, mode := range []string{"fragment.jwt", "query", "JWT"} {
		_, err := NewProvider(ProviderSpec{Name: "x", OIDC: true, JARM: mode, Client: Config{ClientID: "c", Endpoints: f.endpoints()},
			FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }})
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("mode %q: %v", mode, err)
		}
	}
	if _, err := NewProvider(ProviderSpec{Name: "x", JARM: JARMJWT, Client: Config{ClientID: "c", Endpoints: f.endpoints()},
		FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("JARM without OIDC: %v", err)
	}
	p := testProvider(t, f, "fp", func(s *ProviderSpec) { s.OIDC, s.JARM = true, JARMFormPost })
	if !p.spec.FormPost {
		t.Error("form_post.jwt does not set FormPost")
	}
	e := jarmEnv(t, JARMJWT, &recordingVerifier{})
	_, c := e.begin(t, "fake", BeginOptions{})
	if _, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"response": {"a.b.c"}}, jar(c)); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("verifier without VerifyAuthResponse: %v", err)
	}
}
