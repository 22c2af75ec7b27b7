package oauth20http_test

import (
	"net/http/httptest"
	"testing"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
)

func TestWriteProblem(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	oauth20http.WriteProblem(rec, httptest.NewRequest("GET", "/", nil), adaptertest.ProblemError())
	adaptertest.CheckWrittenProblem(t, rec.Result())
}
