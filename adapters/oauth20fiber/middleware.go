package oauth20fiber

import (
	"net/http"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/gofiber/fiber/v3"
)

type userKey struct{}

// UserFrom returns the session that RequireLogin stored in c's locals.
func UserFrom(c fiber.Ctx) (*oauth20http.Session, bool) {
	s, ok := c.Locals(userKey{}).(*oauth20http.Session)
	return s, ok && s != nil
}

// RequireLogin is a Fiber middleware: a request with a valid session cookie
// goes on with the session in its locals (UserFrom) and in its context
// (oauth20http.UserFrom); any other request is redirected (303) to
// LoginURL with return_to, or, without LoginURL or for a request that is
// not a GET or HEAD, answered by ErrorHandler with a 401 wrapping
// oauth20http.ErrLoginRequired.
func (h *Handler) RequireLogin(c fiber.Ctx) error {
	if s, ok := h.Session(c); ok {
		c.Locals(userKey{}, s)
		c.SetContext(oauth20http.ContextWithUser(c.Context(), s))
		return c.Next()
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if to := h.flow.LoginRedirect(string(c.Request().RequestURI())); to != "" && (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
		return redirect(c, http.StatusSeeOther, to)
	}
	return h.onError(c, oauth20http.LoginRequired())
}

// WriteProblem is the default ErrorHandler: it answers with
// oauth20http.ProblemOf(err) as application/problem+json with the
// problem's status.
func WriteProblem(c fiber.Ctx, err error) error {
	p := oauth20http.ProblemOf(err)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Status(p.Status).JSON(p, oauth20http.ProblemContentType)
}
