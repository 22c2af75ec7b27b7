package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/go-oauth20/oauth20/dpop"
)

// TokenTypeDPoP is the token_type of a DPoP-bound access token (RFC 9449
// §5). Such a token is sent as "Authorization: DPoP …" with a proof of the
// key it is bound to, never as Bearer.
const TokenTypeDPoP = "DPoP"

// ErrDPoPKeyMissing is returned when a DPoP-bound token is to be used (a
// resource request, a refresh answer of type DPoP) by a client without the
// key it is bound to (Config.DPoPKey): the library never sends such a token
// as Bearer.
var ErrDPoPKeyMissing = errors.New("oauth20: the token is DPoP-bound and the client has no DPoP key")

// dpopOps are the operations that carry a DPoP proof when the client has a
// key: the grants at the token endpoint and revocation (RFC 9449 §5).
var dpopOps = map[string]bool{
	OpExchange: true, OpRefresh: true, OpClientCredentials: true, OpDeviceToken: true, OpRevoke: true,
}

// dpopProof signs the proof of one request with the client's key and the
// last nonce the server gave.
func (c *Client) dpopProof(method, target, accessToken string) (string, error) {
	p, err := c.cfg.DPoPKey.Proof(dpop.Proof{
		Method: method, URL: target, AccessToken: accessToken,
		Nonce: c.nonces.get(target, accessToken != ""), IssuedAt: c.clock.Now(),
	})
	if err != nil {
		return "", fmt.Errorf("oauth20: %w", err)
	}
	return p, nil
}

// dpopNonces holds the last DPoP-Nonce of each server. The authorization
// server and the resource servers keep nonces of their own (RFC 9449 §8,
// §9), so they are kept apart even on one origin: one for the
// authorization server's endpoints of an origin, one for its resources.
type dpopNonces struct {
	mu sync.Mutex
	m  map[string]string
}

// maxDPoPNonces bounds the servers remembered; past it the map starts over.
const maxDPoPNonces = 64

func nonceKey(target string, resource bool) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	role := "as "
	if resource {
		role = "rs "
	}
	return role + strings.ToLower(u.Scheme+"://"+u.Host)
}

func (n *dpopNonces) get(target string, resource bool) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[nonceKey(target, resource)]
}

// remember keeps the nonce a server sent, if it sent one that fits in a
// header (RFC 9449 §8.1: 1 or more NQCHAR).
func (n *dpopNonces) remember(target string, resource bool, nonce string) {
	if nonce == "" || len(nonce) > 512 || strings.ContainsAny(nonce, "\"\\\r\n") {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil || len(n.m) >= maxDPoPNonces {
		n.m = map[string]string{}
	}
	n.m[nonceKey(target, resource)] = nonce
}

// challenged reports whether resp asks for a DPoP nonce with a new one:
// use_dpop_nonce in a 400 JSON body from the authorization server (RFC
// 9449 §8) or in a 401 WWW-Authenticate: DPoP challenge from a resource
// server (§9), with a DPoP-Nonce header (remembered by send).
func (n *dpopNonces) challenged(resp *response, resource bool) bool {
	if resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	if resource {
		if resp.Status != http.StatusUnauthorized {
			return false
		}
		for _, v := range resp.Header.Values("WWW-Authenticate") {
			if len(v) > 4 && strings.EqualFold(v[:4], "dpop") && parseAuthParams(v[4:])["error"] == "use_dpop_nonce" {
				return true
			}
		}
		return false
	}
	if resp.Status != http.StatusBadRequest && resp.Status != http.StatusUnauthorized {
		return false
	}
	var body struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(resp.Body, &body) == nil && body.Error == "use_dpop_nonce"
}
