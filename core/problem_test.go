package core_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

func TestProblemOf(t *testing.T) {
	t.Parallel()
	cb := func(status int, err error) error {
		return &core.CallbackError{Status: status, Provider: "acme", Err: err}
	}
	tests := []struct {
		name       string
		err        error
		wantType   string
		wantStatus int
		wantCode   string
	}{
		{"flow missing", cb(400, core.ErrFlowMissing), "urn:oauth20:flow-missing", 400, ""},
		{"wrapped flow invalid", cb(400, fmt.Errorf("%w: %w", core.ErrFlowInvalid, core.ErrUnseal)), "urn:oauth20:flow-invalid", 400, ""},
		{"access denied", cb(401, &core.Error{Code: core.CodeAccessDenied, Description: "no"}), "urn:oauth20:access-denied", 401, "access_denied"},
		{"invalid grant", cb(400, &core.Error{Code: core.CodeInvalidGrant}), "urn:oauth20:invalid-grant", 400, "invalid_grant"},
		{"other provider error", cb(502, &core.Error{Code: core.CodeServerError}), "urn:oauth20:provider-error", 502, "server_error"},
		{"transport failure", cb(502, errors.New("dial tcp: refused")), "urn:oauth20:provider-error", 502, ""},
		{"login required", &core.CallbackError{Status: 401, Err: core.ErrLoginRequired}, "urn:oauth20:login-required", 401, ""},
		{"wrapped callback error", fmt.Errorf("app: %w", cb(400, core.ErrStateMismatch)), "urn:oauth20:state-mismatch", 400, ""},
		{"nonsense status", cb(42, core.ErrFlowMissing), "urn:oauth20:flow-missing", 500, ""},
		{"not a login error", errors.New("db password is hunter2"), "urn:oauth20:internal", 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := core.ProblemOf(tt.err)
			if p.Type != tt.wantType || p.Status != tt.wantStatus || p.Code != tt.wantCode || p.Title == "" {
				t.Errorf("ProblemOf = %+v, want type %s status %d code %q", p, tt.wantType, tt.wantStatus, tt.wantCode)
			}
			if strings.Contains(p.Detail, "hunter2") {
				t.Error("the detail of a non-login error leaks its message")
			}
		})
	}
}
