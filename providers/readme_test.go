package providers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryProviderIsListed fails when a provider constructor of this
// package is missing from Builtins (and so from the conformance run, which
// fails for a Builtin without a cassette) or from the README's provider
// table, or when the table lists a provider that does not exist.
func TestEveryProviderIsListed(t *testing.T) {
	var builtins []string
	for _, b := range Builtins() {
		builtins = append(builtins, b.Name)
	}
	slices.Sort(builtins)

	// Exported constructors: func Name(...) (*core.Provider, error).
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
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
	if !slices.Equal(constructors, builtins) {
		t.Errorf("constructors and Builtins differ:\nconstructors %v\nbuiltins     %v", constructors, builtins)
	}

	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_-]+)` \\|")
	var listed []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(listed)
	if !slices.Equal(listed, builtins) {
		t.Errorf("README provider table and Builtins differ:\nREADME   %v\nbuiltins %v", listed, builtins)
	}
}
