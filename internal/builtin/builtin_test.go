package builtin_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/builtin"
)

// TestEveryProviderIsListed fails when a provider constructor of package
// providers is missing from builtin.All (and so from the conformance run,
// which fails for a provider without a cassette) or from the README's
// provider table, or when either lists a provider that does not exist.
func TestEveryProviderIsListed(t *testing.T) {
	var names []string
	for _, p := range builtin.All() {
		names = append(names, p.Name)
	}
	slices.Sort(names)

	// Exported constructors: func Name(...) (*core.Provider, error).
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "..", "providers", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("provider files: %v, %v", files, err)
	}
	var constructors []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil || len(fd.Type.Results.List) != 2 {
				continue
			}
			if star, ok := fd.Type.Results.List[0].Type.(*ast.StarExpr); ok {
				if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Provider" {
					constructors = append(constructors, strings.ToLower(fd.Name.Name))
				}
			}
		}
	}
	slices.Sort(constructors)
	if !slices.Equal(constructors, names) {
		t.Errorf("constructors and builtin.All differ:\nconstructors %v\nbuiltin.All  %v", constructors, names)
	}

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_-]+)` \\|")
	var listed []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(listed, names) {
		t.Errorf("README provider table and builtin.All differ:\nREADME      %v\nbuiltin.All %v", listed, names)
	}
	// The introduction counts them.
	if m := regexp.MustCompile(`(\d+) providers`).FindSubmatch(readme); m == nil || string(m[1]) != strconv.Itoa(len(names)) {
		t.Errorf("the README's introduction counts %s providers, want %d", m[1:], len(names))
	}
}

// TestAll builds every provider with its fixed values; the fake Apple key
// is a valid .p8.
func TestAll(t *testing.T) {
	t.Parallel()
	for _, p := range builtin.All() {
		got, err := p.New("client-id", "client-secret")
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if got.Name() != p.Name {
			t.Errorf("%s builds a provider named %q", p.Name, got.Name())
		}
	}
}
