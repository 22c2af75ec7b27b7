package providers

import (
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestVKIDDeviceIDTravels drives a login through core.Auth: the device_id
// of the callback reaches the code exchange, with the callback's state;
// a callback without one is refused before any request.
func TestVKIDDeviceIDTravels(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var exchange url.Values
	hc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch r.URL.Path {
		case "/oauth2/auth":
			mu.Lock()
			exchange = r.PostForm
			mu.Unlock()
			testkit.WriteJSON(w, http.StatusOK, map[string]any{"access_token": "at", "refresh_token": "rt", "token_type": "Bearer",
				"expires_in": 3600, "user_id": 7, "id_token": "x.y.z", "state": r.PostForm.Get("state")})
		case "/oauth2/user_info":
			testkit.WriteJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"user_id": "7", "first_name": "Ivan"}})
		default:
			http.NotFound(w, r)
		}
	})
	p, err := VKID("app-1")
	a := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).HTTPClient(hc).Provider(p, err).MustBuild()
	for _, tt := range []struct {
		name   string
		device string
	}{{"with device_id", "dev-42"}, {"without device_id", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			authURL, cookie, err := a.Begin(t.Context(), "vkid", core.BeginOptions{})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			state := u.Query().Get("state")
			cb := url.Values{"code": {"c-1"}, "state": {state}, "type": {"code_v2"}}
			if tt.device != "" {
				cb.Set("device_id", tt.device)
			}
			res, _, err := a.Complete(t.Context(), "vkid", cb, func(name string) (string, bool) { return cookie.Value, name == cookie.Name })
			mu.Lock()
			got := exchange
			exchange = nil
			mu.Unlock()
			if tt.device == "" {
				var ce *core.CallbackError
				if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !errors.Is(err, core.ErrInvalidCallback) || got != nil {
					t.Fatalf("err = %v, exchange %v; want a 400 invalid callback and no exchange", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Get("device_id") != tt.device || got.Get("state") != state || got.Get("code_verifier") == "" || got.Get("client_id") != "app-1" || got.Has("client_secret") {
				t.Errorf("exchange form %v", got)
			}
			if res.User.ID != "7" || res.Token.IDToken != "" || res.Token.Raw["id_token"] != "x.y.z" {
				t.Errorf("user %+v, token ID token %q", res.User, res.Token.IDToken)
			}
		})
	}
}
