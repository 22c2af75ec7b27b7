package providers

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// shopifyDocExample is the example of Shopify's documentation that other
// libraries test against (the tests of github.com/DanWebb/valid-shopify-request
// among them): secret "hush".
var shopifyDocExample = url.Values{
	"code":      {"0907a61c0c8d55e99db179b68161bc00"},
	"hmac":      {"4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"},
	"shop":      {"some-shop.myshopify.com"},
	"timestamp": {"1337178173"},
}

func TestShopifyCallbackCheck(t *testing.T) {
	t.Parallel()
	s := &shopify{shop: "some-shop.myshopify.com"}
	signedAt := time.Unix(1337178173, 0)
	edit := func(f func(url.Values)) url.Values {
		v := url.Values{}
		for k, vs := range shopifyDocExample {
			v[k] = append([]string(nil), vs...)
		}
		f(v)
		return v
	}
	tests := []struct {
		name   string
		cb     url.Values
		secret string
		now    time.Time
		want   error
	}{
		{"documentation example", shopifyDocExample, "hush", signedAt.Add(time.Minute), nil},
		{"upper-case hex", edit(func(v url.Values) { v.Set("hmac", "4712BF92FFC2917D15A2F5A273E39F0116667419AA4B6AC0B3BAAF26FA3C4D20") }), "hush", signedAt, nil},
		{"other secret", shopifyDocExample, "hush!", signedAt, errShopifySignature},
		{"tampered code", edit(func(v url.Values) { v.Set("code", "0907a61c0c8d55e99db179b68161bc01") }), "hush", signedAt, errShopifySignature},
		{"added parameter", edit(func(v url.Values) { v.Set("state", "x") }), "hush", signedAt, errShopifySignature},
		{"no hmac", edit(func(v url.Values) { v.Del("hmac") }), "hush", signedAt, errShopifySignature},
		{"short hmac", edit(func(v url.Values) { v.Set("hmac", "4712bf92") }), "hush", signedAt, errShopifySignature},
		{"two hmacs", edit(func(v url.Values) { v.Add("hmac", v.Get("hmac")) }), "hush", signedAt, errShopifySignature},
		{"repeated parameter", edit(func(v url.Values) { v.Add("code", "x") }), "hush", signedAt, errShopifySignature},
		{"other shop", edit(func(v url.Values) { v.Set("shop", "evil.myshopify.com") }), "hush", signedAt, errShopifyShop},
		{"a day and a minute old", shopifyDocExample, "hush", signedAt.Add(24*time.Hour + time.Minute), errShopifyTimestamp},
		{"from the future", shopifyDocExample, "hush", signedAt.Add(-25 * time.Hour), errShopifyTimestamp},
		{"no timestamp", edit(func(v url.Values) { v.Del("timestamp") }), "hush", signedAt, errShopifyTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := s.checkCallback(tt.cb, tt.secret, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestShopifySignedMessage: lists (keys ending in []) and escapes as
// Shopify's Python library writes them; the expected string is what that
// library's __encoded_params_for_signature returns for the same input.
func TestShopifySignedMessage(t *testing.T) {
	t.Parallel()
	got, err := shopifySignedMessage(url.Values{
		"ids[]": {"1", "é😀\"\\/"},
		"shop":  {"a%b&c=d"},
		"x=y":   {"1"},
		"hmac":  {"ignored"},
	})
	want := `ids=["1", "\u00e9\ud83d\ude00\"\\/"]&shop=a%25b%26c=d&x%3Dy=1`
	if err != nil || got != want {
		t.Fatalf("got %q, %v\nwant %q", got, err, want)
	}
}

func TestShopifyShopDomain(t *testing.T) {
	t.Parallel()
	for shop, ok := range map[string]bool{
		"my-store.myshopify.com":                true,
		" My-Store.MYSHOPIFY.com ":              true,
		"7store.myshopify.com":                  true,
		"":                                      false,
		"my-store":                              false,
		"evil.com":                              false,
		"my-store.myshopify.com.evil.com":       false,
		"https://my-store.myshopify.com":        false,
		"my-store.myshopify.com/admin":          false,
		"-store.myshopify.com":                  false,
		"my_store.myshopify.com":                false,
		"a.b.myshopify.com":                     false,
		"my-store.myshopify.com:8443":           false,
		"my-store.myshopify.com\r\nX-Evil: yes": false,
	} {
		p, err := Shopify(shop, "id", "secret")
		if got := err == nil; got != ok {
			t.Errorf("Shopify(%q): err = %v, want accepted %v", shop, err, ok)
		}
		if !ok && (p != nil || !errors.Is(err, core.ErrInvalidConfig)) {
			t.Errorf("Shopify(%q): %v, %v; want no provider and ErrInvalidConfig", shop, p, err)
		}
	}
}

// TestShopifyOnlineUser: with an online token the user is the token
// answer's associated_user, and no request is made.
func TestShopifyOnlineUser(t *testing.T) {
	t.Parallel()
	hc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.Error(w, "no", http.StatusTeapot)
	})
	p, err := Shopify("my-store.myshopify.com", "id", "secret", WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	tok := &core.Token{AccessToken: "shpua_x", TokenType: "Bearer", Raw: map[string]any{
		"associated_user": map[string]any{"id": json.Number("902541635"), "first_name": "John", "last_name": "Smith",
			"email": "john@example.com", "email_verified": true, "account_owner": true},
	}}
	u, err := p.User(t.Context(), core.UserRequest{Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "902541635" || u.Name != "John Smith" || u.Email != "john@example.com" || !u.EmailVerified || u.Raw["shop"] != "my-store.myshopify.com" {
		t.Fatalf("user %+v", u)
	}
}
