package conformance_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// livePersonal names, per provider, the answer members whose values are
// personal data, from the providers' documentation of their answers. It is
// kept apart from what the providers declare (core.ProviderSpec.UserFields)
// on purpose: TestRecorderRedactsEveryProvider makes these values live and
// fails when a declaration misses one. livePersonalAll applies to every
// provider.
var (
	livePersonalAll = []string{
		"sub", "name", "given_name", "family_name", "nickname", "preferred_username", "picture", "email",
		"id", "login", "username", "display_name", "avatar_url", "openid", "open_id", "unionid", "union_id",
		"user_id", "userid", "uid", "html_url", "profile", "website", "phone_number", "mobile", "locale",
	}
	livePersonal = map[string][]string{
		"alipay":     {"nick_name", "avatar", "province", "city", "gender", "alipay_user_id", "cert_no", "user_name", "person_birthday"},
		"amazon":     {"postal_code"},
		"bitbucket":  {"uuid", "account_id", "href"},
		"dingtalk":   {"nick", "avatarUrl", "stateCode", "openId", "unionId", "corpId"},
		"discord":    {"global_name", "avatar", "banner"},
		"douyin":     {"avatar", "avatar_larger", "city", "province", "country", "gender", "encrypt_mobile"},
		"dropbox":    {"account_id", "surname", "familiar_name", "abbreviated_name", "profile_photo_url", "country", "referral_link", "team_member_id", "root_namespace_id", "home_namespace_id"},
		"facebook":   {"first_name", "last_name", "url"},
		"feishu":     {"en_name", "avatar_thumb", "avatar_middle", "avatar_big", "enterprise_email", "employee_no", "tenant_key"},
		"gitee":      {"bio", "blog", "weibo", "url"},
		"gitea":      {"groups"},
		"github":     {"node_id", "company", "blog", "location", "bio", "twitter_username"},
		"gitlab":     {"sub_legacy"},
		"google":     {"hd"},
		"kakao":      {"profile_image_url", "thumbnail_image_url", "birthday", "birthyear", "gender", "age_range"},
		"keycloak":   {"session_state"},
		"lark":       {"en_name", "avatar_thumb", "avatar_middle", "avatar_big", "enterprise_email", "employee_no", "tenant_key"},
		"line":       {"userId", "displayName", "pictureUrl", "statusMessage"},
		"linuxdo":    {"avatar_template", "api_key"},
		"microsoft":  {"oid", "tid"},
		"naver":      {"gender", "age", "birthday", "birthyear", "profile_image", "mobile_e164"},
		"okta":       {"zoneinfo"},
		"oschina":    {"gender", "avatar", "location", "url"},
		"qq":         {"gender", "province", "city", "year", "figureurl", "figureurl_1", "figureurl_2", "figureurl_qq", "figureurl_qq_1", "figureurl_qq_2"},
		"reddit":     {"icon_img", "snoovatar_img", "title", "public_description"},
		"salesforce": {"organization_id", "urls", "photos", "thumbnail", "address", "country"},
		"shopify":    {"associated_user", "shop_owner", "customer_email", "myshopify_domain", "domain", "address1", "address2", "zip", "city", "province", "country", "phone", "latitude", "longitude"},
		"slack":      {"https://slack.com/user_id", "https://slack.com/team_id", "https://slack.com/team_name", "https://slack.com/team_domain"},
		"spotify":    {"country", "url", "uri", "href", "spotify"},
		"tiktok":     {"avatar_url_100", "avatar_large_url", "bio_description", "profile_deep_link"},
		"twitch":     {"profile_image_url", "offline_image_url", "description"},
		"vkid":       {"first_name", "last_name", "avatar", "sex", "birthday"},
		"wechatmp":   {"sex", "province", "city", "country", "headimgurl"},
		"wechatopen": {"sex", "province", "city", "country", "headimgurl"},
		"wecom":      {"alias", "avatar", "thumb_avatar", "biz_mail", "qr_code", "address", "telephone", "position", "open_userid", "user_ticket"},
		"weibo":      {"idstr", "screen_name", "profile_image_url", "avatar_large", "avatar_hd", "profile_url", "domain", "location", "description", "url", "province", "city"},
		"x":          {"profile_image_url", "location", "description", "url"},
		"yahoo":      {"profile_images", "image32", "image64", "image128", "image192", "gender", "sid"},
		"yandex":     {"real_name", "first_name", "last_name", "sex", "default_email", "emails", "default_avatar_id", "psuid", "birthday", "default_phone"},
		"zoom":       {"first_name", "last_name", "pic_url", "pmi", "personal_meeting_url", "account_id", "timezone", "language", "dept", "job_title"},
	}
)

// TestRecorderRedactsEveryProvider records every built-in provider through
// a Recorder and checks that the cassette it writes holds none of the live
// values. Each provider's cassette is replayed as if it were the live
// provider, with distinctive live values in place of its placeholders (the
// credentials, codes, tokens, the cassette's own values) and of its
// personal data (livePersonal), and every scenario is driven as a login
// would. The scenarios are recorded twice, grouped by Recorder.Begin and
// grouped automatically. The cassette recorded with Begin must also
// replay: Complete fills its expectations against the provider built with
// the test credentials, and Check passes it.
func TestRecorderRedactsEveryProvider(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			orig, err := conformance.LoadDir(filepath.Join("testdata", b.Name))
			if err != nil {
				t.Fatal(err)
			}
			for _, marked := range []bool{true, false} {
				name := "grouped"
				if marked {
					name = "begin"
				}
				t.Run(name, func(t *testing.T) {
					lv := newLiveProvider(b.Name, orig)
					// One clock for the login and the recording, so that a
					// time the requests carry (Alipay's timestamp) is the
					// cassette's.
					clock := testkit.NewClock(lv.now())
					rec := &conformance.Recorder{Transport: lv, Clock: clock}
					hc := &http.Client{Transport: rec}
					p, err := b.New(liveClientID, liveClientSecret, providers.WithRedirectURL(liveRedirectURL),
						providers.WithHTTPClient(hc))
					if err != nil {
						t.Fatal(err)
					}
					p = coreaccess.WithRuntime(p, hc, clock, nil)
					lv.drive(t, p, rec, marked)
					c, err := rec.Cassette(p)
					if err != nil {
						t.Fatal(err)
					}
					path := filepath.Join(t.TempDir(), "recorded.json")
					if err := c.WriteFile(path); err != nil {
						t.Fatal(err)
					}
					data, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					for _, leak := range lv.leaks(data) {
						t.Errorf("the recorded cassette holds the live %s", leak)
					}
					if t.Failed() || !marked {
						return
					}
					fake, err := b.New(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
					if err != nil {
						t.Fatal(err)
					}
					c.Scenarios = replayable(orig, c.Scenarios)
					if err := conformance.Complete(t.Context(), fake, c); err != nil {
						t.Fatalf("the recorded cassette does not replay: %v\n%s", err, data)
					}
					report, err := conformance.Check(t.Context(), fake, c)
					if err != nil {
						t.Fatal(err)
					}
					if err := report.Err(); err != nil {
						t.Errorf("the recorded cassette does not replay: %v", err)
					}
				})
			}
		})
	}
}

// replayable leaves out of the recorded scenarios those whose original
// has inputs that the recorder cannot see, so that no recording holds
// them: extra parameters and scopes given to the operation, and a user
// fetch's callback, ID token and nonce, or token members that no token
// answer of the cassette has (the recorder takes a user fetch's token
// members from the login's token answer). Recorded authorization URLs are
// numbered in order.
func replayable(orig *conformance.Cassette, recorded []conformance.Scenario) []conformance.Scenario {
	members := map[string]bool{}
	var auth []*conformance.Scenario
	byName := map[string]*conformance.Scenario{}
	for i := range orig.Scenarios {
		s := &orig.Scenarios[i]
		byName[s.Name] = s
		if s.Op == conformance.OpAuthorizationURL {
			auth = append(auth, s)
		}
		if s.Op != conformance.OpExchange && s.Op != conformance.OpRefresh {
			continue
		}
		for _, in := range s.Interactions {
			walkAnswer(in.Response, func(v any) any {
				if m, ok := v.(map[string]any); ok {
					for k := range m {
						members[k] = true
					}
				}
				return v
			})
		}
	}
	var out []conformance.Scenario
	n := 0
	for _, r := range recorded {
		o := byName[r.Name]
		if r.Op == conformance.OpAuthorizationURL {
			if n < len(auth) {
				o = auth[n]
			}
			n++
		}
		if o == nil {
			continue
		}
		in := o.Input
		keep := len(in.Params) == 0 && len(in.Scopes) == 0 && len(in.Callback) == 0 && in.IDToken == "" && in.Nonce == ""
		for k := range in.TokenFields {
			keep = keep && members[k]
		}
		if keep {
			out = append(out, r)
		}
	}
	return out
}

// liveProvider plays a provider from a cassette, with live values: the
// transport of the Recorder under test.
type liveProvider struct {
	provider string
	c        *conformance.Cassette
	// values binds the cassette's own placeholders and the credentials;
	// scenario binds the generated ones of the scenario being driven.
	values map[string]string
	// literals maps the cassette's personal values to live ones.
	literals map[string]string
	personal map[string]bool

	mu       sync.Mutex
	scenario *conformance.Scenario
	bound    map[string]string
	used     map[*conformance.Interaction]bool
	// live lists every live value handed to the provider, with what it is.
	live map[string]string
}

func newLiveProvider(provider string, c *conformance.Cassette) *liveProvider {
	lv := &liveProvider{provider: provider, c: c, values: map[string]string{}, literals: map[string]string{},
		personal: map[string]bool{}, used: map[*conformance.Interaction]bool{}, live: map[string]string{}}
	for _, n := range append(slices.Clone(livePersonalAll), livePersonal[provider]...) {
		lv.personal[n] = true
	}
	lv.values["client_id"] = liveClientID
	lv.values["client_secret"] = liveClientSecret
	lv.values["redirect_uri"] = liveRedirectURL
	lv.note(liveClientID, "client id")
	lv.note(liveClientSecret, "client secret")
	lv.note(liveRedirectURL, "redirect URI")
	for _, k := range sortedKeys(c.Values) {
		lv.values[k] = lv.liveLike(k, c.Values[k])
		lv.note(lv.values[k], "value of {{"+k+"}}")
	}
	// The personal values of every answer become live ones, the same
	// everywhere.
	for _, s := range c.Scenarios {
		for _, in := range s.Interactions {
			lv.learnLiterals(in.Response)
		}
	}
	for _, in := range c.Shared {
		lv.learnLiterals(in.Response)
	}
	return lv
}

// now is the time of the cassette being played.
func (lv *liveProvider) now() time.Time {
	if lv.c.Clock.IsZero() {
		return conformance.DefaultClock
	}
	return lv.c.Clock
}

func (lv *liveProvider) note(v, what string) {
	if len(v) >= 4 {
		lv.live[v] = what
	}
}

func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// liveLike is a live value of the same shape as v.
func (lv *liveProvider) liveLike(name, v string) string {
	h := hash(lv.provider, name, v)
	switch {
	case isJWTText(v):
		return lv.liveJWT(h)
	case strings.Contains(v, "@"):
		return "l1ve." + h[:8] + "@l1ve-mail.example"
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		return "https://l1ve-cdn.example/u/" + h[:12] + "/pic.png"
	case isDigits(v):
		return "81" + digitsOf(h, 9)
	}
	return "L1ve" + h[:6] + strings.ToUpper(h[6:12]) + h[12:20]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func digitsOf(h string, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteByte('0' + h[i%len(h)]%10)
	}
	return b.String()
}

// liveJWT is an ID token of live claims.
func (lv *liveProvider) liveJWT(h string) string {
	claims := map[string]string{
		"sub":   "L1veSub" + h[:12],
		"email": "l1ve.id." + h[12:20] + "@l1ve-mail.example",
		"name":  "L1veName" + h[20:28],
	}
	for k, v := range claims {
		lv.note(v, "ID token claim "+k)
	}
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "l1ve-" + h[28:32]})
	body, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(head) + "." + enc(body) + "." + enc([]byte("l1ve-signature-"+h[32:48]))
}

var jwtText = regexp.MustCompile(`^[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)

func isJWTText(s string) bool {
	if !jwtText.MatchString(s) {
		return false
	}
	head, _, _ := strings.Cut(s, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	return err == nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{"))
}

// learnLiterals gives the personal values of an answer live ones.
func (lv *liveProvider) learnLiterals(r conformance.Response) {
	walkAnswer(r, func(v any) any { lv.literalsOf(v, "", false); return v })
}

func (lv *liveProvider) literalsOf(v any, name string, personal bool) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			lv.literalsOf(x[k], k, personal || lv.personal[k])
		}
	case []any:
		for _, e := range x {
			lv.literalsOf(e, name, personal)
		}
	case string:
		if isJWTText(x) && !strings.Contains(x, "{{") {
			if _, ok := lv.literals[x]; !ok {
				lv.literals[x] = lv.liveJWT(hash(lv.provider, x))
				lv.note(lv.literals[x], "ID token")
			}
			return
		}
		if !personal || x == "" || strings.Contains(x, "{{") {
			return
		}
		if _, ok := lv.literals[x]; !ok {
			lv.literals[x] = lv.liveLike(name, x)
			lv.note(lv.literals[x], "personal value of "+name)
		}
	case json.Number:
		if !personal {
			return
		}
		if _, ok := lv.literals[x.String()]; !ok {
			lv.literals[x.String()] = "82" + digitsOf(hash(lv.provider, name, x.String()), 8)
			lv.note(lv.literals[x.String()], "personal number of "+name)
		}
	}
}

// liven replaces personal literals by live values: whole values, and
// inside longer strings (a login inside a URL).
func (lv *liveProvider) liven(v any, personal bool, name string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = lv.liven(e, personal || lv.personal[k], k)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = lv.liven(e, personal, name)
		}
		return x
	case string:
		return lv.livenText(x)
	case json.Number:
		if l, ok := lv.literals[x.String()]; ok && personal {
			return json.Number(l)
		}
	}
	return v
}

func (lv *liveProvider) livenText(s string) string {
	if l, ok := lv.literals[s]; ok {
		return l
	}
	keys := make([]string, 0, len(lv.literals))
	for k := range lv.literals {
		if len(k) >= 4 && !isDigits(k) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, lv.literals[k])
	}
	return s
}

// walkAnswer calls f on the decoded body of an answer (JSON, or JSON,
// JSONP or form text) and returns the answer's body re-encoded with what
// f returned.
func walkAnswer(r conformance.Response, f func(any) any) (json.RawMessage, *string) {
	decode := func(b []byte) (any, bool) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		return v, d.Decode(&v) == nil
	}
	encode := func(v any) string {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		_ = e.Encode(v)
		return strings.TrimSpace(b.String())
	}
	switch {
	case r.JSON != nil:
		if v, ok := decode(r.JSON); ok {
			return json.RawMessage(encode(f(v))), nil
		}
		return r.JSON, nil
	case r.Body != nil:
		t := strings.TrimSpace(*r.Body)
		if v, ok := decode([]byte(t)); ok && t != "" && (t[0] == '{' || t[0] == '[') {
			out := encode(f(v))
			return nil, &out
		}
		if open, end := strings.Index(t, "("), strings.LastIndex(t, ")"); open > 0 && end > open {
			if v, ok := decode([]byte(t[open+1 : end])); ok {
				out := t[:open+1] + encode(f(v)) + t[end:]
				return nil, &out
			}
		}
		if q, err := url.ParseQuery(t); err == nil && strings.Contains(t, "=") && !strings.ContainsAny(t, " <{") {
			m := map[string]any{}
			for k, vs := range q {
				m[k] = vs[0]
			}
			m = f(m).(map[string]any)
			out := url.Values{}
			for k, v := range m {
				out.Set(k, v.(string))
			}
			s := out.Encode()
			return nil, &s
		}
	}
	return r.JSON, r.Body
}

// begin starts a scenario: its generated placeholders get live values.
func (lv *liveProvider) begin(s *conformance.Scenario) {
	lv.mu.Lock()
	defer lv.mu.Unlock()
	lv.scenario = s
	lv.bound = map[string]string{}
	for k, v := range lv.values {
		lv.bound[k] = v
	}
	for _, n := range []string{"state", "nonce", "code_verifier", "code", "access_token", "refresh_token"} {
		h := hash(lv.provider, s.Name, n)
		v := "L1ve" + strings.ReplaceAll(n, "_", "") + h[:10] + strings.ToUpper(h[10:18]) + h[18:26]
		if n == "code_verifier" {
			v += h[26:48]
		}
		lv.bound[n] = v
		lv.note(v, "{{"+n+"}} of scenario "+s.Name)
	}
	sum := sha256.Sum256([]byte(lv.bound["code_verifier"]))
	lv.bound["code_challenge"] = base64.RawURLEncoding.EncodeToString(sum[:])
	lv.note(lv.bound["code_challenge"], "{{code_challenge}} of scenario "+s.Name)
}

var placeholder = regexp.MustCompile(`\{\{([a-z0-9_]+)\}\}`)

func (lv *liveProvider) expand(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := lv.bound[m[2:len(m)-2]]; ok {
			return v
		}
		return m
	})
}

// RoundTrip answers as the cassette says, with live values.
func (lv *liveProvider) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
	}
	lv.mu.Lock()
	defer lv.mu.Unlock()
	in := lv.find(req)
	resp := &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"error":"not_found"}`)), Request: req}
	if in == nil {
		return resp, nil
	}
	r := in.Response
	if r.JSON != nil {
		r.JSON = json.RawMessage(lv.expand(string(r.JSON)))
	}
	if r.Body != nil {
		b := lv.expand(*r.Body)
		r.Body = &b
	}
	body, text := walkAnswer(r, func(v any) any { return lv.liven(v, false, "") })
	resp.StatusCode = r.Status
	resp.Header = http.Header{}
	for k, vs := range r.Headers {
		for _, v := range vs {
			resp.Header.Add(k, lv.expand(v))
		}
	}
	switch {
	case body != nil:
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if resp.Header.Get("Content-Type") == "" {
			resp.Header.Set("Content-Type", "application/json")
		}
	case text != nil:
		resp.Body = io.NopCloser(strings.NewReader(*text))
	default:
		resp.Body = io.NopCloser(strings.NewReader(""))
	}
	return resp, nil
}

// find returns the interaction for req: the scenario's own first, then a
// shared one, then one of another scenario.
func (lv *liveProvider) find(req *http.Request) *conformance.Interaction {
	same := func(in *conformance.Interaction) bool {
		u, err := url.Parse(lv.expand(in.Request.URL))
		return err == nil && in.Request.Method == req.Method && u.Host == req.URL.Host && u.Path == req.URL.Path
	}
	if lv.scenario != nil {
		for i := range lv.scenario.Interactions {
			in := &lv.scenario.Interactions[i]
			if !lv.used[in] && same(in) {
				lv.used[in] = true
				return in
			}
		}
	}
	for i := range lv.c.Shared {
		if same(&lv.c.Shared[i]) {
			return &lv.c.Shared[i]
		}
	}
	for i := range lv.c.Scenarios {
		for j := range lv.c.Scenarios[i].Interactions {
			if in := &lv.c.Scenarios[i].Interactions[j]; same(in) {
				return in
			}
		}
	}
	return nil
}

// drive performs every scenario of the cassette against p, as a login
// would, through the Recorder.
func (lv *liveProvider) drive(t *testing.T, p *core.Provider, rec *conformance.Recorder, marked bool) {
	ctx := context.Background()
	for i := range lv.c.Scenarios {
		s := &lv.c.Scenarios[i]
		lv.begin(s)
		if marked {
			rec.Begin(s.Name, s.Op)
		}
		c, err := p.Client(ctx)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		in := s.Input
		or := func(v, def string) string {
			if v == "" {
				v = def
			}
			return lv.livenText(lv.expand(v))
		}
		spec := coreaccess.Spec(p)
		switch s.Op {
		case conformance.OpAuthorizationURL:
			var opts []core.Option
			if coreaccess.PKCE(p, c) {
				opts = append(opts, core.WithPKCE(lv.bound["code_verifier"]))
			}
			// A nonce only where a login sends one (not LinkedIn's).
			if spec.OIDC && !spec.NonceUnsupported {
				opts = append(opts, core.WithParam("nonce", lv.bound["nonce"]))
			}
			opts = append(opts, spec.AuthOptions...)
			for k, v := range in.Params {
				opts = append(opts, core.WithParam(k, lv.expand(v)))
			}
			rec.AuthorizationURL(c.AuthCodeURL(lv.bound["state"], opts...))
		case conformance.OpExchange:
			var opts []core.Option
			if coreaccess.PKCE(p, c) {
				opts = append(opts, core.WithPKCE(lv.bound["code_verifier"]))
			}
			for k, v := range in.Params {
				opts = append(opts, core.WithParam(k, lv.expand(v)))
			}
			if spec.CheckCallback != nil {
				// As a login: the provider checks the callback first
				// (a refused one sends nothing) and names what the
				// exchange carries (VK ID's device_id and state).
				cb := url.Values{}
				for k, v := range in.Callback {
					cb.Set(k, or(v, ""))
				}
				carried, err := spec.CheckCallback(cb, lv.now())
				if err != nil && len(s.Interactions) == 0 {
					break
				}
				// A callback the cassette signed for the test
				// credentials (Shopify's hmac) fails the check with the
				// live ones; its exchange is recorded all the same.
				if carried != nil {
					carried.Each(func(k, v string) { opts = append(opts, core.WithParam(k, v)) })
				}
			}
			_, _ = c.Exchange(ctx, or(in.Code, "{{code}}"), opts...)
		case conformance.OpRefresh:
			var opts []core.Option
			if len(in.Scopes) > 0 {
				opts = append(opts, core.WithParam("scope", strings.Join(in.Scopes, " ")))
			}
			_, _ = c.Refresh(ctx, or(in.RefreshToken, "{{refresh_token}}"), opts...)
		case conformance.OpRevocation:
			_ = c.Revoke(ctx, or(in.Token, "{{access_token}}"), lv.expand(in.TokenTypeHint))
		case conformance.OpUser:
			tok := &core.Token{AccessToken: or(in.AccessToken, "{{access_token}}"), TokenType: "Bearer", Raw: map[string]any{}}
			for k, v := range in.TokenFields {
				tok.Raw[k] = or(v, "")
			}
			cb := url.Values{}
			for k, v := range in.Callback {
				cb.Set(k, or(v, ""))
			}
			_, _ = p.User(ctx, core.UserRequest{Client: c, Token: tok, Callback: cb})
		}
		if marked {
			rec.End()
		}
	}
	lv.mu.Lock()
	lv.scenario = nil
	lv.mu.Unlock()
}

// leaks lists the live values a written cassette holds: as they are,
// URL-encoded, or inside the parts of a JWT.
func (lv *liveProvider) leaks(data []byte) []string {
	var texts []string
	texts = append(texts, string(data))
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return []string{"cassette that does not decode: " + err.Error()}
	}
	collectTexts(doc, &texts)
	n := len(texts)
	for _, s := range texts[:n] {
		if u, err := url.QueryUnescape(s); err == nil && u != s {
			texts = append(texts, u)
		}
		for _, tok := range jwtInText.FindAllString(s, -1) {
			for _, part := range strings.Split(tok, ".") {
				if b, err := base64.RawURLEncoding.DecodeString(part); err == nil {
					texts = append(texts, string(b))
				}
			}
		}
	}
	var out []string
	for _, v := range sortedKeys(lv.live) {
		for _, s := range texts {
			if strings.Contains(s, v) {
				out = append(out, fmt.Sprintf("%s %q", lv.live[v], v))
				break
			}
		}
	}
	return out
}

var jwtInText = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

func collectTexts(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			collectTexts(e, out)
		}
	case []any:
		for _, e := range x {
			collectTexts(e, out)
		}
	case string:
		*out = append(*out, x)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestUserFieldsNameAnswerMembers checks each built-in provider's
// declaration against its cassette: every member of a name of its own
// that the declaration says FetchUser maps (ID, UnionID, Email, Name,
// Username, AvatarURL) is a member of one of the cassette's answers, so a
// misspelt name is caught. Standard names (email) may be absent.
func TestUserFieldsNameAnswerMembers(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			c, err := conformance.LoadDir(filepath.Join("testdata", b.Name))
			if err != nil {
				t.Fatal(err)
			}
			p, err := b.New(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
			if err != nil {
				t.Fatal(err)
			}
			members := map[string]bool{}
			var collect func(v any)
			collect = func(v any) {
				switch x := v.(type) {
				case map[string]any:
					for k, e := range x {
						members[k] = true
						collect(e)
					}
				case []any:
					for _, e := range x {
						collect(e)
					}
				}
			}
			for _, s := range c.Scenarios {
				for _, in := range s.Interactions {
					walkAnswer(in.Response, func(v any) any { collect(v); return v })
				}
			}
			f := coreaccess.Spec(p).UserFields
			for _, n := range []string{f.ID, f.UnionID, f.Email, f.Name, f.Username, f.AvatarURL} {
				if n != "" && !members[n] && !slices.Contains(livePersonalAll, n) {
					t.Errorf("UserFields names %q, which no answer of the cassette has", n)
				}
			}
		})
	}
}
