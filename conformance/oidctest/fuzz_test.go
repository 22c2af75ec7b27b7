package oidctest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzTokenRequest sends arbitrary bodies and Authorization headers to the
// token endpoint: the server must answer with a JSON OAuth error (or a
// token), never panic and never a 5xx.
func FuzzTokenRequest(f *testing.F) {
	srv := New(f, WithAlgorithm("ES256"), WithClients(basicClient, postClient, publicClient))
	f.Add("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Frp.example%2Fcallback", "Basic YmFzaWMtcnA6eA==")
	f.Add("grant_type=refresh_token&refresh_token=&client_id=public-rp", "")
	f.Add("grant_type=client_credentials&client_id=post-rp&client_secret=post-secret", "")
	f.Add("%zz&&==", "Basic %%%")
	f.Add("client_id=a&client_id=b", "Basic Og==")
	f.Fuzz(func(t *testing.T, body, auth string) {
		req, err := http.NewRequest(http.MethodPost, srv.URL(TokenEndpoint), strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		srv.http.Config.Handler.ServeHTTP(rec, req)
		var resp map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, non-JSON body %q", rec.Code, rec.Body)
		}
		if rec.Code >= 500 || (rec.Code != 200 && resp["error"] == nil) {
			t.Fatalf("status %d, body %v", rec.Code, resp)
		}
	})
}

// FuzzAuthorizeRequest sends arbitrary queries to the authorization
// endpoint: every answer is a redirect to a registered URI, a form post, or
// a 400 page, never a panic.
func FuzzAuthorizeRequest(f *testing.F) {
	srv := New(f, WithAlgorithm("ES256"), WithClients(basicClient, postClient, publicClient))
	_, challenge := pkce()
	f.Add(authParams(basicClient, challenge).Encode())
	f.Add(authParams(publicClient, "").Encode())
	f.Add("client_id=basic-rp&redirect_uri=https%3A%2F%2Frp.example%2Fcallback&response_mode=form_post&state=%3Cscript%3E")
	f.Add("client_id=basic-rp&client_id=basic-rp&redirect_uri=javascript:alert(1)")
	f.Add("%%%;;&&")
	f.Fuzz(func(t *testing.T, query string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL(AuthorizeEndpoint), nil)
		if err != nil {
			t.Skip()
		}
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		srv.http.Config.Handler.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusFound:
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil {
				t.Fatalf("bad Location %q", rec.Header().Get("Location"))
			}
			loc.RawQuery = ""
			if loc.String() != testRedirect && loc.String() != "http://127.0.0.1:8765/cb" {
				t.Fatalf("redirect to unregistered %q", loc)
			}
		case http.StatusOK, http.StatusBadRequest:
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
