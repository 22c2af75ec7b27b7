package providers

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestAlipaySignedText: the text Alipay's signature covers, for the
// parameters of the example in Alipay's signing documentation, given out
// of order and with a sign and an empty parameter that must be left out.
func TestAlipaySignedText(t *testing.T) {
	t.Parallel()
	p := &core.Params{}
	for _, kv := range [][2]string{
		{"version", "1.0"}, {"timestamp", "2020-10-13 09:58:50"}, {"sign", "old"},
		{"biz_content", `{"out_trade_no":"20150519815610100992007","product_code":"FAST_INSTANT_TRADE_PAY","total_amount":88.88,"subject":"Iphone6 16G","body":"Iphone6 16G"}`},
		{"sign_type", "RSA2"}, {"app_auth_token", ""}, {"method", "alipay.trade.page.pay"},
		{"format", "json"}, {"charset", "utf-8"}, {"app_id", "2016101800718925"},
	} {
		p.Set(kv[0], kv[1])
	}
	want := `app_id=2016101800718925&biz_content={"out_trade_no":"20150519815610100992007","product_code":"FAST_INSTANT_TRADE_PAY","total_amount":88.88,"subject":"Iphone6 16G","body":"Iphone6 16G"}&charset=utf-8&format=json&method=alipay.trade.page.pay&sign_type=RSA2&timestamp=2020-10-13 09:58:50&version=1.0`
	got, sorted := alipaySignedText(p)
	if got != want {
		t.Errorf("signed text\n got %s\nwant %s", got, want)
	}
	var names []string
	sorted.Each(func(k, _ string) { names = append(names, k) })
	if strings.Join(names, ",") != "app_auth_token,app_id,biz_content,charset,format,method,sign_type,timestamp,version" {
		t.Errorf("parameters %v", names)
	}
}

// alipayGateway is an Alipay gateway in process: it checks each request's
// signature with the app's public key and answers with the member a test
// gives, signed with the gateway's key.
type alipayGateway struct {
	t        *testing.T
	app      *rsa.PublicKey
	key      *rsa.PrivateKey
	answer   func(form url.Values) (name, member string)
	requests []url.Values
}

func (g *alipayGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost || r.URL.String() != alipayGatewayURL {
		g.t.Errorf("request %s %s %q", r.Method, r.URL, body)
	}
	g.requests = append(g.requests, form)
	p := &core.Params{}
	for k := range form {
		p.Set(k, form.Get(k))
	}
	text, _ := alipaySignedText(p)
	sig, _ := base64.StdEncoding.DecodeString(form.Get("sign"))
	sum := sha256.Sum256([]byte(text))
	if rsa.VerifyPKCS1v15(g.app, crypto.SHA256, sum[:], sig) != nil {
		g.t.Errorf("the request's signature does not verify over %q", text)
	}
	name, member := g.answer(form)
	sum = sha256.Sum256([]byte(member))
	out, _ := rsa.SignPKCS1v15(nil, g.key, crypto.SHA256, sum[:])
	fmt.Fprintf(w, `{"%s":%s,"sign":"%s"}`, name, member, base64.StdEncoding.EncodeToString(out))
}

// TestAlipayLogin drives a whole login through core.Auth: the page, the
// auth_code callback, the signed code exchange and the signed user call,
// both answers verified.
func TestAlipayLogin(t *testing.T) {
	t.Parallel()
	appKey, gatewayKey := testkit.RSAKey(t), testkit.RSAKey(t)
	g := &alipayGateway{t: t, app: &appKey.PublicKey, key: gatewayKey, answer: func(form url.Values) (string, string) {
		if form.Get("method") == alipayTokenMethod {
			if form.Get("code") != "the-code" || form.Get("grant_type") != "authorization_code" || form.Has("redirect_uri") {
				t.Errorf("token request %v", form)
			}
			return "alipay_system_oauth_token_response", `{"access_token":"authusrB1","expires_in":"1296000","refresh_token":"authusrB2","user_id":"2088102150477652"}`
		}
		if form.Get("auth_token") != "authusrB1" {
			t.Errorf("user request %v", form)
		}
		return "alipay_user_info_share_response", `{"code":"10000","msg":"Success","user_id":"2088102150477652","nick_name":"支付宝小二","avatar":"https://tfs.alipayobjects.com/a.png"}`
	}}
	p, err := Alipay("2021000123456789", testkit.PKCS8PEM(t, appKey), publicPEM(t, &gatewayKey.PublicKey))
	a := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).
		HTTPClient(handlerClient(g.ServeHTTP)).Provider(p, err).MustBuild()
	ctx := t.Context()
	authURL, cookie, err := a.Begin(ctx, "alipay", core.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme+"://"+u.Host+u.Path != alipayAuthURL || q.Get("app_id") != "2021000123456789" || q.Get("scope") != "auth_user" || q.Has("response_type") || q.Has("client_id") {
		t.Errorf("authorization URL %s", authURL)
	}
	cb := url.Values{"app_id": {"2021000123456789"}, "source": {"alipay_wallet"}, "scope": {"auth_user"}, "auth_code": {"the-code"}, "state": {q.Get("state")}}
	res, _, err := a.Complete(ctx, "alipay", cb, func(n string) (string, bool) { return cookie.Value, n == cookie.Name })
	if err != nil {
		t.Fatal(err)
	}
	if res.Token.AccessToken != "authusrB1" || res.Token.RefreshToken != "authusrB2" || res.User.ID != "2088102150477652" || res.User.Name != "支付宝小二" {
		t.Errorf("token %v user %+v", res.Token, res.User)
	}
	if len(g.requests) != 2 {
		t.Fatalf("%d gateway calls", len(g.requests))
	}
	for _, f := range g.requests {
		if f.Get("app_id") != "2021000123456789" || f.Get("sign_type") != "RSA2" || f.Get("charset") != "utf-8" || f.Get("version") != "1.0" || f.Get("format") != "JSON" || len(f.Get("timestamp")) != len("2006-01-02 15:04:05") {
			t.Errorf("common parameters %v", f)
		}
	}
}

// TestAlipayKeys: keys as PEM (PKCS #1, PKCS #8, PKIX) or bare base64 are
// taken; short RSA keys, other key types and garbage are configuration
// errors, reported together.
func TestAlipayKeys(t *testing.T) {
	t.Parallel()
	key := testkit.RSAKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pkcs8 := testkit.PKCS8PEM(t, key)
	pub := publicPEM(t, &key.PublicKey)
	block, _ := pem.Decode(pkcs8)
	bare := []byte(base64.StdEncoding.EncodeToString(block.Bytes)[:64] + "\n " + base64.StdEncoding.EncodeToString(block.Bytes)[64:])
	pubBlock, _ := pem.Decode(pub)
	bareRSAPub := []byte(base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&key.PublicKey)))
	for _, priv := range [][]byte{pkcs1, pkcs8, bare} {
		for _, pk := range [][]byte{pub, []byte(base64.StdEncoding.EncodeToString(pubBlock.Bytes)), bareRSAPub} {
			if _, err := Alipay("app", priv, pk); err != nil {
				t.Errorf("refused: %v", err)
			}
		}
	}
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec := testkit.PKCS8PEM(t, testkit.SigningKey(t, "ES256"))
	for _, tt := range []struct {
		name      string
		priv, pub []byte
		want      []string
	}{
		{"short key", testkit.PKCS8PEM(t, short), pub, []string{"1024 bits"}},
		{"EC key", ec, pub, []string{"not an RSA key"}},
		{"both garbage", []byte("not a key!"), nil, []string{"app private key", "Alipay public key"}},
	} {
		_, err := Alipay("app", tt.priv, tt.pub)
		if !errors.Is(err, core.ErrInvalidConfig) {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tt.name, err, w)
			}
		}
	}
}

func publicPEM(t *testing.T, k *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
