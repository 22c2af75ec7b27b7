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
// which fails for a provider without a cassette) or from the provider table
// of the README or of its Chinese translation, when any of them lists a
// provider that does not exist, or when a count of the providers in them or
// in docs/seed.md is wrong.
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

	// The READMEs' provider tables list them, each row starting with
	// "| `name` |", and every count of them in the READMEs and the guide
	// for fastapi-oauth20 users ("41 providers", "41 个提供商") is theirs.
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_-]+)` \\|")
	for _, doc := range []struct {
		file  string
		table bool           // has the provider table
		count *regexp.Regexp // how the file counts the providers
		min   int            // counts the file must have
	}{
		{"README.md", true, regexp.MustCompile(`(\d+) providers`), 1},
		{"README.zh-CN.md", true, regexp.MustCompile(`(\d+) 个提供商`), 1},
		{filepath.Join("docs", "seed.md"), false, regexp.MustCompile(`(\d+) providers`), 0},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", doc.file))
		if err != nil {
			t.Fatal(err)
		}
		if doc.table {
			var listed []string
			for _, m := range row.FindAllStringSubmatch(string(b), -1) {
				listed = append(listed, m[1])
			}
			slices.Sort(listed)
			if !slices.Equal(listed, names) {
				t.Errorf("%s provider table and builtin.All differ:\n%s %v\nbuiltin.All %v", doc.file, doc.file, listed, names)
			}
		}
		counts := doc.count.FindAllStringSubmatch(string(b), -1)
		if len(counts) < doc.min {
			t.Errorf("%s does not say how many providers there are (%q)", doc.file, doc.count)
		}
		for _, m := range counts {
			if m[1] != strconv.Itoa(len(names)) {
				t.Errorf("%s says %q, want %d", doc.file, m[0], len(names))
			}
		}
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
