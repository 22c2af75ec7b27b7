package examples

import (
	"bytes"
	"encoding/json"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// frameworks are the quickstarts the README must have, one complete
// main.go each, and the adapter module each one belongs to.
var frameworks = map[string]string{
	"nethttp": "oauth20http",
	"chi":     "oauth20chi",
	"fiber":   "oauth20fiber",
	"gin":     "oauth20gin",
	"echo":    "oauth20echo",
}

// block is a Go code block of the README that a marker comment names.
type block struct {
	kind, name, code string
}

// readmeBlock matches a marker comment and the Go code block after it.
var readmeBlock = regexp.MustCompile("(?s)<!-- (quickstart|fragment): ([a-z]+) -->\\s*```go\\n(.*?)```")

// readmeBlocks returns the marked Go blocks of the README at path.
func readmeBlocks(t *testing.T, path string) []block {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	for _, m := range readmeBlock.FindAllStringSubmatch(string(b), -1) {
		out = append(out, block{kind: m[1], name: m[2], code: m[3]})
	}
	return out
}

// fragmentPrelude turns a README fragment into a program: the fragment is
// the body of main, with an Auth and an error page in scope.
const fragmentPrelude = `package main

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/core"
)

var (
	auth      *core.Auth
	errorPage = template.Must(template.New("error").Parse("{{.Detail}}"))
	_         = errors.Is
)

func main() {
	var h *oauth20http.Handler
`

// TestREADMECompiles builds every quickstart of the README as the file a
// reader saves as main.go, and every fragment inside a program that gives
// it the names it uses, with the go command (an overlay puts each under
// this module, whose go.mod requires every adapter); the quickstarts must
// be gofmt-clean. The quickstarts of the adapters' READMEs and package
// documentation must be the README's lines, in the README's order.
func TestREADMECompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five programs with the go command")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	blocks := readmeBlocks(t, filepath.Join("..", "README.md"))
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	overlay := map[string]string{}
	var pkgs, quick []string
	for _, b := range blocks {
		src := b.code
		switch b.kind {
		case "quickstart":
			quick = append(quick, b.name)
			if got, err := format.Source([]byte(src)); err != nil || !bytes.Equal(got, []byte(src)) {
				t.Errorf("quickstart %s is not gofmt-clean (%v)", b.name, err)
			}
		case "fragment":
			src = fragmentPrelude + "\th = " + strings.TrimPrefix(src, "h := ") + "\t_ = h\n}\n"
		}
		name := b.kind + "_" + b.name
		file := filepath.Join(tmp, name+".go")
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		overlay[filepath.Join(here, "internal", "readmecheck", name, "main.go")] = file
		pkgs = append(pkgs, "./internal/readmecheck/"+name)
	}
	slices.Sort(quick)
	want := make([]string, 0, len(frameworks))
	for f := range frameworks {
		want = append(want, f)
	}
	slices.Sort(want)
	if !slices.Equal(quick, want) {
		t.Errorf("README quickstarts %v, want one for each of %v", quick, want)
	}
	ov, _ := json.Marshal(map[string]any{"Replace": overlay})
	ovFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ovFile, ov, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, append([]string{"build", "-overlay", ovFile, "-o", filepath.Join(tmp, "bin") + string(filepath.Separator)}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the README's code: %v\n%s", err, out)
	}

	// The adapters' own READMEs and package documentation show the same
	// lines, from the handler on.
	for name, module := range frameworks {
		var readme []string
		for _, b := range blocks {
			if b.kind == "quickstart" && b.name == name {
				readme = codeLines(b.code, "")
			}
		}
		dir := filepath.Join("..", "adapters", module)
		for _, doc := range []struct{ file, prefix string }{{"README.md", ""}, {"doc.go", "//"}} {
			b, err := os.ReadFile(filepath.Join(dir, doc.file))
			if err != nil {
				t.Fatal(err)
			}
			part := fromHandler(codeLines(string(b), doc.prefix))
			if part == nil {
				t.Errorf("%s/%s: no quickstart starting at h := ", module, doc.file)
				continue
			}
			if !inOrder(readme, part) {
				t.Errorf("%s/%s: the quickstart is not lines of the README's %s quickstart, in order:\n%s", module, doc.file, name, strings.Join(part, "\n"))
			}
		}
	}
}

// codeLines returns the lines of text that start with prefix, with it and
// the indentation removed.
func codeLines(text, prefix string) []string {
	var lines []string
	for l := range strings.Lines(text) {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			lines = append(lines, strings.TrimSpace(rest))
		}
	}
	return lines
}

// fromHandler returns the lines from the first "h := " line to the end of
// its code block (a ``` line, or a blank line of a doc comment).
func fromHandler(lines []string) []string {
	for i, l := range lines {
		if !strings.HasPrefix(l, "h := ") {
			continue
		}
		end := i
		for end < len(lines) && lines[end] != "```" && lines[end] != "" {
			end++
		}
		return lines[i:end]
	}
	return nil
}

// inOrder reports whether every line of part is a line of lines, in the
// same order.
func inOrder(lines, part []string) bool {
	i := 0
	for _, l := range lines {
		if i < len(part) && l == part[i] {
			i++
		}
	}
	return i == len(part)
}

// TestModulesLockstep: every module of the repository requires the
// others at one version, the version of the next release, and replaces
// them with their directory, so that the workspace and GOWORK=off builds
// use the code beside them (docs/RELEASING.md).
func TestModulesLockstep(t *testing.T) {
	t.Parallel()
	mods, err := filepath.Glob(filepath.Join("..", "*", "*", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("..", "*", "go.mod"))
	mods = append(mods, more...)
	require := regexp.MustCompile(`(?m)^\s*(?:require\s+)?(github\.com/go-oauth20/oauth20(?:/[a-z0-9/]+)?) (v\S+)`)
	replace := regexp.MustCompile(`(?m)^\s*(?:replace\s+)?(github\.com/go-oauth20/oauth20(?:/[a-z0-9/]+)?) => (\.\S*)`)
	versions := map[string][]string{}
	for _, m := range mods {
		if strings.Contains(m, "internal") {
			continue // a build module of a test tool, not released
		}
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		replaced := map[string]bool{}
		for _, r := range replace.FindAllStringSubmatch(string(b), -1) {
			replaced[r[1]] = true
		}
		for _, r := range require.FindAllStringSubmatch(string(b), -1) {
			versions[r[2]] = append(versions[r[2]], m+": "+r[1])
			if !replaced[r[1]] {
				t.Errorf("%s requires %s without replacing it with its directory", m, r[1])
			}
		}
	}
	if len(versions) != 1 {
		t.Errorf("the modules require each other at more than one version: %v", versions)
	}
	notes, err := os.ReadFile(filepath.Join("..", "docs", "RELEASING.md"))
	if err != nil {
		t.Fatal(err)
	}
	for v := range versions {
		if !strings.Contains(string(notes), "Next release: "+v) {
			t.Errorf("docs/RELEASING.md does not name %s as the next release", v)
		}
	}
}
