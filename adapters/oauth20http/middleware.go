package oauth20http

import (
	"context"
	"errors"
	"net/http"

	"github.com/go-oauth20/oauth20/core"
)

// ErrLoginRequired is the cause of the 401 that RequireLogin answers when
// no LoginURL is set.
var ErrLoginRequired = errors.New("oauth20http: login required")

// LoginRequired returns the error RequireLogin hands to ErrorHandler: a
// *core.CallbackError with status 401 wrapping ErrLoginRequired, so that
// core.StatusOf and ProblemOf treat it like any login error.
func LoginRequired() error {
	return &core.CallbackError{Status: http.StatusUnauthorized, Err: ErrLoginRequired}
}

type userKey struct{}

// ContextWithUser returns a copy of ctx that carries s, for UserFrom.
func ContextWithUser(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, userKey{}, s)
}

// UserFrom returns the session that RequireLogin put in the request's
// context.
func UserFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(userKey{}).(*Session)
	return s, ok && s != nil
}

// RequireLogin protects next: a request with a valid session cookie goes
// on with the session in its context (UserFrom); any other request is
// redirected (303) to LoginURL with return_to, or, without LoginURL or for
// a request that is not a GET or HEAD, answered by ErrorHandler with a 401
// wrapping ErrLoginRequired.
func (h *Handler) RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := h.Session(r); ok {
			next.ServeHTTP(w, r.WithContext(ContextWithUser(r.Context(), s)))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if to := h.flow.LoginRedirect(r.URL.RequestURI()); to != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusSeeOther)
			return
		}
		h.onError(w, r, LoginRequired())
	})
}
