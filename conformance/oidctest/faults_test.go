package oidctest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestIDTokenFaults checks that each ID token knob breaks exactly the check
// it is named after, so a relying party under test fails for that reason.
func TestIDTokenFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults Faults
		// check inspects the token; sigErr is the outcome of verifying its
		// signature against the JWKS.
		check func(t *testing.T, h *harness, tok map[string]any, c jwt.MapClaims, sigErr error)
	}{
		{"none", Faults{}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, sigErr error) {
			if sigErr != nil || c["nonce"] != "n-basic-rp" {
				t.Errorf("well-behaved token: %v %v", sigErr, c)
			}
		}},
		{"BadSignature", Faults{BadSignature: true}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, sigErr error) {
			if sigErr == nil || c["iss"] == nil {
				t.Errorf("signature verified: %v", sigErr)
			}
		}},
		{"UnpublishedKey", Faults{UnpublishedKey: true}, func(t *testing.T, h *harness, tok map[string]any, _ jwt.MapClaims, sigErr error) {
			hdr := header(t, str(tok["id_token"]))
			if sigErr == nil || hdr["kid"] == "" || h.jwks()[str(hdr["kid"])] != nil {
				t.Errorf("kid %v is published or verified: %v", hdr["kid"], sigErr)
			}
		}},
		{"NoneAlgorithm", Faults{NoneAlgorithm: true}, func(t *testing.T, _ *harness, tok map[string]any, _ jwt.MapClaims, sigErr error) {
			raw := str(tok["id_token"])
			if header(t, raw)["alg"] != "none" || !strings.HasSuffix(raw, ".") || sigErr == nil {
				t.Errorf("not an alg:none token: %q", raw)
			}
		}},
		{"WrongIssuer", Faults{WrongIssuer: true}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, sigErr error) {
			if c["iss"] != AttackerIssuer || sigErr != nil {
				t.Errorf("iss = %v (%v)", c["iss"], sigErr)
			}
		}},
		{"WrongAudience", Faults{WrongAudience: true}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, _ error) {
			if c["aud"] != OtherAudience || c["azp"] != OtherAudience {
				t.Errorf("aud = %v, azp = %v", c["aud"], c["azp"])
			}
		}},
		{"WrongNonce", Faults{WrongNonce: true}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, _ error) {
			if c["nonce"] != WrongNoncePrefix+"n-basic-rp" {
				t.Errorf("nonce = %v", c["nonce"])
			}
		}},
		{"OmitNonce", Faults{OmitNonce: true}, func(t *testing.T, _ *harness, _ map[string]any, c jwt.MapClaims, _ error) {
			if _, ok := c["nonce"]; ok {
				t.Errorf("nonce = %v", c["nonce"])
			}
		}},
		{"ExpiredIDToken", Faults{ExpiredIDToken: true}, func(t *testing.T, h *harness, _ map[string]any, c jwt.MapClaims, sigErr error) {
			exp, _ := c.GetExpirationTime()
			if exp == nil || !exp.Before(h.clock.Now()) || sigErr == nil {
				t.Errorf("exp = %v, now %v, verify: %v", exp, h.clock.Now(), sigErr)
			}
		}},
		{"WrongAtHash", Faults{WrongAtHash: true}, func(t *testing.T, _ *harness, tok map[string]any, c jwt.MapClaims, _ error) {
			if c["at_hash"] == atHashOf(str(tok["access_token"])) || c["at_hash"] == nil {
				t.Errorf("at_hash is right: %v", c["at_hash"])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.SetFaults(tc.faults)
			tok := h.tokens(basicClient)
			raw := str(tok["id_token"])
			_, sigErr := h.verify(raw)
			c := jwt.MapClaims{}
			if _, _, err := jwt.NewParser().ParseUnverified(raw, c); err != nil {
				t.Fatalf("unparsable token %q: %v", raw, err)
			}
			tc.check(t, h, tok, c, sigErr)
			if tc.name != "WrongAtHash" && c["at_hash"] != atHashOf(str(tok["access_token"])) {
				t.Errorf("%s also broke at_hash", tc.name)
			}
			// The fault goes away with ResetFaults.
			h.srv.ResetFaults()
			if _, err := h.verify(str(h.tokens(basicClient)["id_token"])); err != nil {
				t.Errorf("after ResetFaults: %v", err)
			}
		})
	}
}

func atHashOf(access string) string {
	return atHash(algorithms["RS256"].hash, access)
}

func header(t *testing.T, raw string) map[string]any {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Header
}

func TestResponseAndDiscoveryFaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, challenge := pkce()

	h.srv.SetFaults(Faults{WrongResponseIssuer: true})
	if cb := h.callback(authParams(basicClient, challenge)); cb.Get("iss") != AttackerIssuer || cb.Get("code") == "" {
		t.Errorf("WrongResponseIssuer: %v", cb)
	}
	h.srv.SetFaults(Faults{OmitResponseIssuer: true})
	if cb := h.callback(authParams(basicClient, challenge)); cb.Has("iss") {
		t.Errorf("OmitResponseIssuer: %v", cb)
	}

	h.srv.SetFaults(Faults{WrongDiscoveryIssuer: true})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL(DiscoveryEndpoint), nil)
	if _, meta, _ := h.do(req, nil); meta["issuer"] != AttackerIssuer || meta["token_endpoint"] != h.srv.URL(TokenEndpoint) {
		t.Errorf("WrongDiscoveryIssuer: %v", meta)
	}

	h.srv.SetFaults(Faults{UserInfoSubject: "someone-else"})
	tok := h.tokens(basicClient)
	if _, info, _ := h.userinfo(str(tok["access_token"])); info["sub"] != "someone-else" || claimsOf(t, str(tok["id_token"]))["sub"] != DefaultUser().Subject {
		t.Errorf("UserInfoSubject: %v", info)
	}
}

func TestErrorFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ep    Endpoint
		fault ErrorResponse
		// call makes one request and returns its status, content type, body.
		call            func(h *harness) (int, string, string)
		status          int
		contentType     string
		bodyContains    string
		authenticate    string // expected in WWW-Authenticate
		redirectedError string
	}{
		{
			name: "token invalid_grant", ep: TokenEndpoint, fault: ErrorResponse{Code: "invalid_grant", Description: "nope"},
			call: tokenCall, status: 400, contentType: "application/json", bodyContains: `"error":"invalid_grant"`,
		},
		{
			name: "token 500 HTML", ep: TokenEndpoint, fault: ErrorResponse{Status: 500, Body: "<html>Internal Server Error</html>"},
			call: tokenCall, status: 500, contentType: "text/html", bodyContains: "<html>",
		},
		{
			name: "token 503 JSON", ep: TokenEndpoint, fault: ErrorResponse{Status: 503, Code: "temporarily_unavailable"},
			call: tokenCall, status: 503, contentType: "application/json", bodyContains: "temporarily_unavailable",
		},
		{
			name: "userinfo invalid_token", ep: UserInfoEndpoint, fault: ErrorResponse{Code: "invalid_token"},
			call: userinfoCall, status: 401, contentType: "application/json", authenticate: `Bearer realm="oidctest", error="invalid_token"`,
		},
		{
			name: "jwks 502", ep: JWKSEndpoint, fault: ErrorResponse{Status: 502, Body: "bad gateway", ContentType: "text/plain"},
			call: getCall(JWKSEndpoint), status: 502, contentType: "text/plain", bodyContains: "bad gateway",
		},
		{
			name: "authorize access_denied", ep: AuthorizeEndpoint, fault: ErrorResponse{Code: "access_denied", Description: "user said no"},
			call: authorizeCall, status: 302, redirectedError: "access_denied",
		},
		{
			name: "authorize 500 page", ep: AuthorizeEndpoint, fault: ErrorResponse{Status: 500, Body: "down"},
			call: authorizeCall, status: 500, bodyContains: "down",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.srv.SetFaults(Faults{Errors: map[Endpoint]ErrorResponse{tc.ep: tc.fault}})
			status, ct, body := tc.call(h)
			if status != tc.status || !strings.HasPrefix(ct, tc.contentType) || !strings.Contains(body, tc.bodyContains) {
				t.Fatalf("got %d %q %q", status, ct, body)
			}
			if tc.authenticate != "" && !strings.Contains(h.lastHeader.Get("WWW-Authenticate"), tc.authenticate) {
				t.Errorf("WWW-Authenticate = %q", h.lastHeader.Get("WWW-Authenticate"))
			}
			if tc.redirectedError != "" {
				loc, _ := url.Parse(h.lastHeader.Get("Location"))
				if q := loc.Query(); q.Get("error") != tc.redirectedError || q.Get("state") == "" || q.Get("iss") != h.srv.Issuer() {
					t.Errorf("redirect = %v", q)
				}
			}
			if h.srv.Count(tc.ep) != 1 {
				t.Errorf("Count = %d", h.srv.Count(tc.ep))
			}
		})
	}
}

// TestErrorFaultCount checks that a counted fault fails that many requests
// and then lets the endpoint recover.
func TestErrorFaultCount(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.UpdateFaults(func(f *Faults) {
		f.Errors = map[Endpoint]ErrorResponse{UserInfoEndpoint: {Status: 503, Code: "temporarily_unavailable", Count: 2}}
	})
	tok := h.tokens(basicClient)
	var got []int
	for range 3 {
		status, _, _ := h.userinfo(str(tok["access_token"]))
		got = append(got, status)
	}
	if got[0] != 503 || got[1] != 503 || got[2] != 200 {
		t.Errorf("statuses = %v, want 503 503 200", got)
	}
	if _, left := h.srv.Faults().Errors[UserInfoEndpoint]; left {
		t.Error("the used-up fault is still set")
	}
}

func tokenCall(h *harness) (int, string, string) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(basicClient.ID, url.QueryEscape(basicClient.Secret))
	return h.raw(req)
}

func userinfoCall(h *harness) (int, string, string) {
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
	req.Header.Set("Authorization", "Bearer anything")
	return h.raw(req)
}

func getCall(ep Endpoint) func(h *harness) (int, string, string) {
	return func(h *harness) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL(ep), nil)
		return h.raw(req)
	}
}

func authorizeCall(h *harness) (int, string, string) {
	_, challenge := pkce()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL(AuthorizeEndpoint)+"?"+authParams(basicClient, challenge).Encode(), nil)
	return h.raw(req)
}

// raw sends req and returns the status, content type and body, keeping the
// headers in h.lastHeader.
func (h *harness) raw(req *http.Request) (int, string, string) {
	h.t.Helper()
	resp, err := h.http.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	h.lastHeader = resp.Header
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}
