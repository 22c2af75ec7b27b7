package oauth20gin_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth20/oauth20/adapters/oauth20gin"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

func init() { gin.SetMode(gin.TestMode) }

// writeMe answers the session that RequireLogin stored, after checking
// that it is the same in the gin.Context and in the request's context.
func writeMe(c *gin.Context) {
	s, ok := oauth20gin.UserFrom(c)
	rs, rok := core.UserFrom(c.Request.Context())
	if !ok || !rok || s != rs {
		c.String(http.StatusInternalServerError, "session in gin.Context %t, in the request context %t", ok, rok)
		return
	}
	c.JSON(http.StatusOK, adaptertest.MeOf(s))
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
		var h *oauth20gin.Handler
		h, err := oauth20gin.New(oauth20gin.Config{Auth: env.Auth,
			LoginOptions: func(c *gin.Context) core.BeginOptions { return env.LoginOptions(c.Request.URL.Query()) },
			OnSuccess: func(c *gin.Context, res *core.Result) {
				if status, body, ok := env.OnSuccess(res); ok {
					c.Data(status, "application/json", body)
					return
				}
				h.StartSession(c, res)
			}})
		if err != nil {
			t.Fatal(err)
		}
		r := gin.New()
		h.Register(r.Group(adaptertest.Prefix))
		h.Register(r.Group(adaptertest.OtherPrefix))
		r.GET(adaptertest.MePath, h.RequireLogin, writeMe)
		return r
	}))
}

func TestNewRequiresAuth(t *testing.T) {
	t.Parallel()
	if _, err := oauth20gin.New(oauth20gin.Config{}); !errors.Is(err, core.ErrInvalidConfig) || !strings.Contains(err.Error(), "Auth is required") {
		t.Fatalf("err = %v", err)
	}
}

// The routes work in a nested route group, behind the group's middleware,
// with the base URL's path as the groups' prefix.
func TestNestedGroups(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/app/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.Auth})
	r := gin.New()
	app := r.Group("/app", func(c *gin.Context) { c.Header("X-Group", "app") })
	h.Register(app.Group("/auth"))
	app.GET("/me", h.RequireLogin, writeMe)
	w.Serve(t, r)
	if cb := w.CheckLoginAndLogout(t, "/app/me"); cb.Header.Get("X-Group") != "app" {
		t.Errorf("the callback skipped the group's middleware: X-Group %q", cb.Header.Get("X-Group"))
	}
}

func TestCustomHandlers(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	var got *core.Result
	var gotErr error
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.Auth,
		OnSuccess: func(c *gin.Context, res *core.Result) {
			got = res
			c.String(http.StatusTeapot, "welcome %s", res.User.Name)
		},
		ErrorHandler: func(c *gin.Context, err error) {
			gotErr = err
			c.String(core.ProblemOf(err).Status, "sorry")
		},
	})
	r := gin.New()
	h.Register(r.Group("/auth"))
	w.Serve(t, r)
	w.CheckCustomHandlers(t, &got, &gotErr)
}

// RequireLogin sends a GET to the Auth's login URL with return_to, answers
// other methods 401, and stops the chain either way.
func TestRequireLogin(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth", func(b *core.Builder) { b.LoginURL("/login?next=1") })
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.Auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	reached := false
	r.Match([]string{http.MethodGet, http.MethodPost}, "/private", h.RequireLogin, func(c *gin.Context) { reached = true })
	w.Serve(t, r)
	w.CheckRequireLogin(t, "/private?a=b", "/login?next=1&return_to=%2Fprivate%3Fa%3Db")
	if reached {
		t.Error("RequireLogin let a request without a session through")
	}
}

// UserFrom finds the session only behind RequireLogin; Handler.Session
// reads the cookie anywhere.
func TestUserFrom(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.Auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	r.GET("/open", func(c *gin.Context) {
		_, fromGin := oauth20gin.UserFrom(c)
		_, fromRequest := core.UserFrom(c.Request.Context())
		s, ok, _ := h.Session(c)
		c.JSON(http.StatusOK, []bool{fromGin, fromRequest, ok && s.UserID != ""})
	})
	r.GET("/me", h.RequireLogin, writeMe)
	w.Serve(t, r)
	w.CheckUserFrom(t, "/open", "/me")
}

// A form_post body larger than the cap is refused before it is parsed.
func TestCallbackBodyCap(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	h := oauth20gin.MustNew(oauth20gin.Config{Auth: w.Auth})
	r := gin.New()
	h.Register(r.Group("/auth"))
	w.Serve(t, r)
	w.CheckCallbackBodyCap(t)
}

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	oauth20gin.WriteProblem(c, adaptertest.ProblemError())
	adaptertest.CheckWrittenProblem(t, rec.Result())
}
