package oauth20http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/core"
)

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	oauth20http.WriteProblem(w, httptest.NewRequest("GET", "/", nil),
		&core.CallbackError{Status: 401, Provider: "acme", Err: &core.Error{Code: core.CodeAccessDenied, Description: "<script>"}})
	if w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != core.ProblemContentType {
		t.Fatalf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Error("the problem body is not HTML-safe")
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "title", "status", "detail", "provider", "code"} {
		if _, ok := got[k]; !ok {
			t.Errorf("problem lacks %q: %s", k, w.Body)
		}
	}
}
