package core

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

const deviceAnswer = `{"device_code":"dev-1","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","verification_uri_complete":"https://as.example/device?user_code=WDJB-MJHT","expires_in":1800%s}`

// sequence answers each poll with the next body (the last one repeats).
func sequence(bodies ...string) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, _ *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(bodies) {
			i = len(bodies) - 1
		}
		w.Header().Set("Content-Type", "application/json")
		if bodies[i][2:7] == "error" {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = w.Write([]byte(bodies[i]))
	}
}

const (
	pending  = `{"error":"authorization_pending"}`
	slowDown = `{"error":"slow_down"}`
)

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		interval  string
		polls     []string
		wantWaits []time.Duration
		wantErr   error
	}{
		{"pending then success", `,"interval":3`, []string{pending, pending, pending, okToken}, []time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}, nil},
		{"default interval is 5 s", ``, []string{okToken}, []time.Duration{5 * time.Second}, nil},
		{"slow_down adds 5 s for all later polls", `,"interval":5`, []string{pending, slowDown, pending, slowDown, okToken},
			[]time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 10 * time.Second, 15 * time.Second}, nil},
		{"access_denied stops", `,"interval":1`, []string{pending, `{"error":"access_denied"}`, okToken}, []time.Duration{time.Second, time.Second}, ErrAccessDenied},
		{"expired_token stops", `,"interval":1`, []string{`{"error":"expired_token"}`}, []time.Duration{time.Second}, ErrExpiredToken},
		{"unknown error stops", `,"interval":1`, []string{`{"error":"something_else"}`, okToken}, []time.Duration{time.Second}, ErrProviderError},
		{"ends at expires_in", `,"interval":600`, []string{pending}, []time.Duration{600 * time.Second, 600 * time.Second}, ErrDeviceCodeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/device", 200, "application/json", sprintf(deviceAnswer, tt.interval))
			f.handle("/token", sequence(tt.polls...))
			clock := newFakeClock()
			c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock; cfg.Scopes = []string{"profile"} })
			da, err := c.DeviceAuthorize(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if da.UserCode != "WDJB-MJHT" || da.VerificationURI != "https://as.example/device" || !da.Expiry.Equal(clock.Now().Add(30*time.Minute)) {
				t.Errorf("device auth %+v", da)
			}
			// The client is named in the form even with Basic
			// authentication (servers that read only the form).
			if got := f.last(t); got.Form.Get("scope") != "profile" || got.Form.Get("client_id") != "client-1" || got.Header.Get("Authorization") == "" {
				t.Errorf("device request form %v, Authorization %q", got.Form, got.Header.Get("Authorization"))
			}
			tok, err := c.DeviceToken(context.Background(), da)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || tok != nil {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || tok.AccessToken != "at-123" {
				t.Fatalf("tok %v err %v", tok, err)
			}
			if got := clock.Waits(); tt.name != "ends at expires_in" && !reflect.DeepEqual(got, tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
			polls := 0
			for _, r := range f.requests() {
				if r.Path == "/token" {
					polls++
					if r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || r.Form.Get("device_code") != "dev-1" || r.Form.Get("client_id") != "client-1" {
						t.Errorf("poll form %v", r.Form)
					}
				}
			}
			if tt.wantErr != nil && tt.wantErr != ErrDeviceCodeExpired && polls != len(tt.wantWaits) {
				t.Errorf("%d polls after a final error, want %d", polls, len(tt.wantWaits))
			}
		})
	}
}

func TestDeviceAuthorizeMissingFields(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"user_code":"u","verification_uri":"https://x.example","expires_in":10}`,
		`{"device_code":"d","verification_uri":"https://x.example","expires_in":10}`,
		`{"device_code":"d","user_code":"u","expires_in":10}`,
		`{"device_code":"d","user_code":"u","verification_uri":"https://x.example"}`,
	} {
		f := newFakeServer(t)
		f.answer("/device", 200, "application/json", body)
		c := newTestClient(t, f, nil)
		if _, err := c.DeviceAuthorize(context.Background()); !errors.Is(err, ErrDeviceAuthResponse) {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}

func TestDeviceTokenStopsWithContext(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 400, "application/json", pending)
	// A clock whose After never fires: only ctx can end the wait.
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = testkit.NewClock(time.Now()) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.DeviceToken(ctx, &DeviceAuth{DeviceCode: "d", Interval: time.Second, Expiry: time.Now().Add(time.Hour)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
