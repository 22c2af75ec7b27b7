package conformance_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// Fake "live" credentials: what a recording would hold.
const (
	liveClientID     = "L1veClientId7c3e9a0b5d"
	liveClientSecret = "L1veClientSecret4f8d2b6a9e1c"
	liveRedirectURL  = "https://l1ve-app.example/auth/callback"
)

// scripted is a provider on the wire: answers by "METHOD scheme://host/path".
type scripted map[string]answer

type answer struct {
	status int
	ctype  string
	body   string
}

func (s scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
	}
	a, ok := s[req.Method+" "+req.URL.Scheme+"://"+req.URL.Host+req.URL.Path]
	if !ok {
		a = answer{http.StatusNotFound, "application/json", `{"error":"not_found"}`}
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if a.ctype == "" {
		a.ctype = "application/json"
	}
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {a.ctype}},
		Body: io.NopCloser(strings.NewReader(a.body)), Request: req}, nil
}

// alipayClock is the recording's clock and the clock of the Alipay
// provider recorded, whose requests carry the time.
var alipayClock = testkit.NewClock(conformance.DefaultClock)

// record builds a provider with the live credentials on a Recorder over
// the script, runs steps and returns the cassette's JSON.
func record(t *testing.T, build func(hc *http.Client) (*core.Provider, error), wire scripted,
	steps func(ctx context.Context, p *core.Provider, c *core.Client), rec *conformance.Recorder) (*core.Provider, *conformance.Cassette, string, error) {
	t.Helper()
	rec.Transport = wire
	p, err := build(&http.Client{Transport: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := p.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps(ctx, p, c)
	cas, err := rec.Cassette(p)
	if err != nil {
		return p, nil, "", err
	}
	b, err := json.MarshalIndent(cas, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return p, cas, string(b), nil
}

// user fetches the user of a login whose token answer held fields.
func user(ctx context.Context, p *core.Provider, c *core.Client, access string, fields map[string]any) {
	_, _ = p.User(ctx, core.UserRequest{Client: c, Token: &core.Token{AccessToken: access, TokenType: "Bearer", Raw: fields}})
}

const lineDiscovery = `{"issuer":"https://access.line.me","authorization_endpoint":"https://access.line.me/oauth2/v2.1/authorize",
"token_endpoint":"https://api.line.me/oauth2/v2.1/token","revocation_endpoint":"https://api.line.me/oauth2/v2.1/revoke",
"userinfo_endpoint":"https://api.line.me/oauth2/v2.1/userinfo","jwks_uri":"https://api.line.me/oauth2/v2.1/certs",
"response_types_supported":["code"],"subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["ES256"]}`

// TestRecorderRedactsDeclaredFields records the answers that used to leak
// (tokens under other names, tokens in headers of the provider's own, a
// corp token from a call of its own, personal data under names the old
// list did not hold) through the real providers, and checks that none of
// their values is in the cassette, that the named placeholders are, and
// that the cassette replays.
func TestRecorderRedactsDeclaredFields(t *testing.T) {
	t.Parallel()
	opts := func(hc *http.Client) []providers.Option {
		return []providers.Option{providers.WithRedirectURL(liveRedirectURL), providers.WithHTTPClient(hc)}
	}
	tests := []struct {
		name  string
		build func(id, secret string, hc *http.Client) (*core.Provider, error)
		wire  scripted
		steps func(ctx context.Context, p *core.Provider, c *core.Client)
		live  []string
		want  []string
	}{{
		name: "dingtalk accessToken, refreshToken, its token header, nick and openId",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.DingTalk(id, secret, opts(hc)...)
		},
		wire: scripted{
			"POST https://api.dingtalk.com/v1.0/oauth2/userAccessToken": {body: `{"accessToken":"L1veDtAccess0a1B2c3D4e5F","refreshToken":"L1veDtRefresh6g7H8i9J0k","expireIn":7200,"corpId":"dingL1veCorp55aa66bb"}`},
			"GET https://api.dingtalk.com/v1.0/contact/users/me":        {body: `{"nick":"L1veNickZhang","avatarUrl":"https://static.l1ve.example/a/L1veAvatar.png","mobile":"13800138000","stateCode":"86","openId":"L1veOpenId7x8y9z","unionId":"L1veUnionId1q2w3e","email":"l1ve.zhang@l1ve-mail.example"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			_, _ = c.Exchange(ctx, "L1veDtCode11223344556677")
			_, _ = c.Refresh(ctx, "L1veDtRefresh6g7H8i9J0k")
			user(ctx, p, c, "L1veDtAccess0a1B2c3D4e5F", nil)
		},
		live: []string{"L1veDtAccess0a1B2c3D4e5F", "L1veDtRefresh6g7H8i9J0k", "L1veDtCode11223344556677", "dingL1veCorp55aa66bb",
			"L1veNickZhang", "L1veAvatar", "13800138000", "L1veOpenId7x8y9z", "L1veUnionId1q2w3e", "l1ve.zhang"},
		want: []string{`"accessToken": "{{access_token}}"`, `"refreshToken": "{{refresh_token}}"`,
			`"X-Acs-Dingtalk-Access-Token": "{{access_token}}"`, `"nick": "{{nick}}"`, `"openId": "{{openid}}"`},
	}, {
		name: "wecom corp access_token from gettoken, user_ticket and avatar",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.WeCom(id, "1000002", secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://qyapi.weixin.qq.com/cgi-bin/gettoken":            {body: `{"errcode":0,"errmsg":"ok","access_token":"L1veCorpToken9a8b7c6d5e4f","expires_in":7200}`},
			"GET https://qyapi.weixin.qq.com/cgi-bin/auth/getuserinfo":    {body: `{"errcode":0,"errmsg":"ok","userid":"L1veUserLisi","user_ticket":"L1veTicket3c4d5e6f7a8b"}`},
			"GET https://qyapi.weixin.qq.com/cgi-bin/user/get":            {body: `{"errcode":0,"errmsg":"ok","userid":"L1veUserLisi","name":"L1veNameLisi","department":[1,2],"position":"L1vePosition","alias":"L1veAlias"}`},
			"POST https://qyapi.weixin.qq.com/cgi-bin/auth/getuserdetail": {body: `{"errcode":0,"errmsg":"ok","userid":"L1veUserLisi","avatar":"https://wework.l1ve.example/L1veAvatarLisi/0","email":"l1ve.lisi@l1ve-mail.example","biz_mail":"l1ve.biz@l1ve-corp.example","mobile":"13900139000"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			tok, err := c.Exchange(ctx, "L1veWeComCode0f9e8d7c")
			if err == nil {
				_, _ = p.User(ctx, core.UserRequest{Client: c, Token: tok})
			}
		},
		live: []string{"L1veCorpToken9a8b7c6d5e4f", "L1veTicket3c4d5e6f7a8b", "L1veUserLisi", "L1veNameLisi", "L1vePosition",
			"L1veAlias", "L1veAvatarLisi", "l1ve.lisi", "l1ve.biz", "13900139000", "L1veWeComCode0f9e8d7c"},
		want: []string{`"corpsecret": "{{client_secret}}"`, `"access_token": "{{access_token_2}}"`, `"userid": "{{access_token}}"`,
			`"user_ticket": "{{user_ticket}}"`},
	}, {
		name: "line userId, displayName and pictureUrl",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.LINE(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://access.line.me/.well-known/openid-configuration": {body: lineDiscovery},
			"GET https://api.line.me/v2/profile":                          {body: `{"userId":"U1a2b3c4d5e6f7a8b9c0dL1ve","displayName":"L1ve Brown","pictureUrl":"https://profile.line-scdn.net/L1vePicture","statusMessage":"L1ve status"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "L1veLineAccess5f6e7d8c9b", nil)
		},
		live: []string{"U1a2b3c4d5e6f7a8b9c0dL1ve", "L1ve Brown", "L1vePicture", "L1ve status", "L1veLineAccess5f6e7d8c9b"},
		want: []string{`"userId": "{{userid}}"`, `"displayName": "{{displayname}}"`, `"pictureUrl": "{{pictureurl}}"`},
	}, {
		name: "wechat headimgurl, openid and unionid in a text/plain answer",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.WeChatOpen(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://api.weixin.qq.com/sns/oauth2/access_token": {ctype: "text/plain", body: `{"access_token":"L1veWxAccess1234567890ab","expires_in":7200,"refresh_token":"L1veWxRefresh0987654321","openid":"oL1veOpenid4e5f6a7b8c","scope":"snsapi_login","unionid":"oL1veUnionid9d8c7b6a5f"}`},
			"GET https://api.weixin.qq.com/sns/userinfo":            {ctype: "text/plain", body: `{"openid":"oL1veOpenid4e5f6a7b8c","nickname":"L1veWxNick","sex":1,"province":"L1veProvince","city":"L1veCity","country":"L1veCountry","headimgurl":"https://thirdwx.qlogo.cn/mmopen/L1veHeadImg/132","privilege":["L1vePrivilege"],"unionid":"oL1veUnionid9d8c7b6a5f"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			tok, err := c.Exchange(ctx, "L1veWxCode5a6b7c8d9e")
			if err == nil {
				_, _ = p.User(ctx, core.UserRequest{Client: c, Token: tok})
			}
		},
		live: []string{"L1veWxAccess1234567890ab", "L1veWxRefresh0987654321", "oL1veOpenid4e5f6a7b8c", "oL1veUnionid9d8c7b6a5f",
			"L1veWxNick", "L1veProvince", "L1veCity", "L1veCountry", "L1veHeadImg", "L1vePrivilege", "L1veWxCode5a6b7c8d9e"},
		want: []string{`"headimgurl": "{{headimgurl}}"`, `"secret": "{{client_secret}}"`},
	}, {
		name: "qq form and JSONP answers, figureurl*",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.QQ(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://graph.qq.com/oauth2.0/token":     {ctype: "text/html", body: `access_token=L1veQqAccess8F7E6D5C4B3A&expires_in=7776000&refresh_token=L1veQqRefresh1A2B3C4D5E6F`},
			"GET https://graph.qq.com/oauth2.0/me":        {ctype: "text/html", body: `callback( {"client_id":"` + liveClientID + `","openid":"L1veQqOpenid00AA11BB22CC","unionid":"UID_L1veQqUnion33DD44EE"} );`},
			"GET https://graph.qq.com/user/get_user_info": {ctype: "text/html", body: `{"ret":0,"msg":"","nickname":"L1veQqNick","gender":"L1veGender","province":"L1veQqProvince","city":"L1veQqCity","year":"1990","figureurl":"http://qzapp.qlogo.cn/qzapp/L1veFig0/30","figureurl_1":"http://qzapp.qlogo.cn/qzapp/L1veFig1/50","figureurl_2":"http://qzapp.qlogo.cn/qzapp/L1veFig2/100","figureurl_qq_1":"http://thirdqq.qlogo.cn/g?k=L1veFigQ1&s=40","figureurl_qq_2":"http://thirdqq.qlogo.cn/g?k=L1veFigQ2&s=100"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			tok, err := c.Exchange(ctx, "L1veQqCode6677889900")
			if err == nil {
				_, _ = p.User(ctx, core.UserRequest{Client: c, Token: tok})
			}
		},
		live: []string{"L1veQqAccess8F7E6D5C4B3A", "L1veQqRefresh1A2B3C4D5E6F", "L1veQqOpenid00AA11BB22CC", "UID_L1veQqUnion33DD44EE",
			"L1veQqNick", "L1veGender", "L1veQqProvince", "L1veQqCity", "L1veFig0", "L1veFig1", "L1veFig2", "L1veFigQ1", "L1veFigQ2",
			"L1veQqCode6677889900"},
		want: []string{`access_token={{access_token}}`, `callback( {\"client_id\":\"{{client_id}}\"`, `"figureurl_qq_2": "{{figureurl_qq_2}}"`},
	}, {
		name: "naver profile_image and birthday",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.Naver(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://openapi.naver.com/v1/nid/me": {body: `{"resultcode":"00","message":"success","response":{"id":"L1veNaverId32ab","nickname":"L1veNaverNick","name":"L1veNaverName","email":"l1ve.naver@l1ve-mail.example","gender":"F","age":"30-39","birthday":"10-01","birthyear":"1990","profile_image":"https://ssl.pstatic.net/static/L1veProfile.png","mobile":"010-1234-5678","mobile_e164":"+821012345678"}}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "L1veNaverAccess44556677", nil)
		},
		live: []string{"L1veNaverId32ab", "L1veNaverNick", "L1veNaverName", "l1ve.naver", "30-39", "10-01", "L1veProfile",
			"010-1234-5678", "+821012345678", "L1veNaverAccess44556677"},
		want: []string{`"profile_image": "{{profile_image}}"`, `"birthday": "{{birthday}}"`, `"resultcode": "00"`},
	}, {
		name: "discord global_name and avatar",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.Discord(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://discord.com/api/users/@me": {body: `{"id":"80351110224678912","username":"l1veuser","global_name":"L1ve Global","avatar":"a_L1veAvatarHash8899","banner":"L1veBanner","email":"l1ve.discord@l1ve-mail.example","verified":true,"locale":"L1veLocale"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "L1veDiscordAccess5566", nil)
		},
		live: []string{"80351110224678912", "l1veuser", "L1ve Global", "L1veAvatarHash8899", "L1veBanner", "l1ve.discord", "L1veLocale",
			"L1veDiscordAccess5566"},
		want: []string{`"global_name": "{{global_name}}"`},
	}, {
		name: "yandex's OAuth scheme, psuid and real_name",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.Yandex(id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://login.yandex.ru/info": {body: `{"id":"81000034426","login":"l1ve.ivan","client_id":"` + liveClientID + `","display_name":"L1ve Ivan","real_name":"L1ve Ivan Ivanov","sex":"male","default_email":"l1ve.ivan@l1ve-mail.example","psuid":"1.L1vePsuid.tbHgw5DtJ9_zeq","default_avatar_id":"81652443"}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "L1veYandexAccess0a9b8c7d", nil)
		},
		live: []string{"81000034426", "l1ve.ivan", "L1ve Ivan", "L1vePsuid", "81652443", "L1veYandexAccess0a9b8c7d"},
		want: []string{`"oauth": "{{access_token}}"`, `"real_name": "{{real_name}}"`, `"psuid": "{{psuid}}"`},
	}, {
		name: "shopify's token header and the shop's owner; its domain, the endpoints' host, kept",
		build: func(id, secret string, hc *http.Client) (*core.Provider, error) {
			return providers.Shopify(builtin.ShopifyShop, id, secret, opts(hc)...)
		},
		wire: scripted{
			"GET https://" + builtin.ShopifyShop + "/admin/api/2025-01/shop.json": {body: `{"shop":{"id":81380009,"name":"L1ve Store","email":"l1ve.shop@l1ve-mail.example","domain":"l1ve-store.example","shop_owner":"L1ve Owner","address1":"1 L1ve Loop","myshopify_domain":"` + builtin.ShopifyShop + `","currency":"USD"}}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "shpat_L1veShopAccess1a2b3c", nil)
		},
		live: []string{"81380009", "L1ve Store", "l1ve.shop", "l1ve-store", "L1ve Owner", "L1ve Loop", "L1veShopAccess1a2b3c"},
		want: []string{`"X-Shopify-Access-Token": "{{access_token}}"`, `"shop_owner": "{{shop_owner}}"`,
			`"myshopify_domain": "` + builtin.ShopifyShop + `"`, `"currency": "USD"`},
	}, {
		name: "alipay's auth_token, the signatures and the user's nick_name",
		build: func(id, _ string, hc *http.Client) (*core.Provider, error) {
			p, err := providers.Alipay(id, builtin.AlipayAppKey(), builtin.AlipayPublicKey(), opts(hc)...)
			if err != nil {
				return nil, err
			}
			// One clock for the gateway's timestamp and the cassette's.
			return coreaccess.WithRuntime(p, hc, alipayClock, nil), nil
		},
		wire: scripted{
			"POST https://openapi.alipay.com/gateway.do": {ctype: "text/html;charset=utf-8", body: `{"alipay_user_info_share_response":{"code":"10000","msg":"Success","user_id":"2088L1ve02150477","nick_name":"L1veNick","avatar":"https://tfs.alipayobjects.com/images/partner/L1veAvatar","province":"L1veProvince"},"sign":"L1veAnswerSignature0a1b2c3d4e5f=="}`},
		},
		steps: func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "authusrBL1veAlipayAccess9f8e7d", nil)
		},
		live: []string{"2088L1ve02150477", "L1veNick", "L1veAvatar", "L1veProvince", "L1veAnswerSignature0a1b2c3d4e5f",
			"authusrBL1veAlipayAccess9f8e7d"},
		want: []string{`"auth_token": "{{access_token}}"`, `"sign": "{{*}}"`, `"sign": "{{sign}}"`, `"nick_name": "{{nick_name}}"`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c, text, err := record(t, func(hc *http.Client) (*core.Provider, error) {
				return tt.build(liveClientID, liveClientSecret, hc)
			}, tt.wire, tt.steps, &conformance.Recorder{Clock: alipayClock})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range append(tt.live, liveClientID, liveClientSecret) {
				if strings.Contains(text, v) {
					t.Errorf("the cassette holds the live value %q", v)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the cassette has no %s", w)
				}
			}
			fake, err := tt.build(testClientID, testClientSecret, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := conformance.Complete(t.Context(), fake, c); err != nil {
				t.Fatalf("the cassette does not replay: %v\n%s", err, text)
			}
			if r, err := conformance.Check(t.Context(), fake, c); err != nil || !r.OK() {
				t.Fatalf("the cassette does not replay: %v %v", err, r.Err())
			}
			if t.Failed() {
				t.Log(text)
			}
		})
	}
}

// acmeAPI is a provider of one's own whose user fetch is given by the
// test, at https://as.example.
func acmeAPI(t *testing.T, hc *http.Client, fetch func(ctx context.Context, r core.UserRequest) (*core.User, error)) *core.Provider {
	t.Helper()
	p, err := core.NewProvider(core.ProviderSpec{
		Name: "acme",
		Client: core.Config{ClientID: liveClientID, ClientSecret: liveClientSecret, RedirectURL: liveRedirectURL, HTTPClient: hc,
			Endpoints: core.Endpoints{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"}},
		FetchUser: fetch,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func jwtOf(claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1"})
	c, _ := json.Marshal(claims)
	return enc(h) + "." + enc(c) + "." + enc([]byte("L1veSignatureBytes"))
}

// TestRecorderReplacesJWTsWhole checks that a JWT is replaced whole
// wherever it is: under id_token, under a member of an unknown name, and
// inside JSON carried in a string.
func TestRecorderReplacesJWTsWhole(t *testing.T) {
	t.Parallel()
	idToken := jwtOf(map[string]any{"sub": "L1veJwtSub", "email": "l1ve.jwt@l1ve-mail.example", "nonce": "L1veNonceValue"})
	other := jwtOf(map[string]any{"sub": "L1veOtherSub", "name": "L1ve Other"})
	nested, _ := json.Marshal(map[string]any{"signed": other, "id": "L1veNestedId"})
	wire := scripted{
		"POST https://as.example/token": {body: `{"access_token":"L1veAcmeAccess11223344","token_type":"Bearer","id_token":"` + idToken + `"}`},
		"GET https://as.example/me":     {body: `{"id":"L1veAcmeUser","attestation":"` + other + `","envelope":` + string(mustJSON(string(nested))) + `}`},
	}
	_, _, text, err := record(t, func(hc *http.Client) (*core.Provider, error) {
		return acmeAPI(t, hc, func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			f, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token})
			if err != nil {
				return nil, err
			}
			return &core.User{ID: jsonmap.String(f, "id"), Raw: f}, nil
		}), nil
	}, wire, func(ctx context.Context, p *core.Provider, c *core.Client) {
		if tok, err := c.Exchange(ctx, "L1veAcmeCode55667788"); err == nil {
			_, _ = p.User(ctx, core.UserRequest{Client: c, Token: tok})
		}
	}, &conformance.Recorder{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{idToken, other, "L1veJwtSub", "L1veOtherSub", "L1veNestedId", "L1veSignatureBytes",
		strings.Split(idToken, ".")[1], strings.Split(other, ".")[1]} {
		if strings.Contains(text, v) {
			t.Errorf("the cassette holds %q", v)
		}
	}
	for _, w := range []string{`"id_token": "{{id_token}}"`, `"attestation": "{{id_token_2}}"`, `\"signed\":\"{{id_token_2}}\"`} {
		if !strings.Contains(text, w) {
			t.Errorf("the cassette has no %s", w)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestRecorderFailsClosed checks that a recording holding what the
// recorder cannot classify gives no cassette but an error that wraps
// ErrUnclassified, names the call and what is wrong, and holds no secret;
// and that declaring the field lets the same recording through, redacted.
func TestRecorderFailsClosed(t *testing.T) {
	t.Parallel()
	const session = "L1veSession0a1b2c3d4e5f6a7b8c"
	tests := []struct {
		name    string
		wire    scripted
		fetch   func(ctx context.Context, r core.UserRequest) (*core.User, error)
		want    string
		declare *conformance.Recorder
	}{{
		name: "a header of an unknown name that may hold a token",
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token,
				Header: http.Header{"X-Session": {session}}})
			return &core.User{ID: "1"}, err
		},
		want:    `call 1 (GET https://as.example/me): header "X-Session" may hold a secret`,
		declare: &conformance.Recorder{SecretFields: []string{"X-Session"}},
	}, {
		name: "a query parameter of an unknown name that may hold a signature",
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			q := &core.Params{}
			q.Set("sig", session)
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token, Query: q})
			return &core.User{ID: "1"}, err
		},
		want:    `call 1 (GET https://as.example/me): query parameter "sig" may hold a secret`,
		declare: &conformance.Recorder{SecretFields: []string{"sig"}},
	}, {
		name: "an answer that is neither JSON, JSONP, a form nor a JWT",
		wire: scripted{"GET https://as.example/me": {ctype: "text/html", body: "<html><body>Welcome back, L1ve Person " + session + "</body></html>"}},
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token, Into: new([]byte)})
			return &core.User{ID: "1"}, err
		},
		want: `call 1 (GET https://as.example/me): its answer is neither JSON, JSONP, a form, a JWT nor a short line of text`,
	}, {
		name: "an answer that is a line of text holding what may be a token",
		wire: scripted{"GET https://as.example/me": {ctype: "text/plain", body: "session " + session + " of L1ve Person expired"}},
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token, Into: new([]byte)})
			return &core.User{ID: "1"}, err
		},
		want: `call 1 (GET https://as.example/me): its answer is a line of text that may hold a secret or an identifier`,
	}, {
		name: "a call to an endpoint the recorder cannot place",
		wire: scripted{"GET https://as.example/stats": {body: `{"visits":3,"last":"L1ve Person"}`}},
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/stats", NoBearer: true})
			return &core.User{ID: "1"}, err
		},
		want: `call 1 (GET https://as.example/stats): the recorder cannot tell which operation it belongs to`,
	}, {
		name: "a call to an endpoint the recorder cannot place, with a secret in its path",
		wire: scripted{"GET https://as.example/stats/" + session: {body: `{"visits":3}`}},
		fetch: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			_, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/stats/" + session, NoBearer: true})
			return &core.User{ID: "1"}, err
		},
		want: `call 1 (GET https://as.example/stats/{{…}}): the recorder cannot tell which operation it belongs to`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wire := tt.wire
			if wire == nil {
				wire = scripted{"GET https://as.example/me": {body: `{"id":"1"}`}}
			}
			build := func(hc *http.Client) (*core.Provider, error) { return acmeAPI(t, hc, tt.fetch), nil }
			steps := func(ctx context.Context, p *core.Provider, c *core.Client) {
				user(ctx, p, c, "L1veAcmeAccess99887766", nil)
			}
			_, c, _, err := record(t, build, wire, steps, &conformance.Recorder{})
			if c != nil || !errors.Is(err, conformance.ErrUnclassified) {
				t.Fatalf("Cassette: got %v, want an error wrapping ErrUnclassified and no cassette", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			for _, v := range []string{session, "L1veAcmeAccess99887766", "L1ve Person"} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q holds %q", err, v)
				}
			}
			if tt.declare == nil {
				return
			}
			_, _, text, err := record(t, build, wire, steps, tt.declare)
			if err != nil {
				t.Fatalf("with the field declared: %v", err)
			}
			if strings.Contains(text, session) || !strings.Contains(text, `"{{*}}"`) {
				t.Errorf("with the field declared, the request value is not the wildcard:\n%s", text)
			}
		})
	}
}

// TestRecorderNeedsTheProvider checks the errors that come before any
// redaction.
func TestRecorderNeedsTheProvider(t *testing.T) {
	t.Parallel()
	rec := &conformance.Recorder{}
	if _, err := rec.Cassette(nil); err == nil {
		t.Error("Cassette(nil): no error")
	}
	p := acmeAPI(t, nil, func(context.Context, core.UserRequest) (*core.User, error) { return nil, nil })
	if _, err := rec.Cassette(p); err == nil || !strings.Contains(err.Error(), "nothing was recorded") {
		t.Errorf("Cassette of an empty recording: %v", err)
	}
	rec.AuthorizationURL("/relative?state=L1veState")
	if _, err := rec.Cassette(p); err == nil || strings.Contains(err.Error(), "L1veState") {
		t.Errorf("Cassette of a relative authorization URL: %v", err)
	}
}

// TestRecorderAuthorizationURL checks the authorization URL's secrets and
// personal parameters, and an unknown parameter that may hold a secret.
func TestRecorderAuthorizationURL(t *testing.T) {
	t.Parallel()
	p := acmeAPI(t, nil, func(context.Context, core.UserRequest) (*core.User, error) { return nil, nil })
	q := url.Values{"client_id": {liveClientID}, "redirect_uri": {liveRedirectURL}, "state": {"L1veStateValue123456"},
		"nonce": {"L1veNonceValue654321"}, "code_challenge": {"L1veChallengeValue0000"}, "login_hint": {"l1ve.hint@l1ve-mail.example"},
		"scope": {"openid email"}, "response_type": {"code"}}
	rec := &conformance.Recorder{}
	rec.AuthorizationURL("https://as.example/authorize?" + q.Encode())
	c, err := rec.Cassette(p)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Scenarios[0].Authorization.Query
	want := map[string]string{"client_id": "{{client_id}}", "redirect_uri": "{{redirect_uri}}", "state": "{{state}}",
		"nonce": "{{nonce}}", "code_challenge": "{{code_challenge}}", "login_hint": "{{login_hint}}",
		"scope": "openid email", "response_type": "code"}
	keys := func(m map[string]string) []string {
		var k []string
		for n := range m {
			k = append(k, n)
		}
		sort.Strings(k)
		return k
	}
	for _, k := range keys(want) {
		if got[k] != want[k] {
			t.Errorf("query %s = %q, want %q", k, got[k], want[k])
		}
	}
	q.Set("ticket", "L1veTicketABCDEF0123456789")
	rec = &conformance.Recorder{}
	rec.AuthorizationURL("https://as.example/authorize?" + q.Encode())
	if _, err := rec.Cassette(p); !errors.Is(err, conformance.ErrUnclassified) || !strings.Contains(err.Error(), `authorization parameter "ticket"`) {
		t.Errorf("an unknown parameter that may hold a secret: %v", err)
	}
}

// TestRecorderFieldsOfItsOwn checks the Recorder's PersonalFields and
// SecretFields: names the provider does not declare, redacted all the
// same.
func TestRecorderFieldsOfItsOwn(t *testing.T) {
	t.Parallel()
	wire := scripted{"GET https://as.example/me": {body: `{"id":"L1veAcmeUser42","shoe_size":"L1veShoe","session_key":"L1veSessionKey77"}`}}
	fetch := func(ctx context.Context, r core.UserRequest) (*core.User, error) {
		f, err := r.Client.Resource(ctx, core.ResourceRequest{URL: "https://as.example/me", Token: r.Token})
		return &core.User{ID: jsonmap.String(f, "id")}, err
	}
	_, _, text, err := record(t, func(hc *http.Client) (*core.Provider, error) { return acmeAPI(t, hc, fetch), nil }, wire,
		func(ctx context.Context, p *core.Provider, c *core.Client) {
			user(ctx, p, c, "L1veAcmeAccess31415926", nil)
		},
		&conformance.Recorder{PersonalFields: []string{"shoe_size"}, SecretFields: []string{"session_key"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"L1veAcmeUser42", "L1veShoe", "L1veSessionKey77", "L1veAcmeAccess31415926"} {
		if strings.Contains(text, v) {
			t.Errorf("the cassette holds %q", v)
		}
	}
	for _, w := range []string{`"shoe_size": "{{shoe_size}}"`, `"session_key": "{{session_key}}"`, `"bearer": "{{access_token}}"`} {
		if !strings.Contains(text, w) {
			t.Errorf("the cassette has no %s", w)
		}
	}
}

// vkidWire answers VK ID's token endpoint with new tokens, echoing the
// request's state as VK ID does.
type vkidWire struct{ n int }

func (w *vkidWire) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	f, _ := url.ParseQuery(string(body))
	w.n++
	answer, _ := json.Marshal(map[string]any{"access_token": fmt.Sprintf("L1veVkAccess%02dA1b2C3d4E5", w.n),
		"refresh_token": fmt.Sprintf("L1veVkRefresh%02dF6g7H8i9J0", w.n), "token_type": "Bearer", "expires_in": 3600,
		"user_id": json.Number("81234567890"), "state": f.Get("state"), "scope": "vkid.personal_info"})
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(answer)), Request: req}, nil
}

// TestRecorderStateTheClientMakesUp records VK ID's exchange, whose state
// and device_id come from the callback, and its refresh, whose state the
// provider makes up: the exchange's state is the scenario's {{state}}, the
// refresh's is the wildcard (no replay could send the same), device_id is
// the wildcard, and no live state is left in the answers that echo them.
func TestRecorderStateTheClientMakesUp(t *testing.T) {
	t.Parallel()
	const (
		device = "L1veDevice_Zq0Hx7mVbq5HkQO0-dK2x8nLk6C6m1vN"
		state  = "L1veState3f2e1d0c9b8a7f6e"
	)
	rec := &conformance.Recorder{Transport: &vkidWire{}}
	p, err := providers.VKID(liveClientID, providers.WithRedirectURL(liveRedirectURL), providers.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Exchange(t.Context(), "L1veVkCode7a6b5c4d3e", core.WithPKCE("L1veVerifier0123456789abcdefghijklmnopqrstuvwxyz"),
		core.WithParam("device_id", device), core.WithParam("state", state))
	if err != nil {
		t.Fatal(err)
	}
	refreshed, err := c.Refresh(t.Context(), tok.RefreshToken, core.WithParam("device_id", device))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := rec.Cassette(p)
	if err != nil {
		t.Fatal(err)
	}
	var exchange, refresh *conformance.Interaction
	for i, s := range cas.Scenarios {
		switch s.Op {
		case conformance.OpExchange:
			exchange = &cas.Scenarios[i].Interactions[0]
		case conformance.OpRefresh:
			refresh = &cas.Scenarios[i].Interactions[0]
		}
	}
	if exchange == nil || refresh == nil {
		t.Fatalf("scenarios: %+v", cas.Scenarios)
	}
	for _, tt := range []struct {
		what, got, want string
	}{
		{"exchange state", exchange.Request.Form["state"], "{{state}}"},
		{"exchange device_id", exchange.Request.Form["device_id"], conformance.Wildcard},
		{"refresh state", refresh.Request.Form["state"], conformance.Wildcard},
		{"refresh device_id", refresh.Request.Form["device_id"], conformance.Wildcard},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
	}
	text, err := json.Marshal(cas)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{device, state, tok.AccessToken, tok.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken,
		refreshed.Raw["state"].(string), "81234567890"} {
		if strings.Contains(string(text), v) {
			t.Errorf("the cassette holds %q:\n%s", v, text)
		}
	}
}
