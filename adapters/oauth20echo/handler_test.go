package oauth20echo_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20echo"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/labstack/echo/v5"
)

// writeMe answers the session that RequireLogin stored, after checking
// that it is the same in the echo.Context and in the request's context.
func writeMe(c *echo.Context) error {
	s, ok := oauth20echo.UserFrom(c)
	rs, rok := core.UserFrom(c.Request().Context())
	if !ok || !rok || s != rs {
		return c.String(http.StatusInternalServerError, fmt.Sprintf("session in echo.Context %t, in the request context %t", ok, rok))
	}
	return c.JSON(http.StatusOK, adaptertest.MeOf(s))
}

func TestSharedTable(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, adaptertest.Handler(func(t *testing.T, env adaptertest.Env) http.Handler {
		var h *oauth20echo.Handler
		h, err := oauth20echo.New(oauth20echo.Config{Auth: env.Auth,
			LoginOptions: func(c *echo.Context) core.BeginOptions { return env.LoginOptions(c.Request().URL.Query()) },
			OnSuccess: func(c *echo.Context, res *core.Result) error {
				if status, body, ok := env.OnSuccess(res); ok {
					return c.Blob(status, "application/json", body)
				}
				return h.StartSession(c, res)
			}})
		if err != nil {
			t.Fatal(err)
		}
		e := echo.New()
		h.Register(e.Group(adaptertest.Prefix))
		h.Register(e.Group(adaptertest.OtherPrefix))
		e.GET(adaptertest.MePath, writeMe, h.RequireLogin)
		return e
	}))
}

func TestNewRequiresAuth(t *testing.T) {
	t.Parallel()
	if _, err := oauth20echo.New(oauth20echo.Config{}); !errors.Is(err, core.ErrInvalidConfig) || !strings.Contains(err.Error(), "Auth is required") {
		t.Fatalf("err = %v", err)
	}
}

// The routes work in a nested group, behind the groups' middleware, with
// the base URL's path as the groups' prefix.
func TestNestedGroups(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/app/auth")
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth})
	e := echo.New()
	app := e.Group("/app", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.Response().Header().Set("X-Group", "app")
			return next(c)
		}
	})
	h.Register(app.Group("/auth"))
	app.GET("/me", writeMe, h.RequireLogin)
	w.Serve(t, e)
	if cb := w.CheckLoginAndLogout(t, "/app/me"); cb.Header.Get("X-Group") != "app" {
		t.Errorf("the callback skipped the group's middleware: X-Group %q", cb.Header.Get("X-Group"))
	}
}

func TestCustomHandlers(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	var got *core.Result
	var gotErr error
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth,
		OnSuccess: func(c *echo.Context, res *core.Result) error {
			got = res
			return c.String(http.StatusTeapot, "welcome "+res.User.Name)
		},
		ErrorHandler: func(c *echo.Context, err error) error {
			gotErr = err
			return c.String(core.ProblemOf(err).Status, "sorry")
		},
	})
	e := echo.New()
	h.Register(e.Group("/auth"))
	w.Serve(t, e)
	w.CheckCustomHandlers(t, &got, &gotErr)
}

// An error that ErrorHandler returns goes to Echo's HTTPErrorHandler, as
// any handler error does.
func TestErrorHandlerErrorReachesEcho(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth,
		ErrorHandler: func(c *echo.Context, err error) error { return err },
	})
	var seen error
	e := echo.New()
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		seen = err
		_ = c.NoContent(core.ProblemOf(err).Status)
	}
	h.Register(e.Group("/auth"))
	w.Serve(t, e)
	resp := w.Get(t, w.RouteURL("callback")+"?state=x&code=y")
	var ce *core.CallbackError
	if resp.StatusCode != http.StatusBadRequest || !errors.As(seen, &ce) || !errors.Is(seen, core.ErrFlowMissing) {
		t.Fatalf("status %d, HTTPErrorHandler saw %v", resp.StatusCode, seen)
	}
}

// RequireLogin sends a GET to the Auth's login URL with return_to, answers
// other methods 401, and does not call the next handler.
func TestRequireLogin(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth", func(b *core.Builder) { b.LoginURL("/login?next=1") })
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth})
	e := echo.New()
	h.Register(e.Group("/auth"))
	reached := false
	e.Match([]string{http.MethodGet, http.MethodPost}, "/private", func(c *echo.Context) error {
		reached = true
		return nil
	}, h.RequireLogin)
	w.Serve(t, e)
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
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth})
	e := echo.New()
	h.Register(e.Group("/auth"))
	e.GET("/open", func(c *echo.Context) error {
		_, fromEcho := oauth20echo.UserFrom(c)
		_, fromRequest := core.UserFrom(c.Request().Context())
		s, ok, _ := h.Session(c)
		return c.JSON(http.StatusOK, []bool{fromEcho, fromRequest, ok && s.UserID != ""})
	})
	e.GET("/me", writeMe, h.RequireLogin)
	w.Serve(t, e)
	w.CheckUserFrom(t, "/open", "/me")
}

// A form_post body larger than the cap is refused before it is parsed.
func TestCallbackBodyCap(t *testing.T) {
	t.Parallel()
	w := adaptertest.NewWorld(t, "/auth")
	h := oauth20echo.MustNew(oauth20echo.Config{Auth: w.Auth})
	e := echo.New()
	h.Register(e.Group("/auth"))
	w.Serve(t, e)
	w.CheckCallbackBodyCap(t)
}

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	if err := oauth20echo.WriteProblem(c, adaptertest.ProblemError()); err != nil {
		t.Fatal(err)
	}
	adaptertest.CheckWrittenProblem(t, rec.Result())
}
