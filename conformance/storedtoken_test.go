package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/providers"
)

// TestUserFromStoredToken proves, for each built-in provider whose user
// call needs more than the access token (WeChat's openid, Weibo's uid,
// WeCom's userid, Douyin's open_id, Shopify's staff member, Alipay's check
// of the profile against the token's user), that the user can be fetched
// later from a stored token alone. It replays the provider's cassette: the
// token comes from one of its exchange or refresh scenarios, goes through
// encoding/json into a fresh core.Token (which loses Raw), and the user
// fetch of one of its user scenarios runs with that token only and must
// give that scenario's result.
func TestUserFromStoredToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider string
		// token is the exchange or refresh scenario the token comes from.
		token string
		// user is the user scenario replayed with the stored token; want
		// stands for its expectation when the cassette has none (a user
		// fetch that makes no call).
		user string
		want *Expect
	}{
		{provider: "wechatmp", token: "exchange_success", user: "user"},
		{provider: "wechatmp", token: "refresh", user: "user"},
		{provider: "wechatopen", token: "exchange_success", user: "user"},
		{provider: "weibo", token: "exchange_success", user: "user"},
		{provider: "wecom", token: "exchange_success", user: "user"},
		{provider: "douyin", token: "exchange_success", user: "user"},
		{provider: "douyin", token: "refresh", user: "user"},
		{provider: "alipay", token: "exchange_success", user: "user"},
		// The profile of another user is refused with a stored token too.
		{provider: "alipay", token: "exchange_success", user: "user_other_user"},
		// An offline token's user is the shop; an online token's is its
		// staff member, whom shop.json does not name.
		{provider: "shopify", token: "exchange_success", user: "user"},
		{provider: "shopify", token: "exchange_success_online", want: &Expect{User: &UserExpectation{ID: "902541635"}}},
	}
	constructors := map[string]builtin.Provider{}
	for _, b := range builtin.All() {
		constructors[b.Name] = b
	}
	for _, tt := range tests {
		label := tt.user
		if label == "" {
			label = "no_call"
		}
		t.Run(tt.provider+"/"+tt.token+"/"+label, func(t *testing.T) {
			t.Parallel()
			c, err := LoadDir(filepath.Join("testdata", tt.provider))
			if err != nil {
				t.Fatal(err)
			}
			p, err := constructors[tt.provider].New(builtin.ClientID, builtin.ClientSecret, providers.WithRedirectURL(builtin.RedirectURL))
			if err != nil {
				t.Fatal(err)
			}
			// Each step is bound as its scenario is in Run (the values
			// that depend on the scenario, such as Shopify's callback hmac
			// or Alipay's signatures, were computed for that binding).
			spec := coreaccess.Spec(p)
			clock := fixedClock{c.now()}
			got := scenarioNamed(t, c, tt.token)
			bt := newBinder(spec, c.Provider, got.Name, c.Values)
			var tok *core.Token
			replayStep(t, p, c, bt, clock, got.Interactions, func(ctx context.Context, q *core.Provider) []string {
				out := drive(ctx, q, c, got, bt, clock.t)
				tok = out.token
				return checkOutcome(got, out, bt, clock.t)
			})
			if tok == nil {
				t.Fatalf("scenario %s gave no token", tt.token)
			}

			user := &Scenario{Name: "user", Op: OpUser, Expect: tt.want}
			if tt.user != "" {
				user = scenarioNamed(t, c, tt.user)
			}
			bu := newBinder(spec, c.Provider, user.Name, c.Values)

			// The token is stored with encoding/json and read back into a
			// fresh core.Token. The user scenario was recorded with an
			// access token of its own: the stored text is moved to it by
			// its placeholders ({{access_token}} of one scenario becomes
			// that of the other), as a cassette would hold it.
			data, err := json.Marshal(tok)
			if err != nil {
				t.Fatal(err)
			}
			var stored core.Token
			if err := json.Unmarshal([]byte(bu.expand(bt.unbind(string(data)))), &stored); err != nil {
				t.Fatal(err)
			}
			if stored.Raw != nil || stored.UserID != bu.expand(bt.unbind(tok.UserID)) {
				t.Errorf("the token as stored lost its user id, or kept Raw: %s", bt.unbind(string(data)))
			}

			replayStep(t, p, c, bu, clock, user.Interactions, func(ctx context.Context, q *core.Provider) []string {
				cl, err := q.Client(ctx)
				if err != nil {
					return []string{err.Error()}
				}
				u, err := q.User(ctx, core.UserRequest{Client: cl, Token: &stored})
				return checkOutcome(user, outcome{user: u, err: err}, bu, clock.t)
			})
		})
	}
}

// scenarioNamed returns c's scenario called name.
func scenarioNamed(t *testing.T, c *Cassette, name string) *Scenario {
	t.Helper()
	for i := range c.Scenarios {
		if c.Scenarios[i].Name == name {
			return &c.Scenarios[i]
		}
	}
	t.Fatalf("cassette of %s has no scenario %q", c.Provider, name)
	return nil
}

// replayStep runs step on a copy of p whose requests are answered by the
// given interactions (and the cassette's shared ones) and reports every
// difference: the step's own, unexpected requests and unused interactions.
func replayStep(t *testing.T, p *core.Provider, c *Cassette, b *binder, clock fixedClock, own []Interaction,
	step func(ctx context.Context, q *core.Provider) []string) {
	t.Helper()
	pl := newPlayer(b, own, c.Shared)
	q := coreaccess.WithRuntime(p, &http.Client{Transport: pl.transport()}, clock, nil)
	defer q.Close()
	diffs := step(t.Context(), q)
	diffs = append(diffs, pl.problems()...)
	for _, d := range append(diffs, pl.unused()...) {
		t.Error(d)
	}
}
