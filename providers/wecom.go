package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// WeCom hosts.
const (
	wecomLoginURL = "https://login.work.weixin.qq.com/wwlogin/sso/login"
	wecomAPIURL   = "https://qyapi.weixin.qq.com"
)

// wecomDefaultLifetime is assumed when gettoken gives no expires_in.
const wecomDefaultLifetime = 7200 * time.Second

// wecomMaxMargin is the most by which the corp access token is dropped
// before its expires_in, so that a login that started with it does not
// finish with an expired one.
const wecomMaxMargin = 5 * time.Minute

// wecomCodes maps WeCom's errcode values onto RFC codes.
var wecomCodes = map[string]core.ErrorCode{
	"40029": core.CodeInvalidGrant,   // invalid code
	"40001": core.CodeInvalidClient,  // invalid secret (gettoken)
	"40013": core.CodeInvalidClient,  // invalid corpid
	"40091": core.CodeInvalidClient,  // invalid secret
	"40056": core.CodeInvalidClient,  // invalid agentid
	"41002": core.CodeInvalidClient,  // corpid missing
	"41004": core.CodeInvalidClient,  // secret missing
	"40014": core.CodeInvalidToken,   // invalid access_token
	"42001": core.CodeInvalidToken,   // access_token expired
	"41008": core.CodeInvalidRequest, // missing code
	"50001": core.CodeInvalidRequest, // redirect domain not trusted
	"60011": core.CodeAccessDenied,   // no privilege to read the member
	"60020": core.CodeAccessDenied,   // server IP not allow-listed
	"60111": core.CodeInvalidRequest, // userid not found
}

var wecomDetectors = []errorDetector{CodeDetector("errcode", "errmsg", wecomCodes)}

// WeCom returns a provider for WeCom (企业微信, WeChat Work) web login of a
// self-built corp app: corpID is the CorpID, agentID the app's AgentId,
// secret the app's Secret. WeCom's login is not an OAuth token flow: the
// app's own corp access token turns the login code into the member's
// userid. It reports configuration problems, joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O when built.
//
// Documentation:
// https://developer.work.weixin.qq.com/document/path/98151 (web login),
// https://developer.work.weixin.qq.com/document/path/91023 (code → userid),
// https://developer.work.weixin.qq.com/document/path/91039 (gettoken).
//
// Quirks handled here:
//
//   - The authorization URL is
//     https://login.work.weixin.qq.com/wwlogin/sso/login with login_type=CorpApp,
//     appid (the CorpID), agentid, redirect_uri and state, in that order;
//     WeCom takes no response_type and no scope, so neither is sent (unless
//     set with WithScopes). The redirect URI's domain must be a trusted
//     domain of the app (else errcode 50001).
//   - No PKCE and no refresh; the login relies on state.
//   - The corp access token comes from GET
//     https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=...&corpsecret=...
//     It is fetched on first use (so Auth.Begin may make this call), then
//     cached until its expires_in (7200 s) minus a margin of a tenth of its
//     lifetime, at most five minutes, measured with the client's clock; all
//     concurrent callers wait for one fetch. Should WeCom invalidate it
//     early, calls fail with invalid_token (40014/42001) until the cached
//     one expires.
//   - The code exchange is GET /cgi-bin/auth/getuserinfo with the corp token
//     and the code. The answer of the web login has the userid and nothing
//     else (WeCom returns a user_ticket only to the in-client OAuth with
//     scope snsapi_privateinfo, which this provider does not start); WeCom
//     issues no user token, so the Token of a login holds the userid in
//     AccessToken — it is an identifier, not a credential — and in UserID,
//     so a stored token fetches the user too. A non-member (openid without
//     userid) cannot log in: the exchange fails for lack of a userid.
//   - Errors come with HTTP 200 as {"errcode":40029,"errmsg":"invalid code"}:
//     40029 maps to invalid_grant, 40001/40013/40091 to invalid_client,
//     40014/42001 to invalid_token, 60011 to access_denied. The number
//     stays in ProviderCode.
//   - The user is GET /cgi-bin/user/get with the corp token and the userid
//     (name, alias, department, ...). ID is the userid (unique within the
//     corp), Name name, AvatarURL avatar. Email is email, else biz_mail,
//     both managed by the corp's administrators and never marked verified.
//     Self-built apps created since 20 June 2022 no longer get avatar,
//     mobile, email or biz_mail from user/get (WeCom gives them only through
//     the in-client OAuth's user_ticket), so for such apps those stay empty.
//   - No revocation and no OpenID Connect.
//
// Options: those every constructor takes (see Option; WithScopes sends a
// scope, which WeCom otherwise does without), and WithBaseURL, which
// replaces the API host https://qyapi.weixin.qq.com (a private WeCom
// deployment); the login page stays on login.work.weixin.qq.com.
//
// The returned provider is immutable and safe for concurrent use.
func WeCom(corpID, agentID, secret string, opts ...Option) (*core.Provider, error) {
	s := collect(opts)
	api, err := checkBaseURL("wecom", "base URL", s.baseURL, wecomAPIURL)
	if agentID == "" {
		err = errors.Join(err, fmt.Errorf("%w: wecom: the agent id is empty", core.ErrInvalidConfig))
	}
	w := &wecom{corpID: corpID, secret: secret, api: api}
	return s.build(corpID, secret, spec{
		name: "wecom", display: "WeCom",
		endpoints: core.Endpoints{
			AuthURL:     wecomLoginURL,
			TokenURL:    api + "/cgi-bin/auth/getuserinfo",
			UserInfoURL: api + "/cgi-bin/user/get",
		},
		method: core.AuthSecretPost, dialect: wecomDialect, pkce: core.PKCEUnsupported,
		authOptions: []core.Option{
			core.WithParam("response_type", ""),
			core.WithParam("login_type", "CorpApp"),
			core.WithParam("agentid", agentID),
		},
		discover: w.corpToken, fetchUser: w.fetchUser, accepts: optBaseURL,
		userFields: wecomUserFields,
	}, err)
}

// wecomUserFields are the members of WeCom's user/get and getuserdetail
// answers that hold personal data.
var wecomUserFields = core.UserFields{
	ID: "userid", Name: "name", AvatarURL: "avatar", Email: "email",
	Personal: []string{"alias", "mobile", "biz_mail", "thumb_avatar", "qr_code", "address", "telephone", "position",
		"department", "main_department", "direct_leader", "open_userid", "external_userid", "gender", "extattr",
		"external_profile", "external_position"},
}

// wecomDialect is WeCom's: appid on the login page, GET calls with the
// corp token in the query, errcode errors in HTTP 200 answers.
var wecomDialect = &core.Dialect{
	ParamNames:       map[string]string{"client_id": "appid"},
	AuthParamOrder:   []string{"login_type", "appid", "agentid", "redirect_uri", "state"},
	TokenMethod:      "GET",
	TokenFields:      map[string]string{"access_token": "userid"},
	UserIDMember:     "userid",
	DefaultTokenType: "Bearer",
	ErrorDetectors:   wecomDetectors,
	// corpsecret is the app's secret at gettoken; user_ticket, in the
	// code exchange's answer, unlocks the member's private fields.
	SecretFields: []string{"corpsecret", "user_ticket"},
	EditRequest: func(r *core.Request) error {
		if r.Op == core.OpExchange {
			// The corp token is already in the URL; only the code is
			// sent, never the corp secret.
			code := r.Params.Get("code")
			r.Params = &core.Params{}
			r.Params.Set("code", code)
		}
		return nil
	},
}

type wecom struct {
	corpID, secret, api string
}

// corpToken fetches the corp access token and returns the endpoints that
// carry it, cached by the provider until Expiry. core runs it under the
// provider's discovery lock, so concurrent callers share one fetch.
func (w *wecom) corpToken(ctx context.Context, rc *http.Client, clock core.Clock) (*core.Discovery, error) {
	c, err := core.NewClient(core.Config{
		ClientID: w.corpID, ClientSecret: w.secret, AuthMethod: core.AuthSecretPost,
		Endpoints: core.Endpoints{TokenURL: w.api + "/cgi-bin/gettoken"},
		Dialect:   wecomDialect, HTTPClient: rc, Clock: clock,
	})
	if err != nil {
		return nil, err
	}
	fields, err := c.Resource(ctx, core.ResourceRequest{
		URL: w.api + "/cgi-bin/gettoken", NoBearer: true,
		Query: query("corpid", w.corpID, "corpsecret", w.secret),
	})
	if err != nil {
		return nil, fmt.Errorf("providers: wecom: corp access token: %w", err)
	}
	tok := jsonmap.String(fields, "access_token")
	if tok == "" {
		return nil, fmt.Errorf("providers: wecom: corp access token: %w", core.ErrMissingAccessToken)
	}
	lifetime := wecomDefaultLifetime
	if v := jsonmap.String(fields, "expires_in"); v != "" {
		secs, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || secs <= 0 || secs > 10*365*24*3600 {
			return nil, fmt.Errorf("providers: wecom: corp access token: %w: expires_in %q", core.ErrInvalidExpiry, v)
		}
		lifetime = time.Duration(secs) * time.Second
	}
	q := "?access_token=" + url.QueryEscape(tok)
	return &core.Discovery{
		Endpoints: core.Endpoints{
			AuthURL:     wecomLoginURL,
			TokenURL:    w.api + "/cgi-bin/auth/getuserinfo" + q,
			UserInfoURL: w.api + "/cgi-bin/user/get" + q,
		},
		Expiry: clock.Now().Add(lifetime - min(lifetime/10, wecomMaxMargin)),
	}, nil
}

func (w *wecom) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	userid := tokenUserID(r.Token, "userid")
	if userid == "" {
		// A token stored before Token.UserID existed: its AccessToken is
		// the userid (see the exchange above).
		userid = r.Token.AccessToken
	}
	ep := r.Client.Endpoints().UserInfoURL
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: ep, NoBearer: true, Query: query("userid", userid)})
	if err != nil {
		return nil, err
	}
	if got := jsonmap.String(fields, "userid"); got != "" && got != userid {
		return nil, fmt.Errorf("providers: wecom: %w: user/get answered for another userid", core.ErrMalformedResponse)
	}
	email := jsonmap.String(fields, "email")
	if email == "" {
		email = jsonmap.String(fields, "biz_mail")
	}
	return &core.User{
		ID:        userid,
		Name:      jsonmap.String(fields, "name"),
		AvatarURL: jsonmap.String(fields, "avatar"),
		Email:     email,
		Raw:       fields,
	}, nil
}
