package oauth20gin_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuickstartsCompile checks that the Gin quickstarts of the main
// README, of this module's README and of the package documentation are,
// from the handler on, lines of Example, which is compiled and run.
func TestQuickstartsCompile(t *testing.T) {
	t.Parallel()
	example := codeLines(t, "example_test.go", "")
	for _, doc := range []struct{ file, prefix string }{
		{filepath.Join("..", "..", "README.md"), ""},
		{"README.md", ""},
		{"doc.go", "//"},
	} {
		quick := quickstart(codeLines(t, doc.file, doc.prefix), "h := oauth20gin.MustNew(")
		if quick == nil {
			t.Errorf("%s: no quickstart with oauth20gin.MustNew", doc.file)
			continue
		}
		if !contains(example, quick) {
			t.Errorf("%s: the quickstart is not a part of Example:\n%s", doc.file, strings.Join(quick, "\n"))
		}
	}
}

// codeLines returns the lines of file that start with prefix, with it and
// the indentation removed. A file outside this module that is missing (as
// in the module cache) skips the test.
func codeLines(t *testing.T, file, prefix string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(file, "..") {
		t.Skipf("%s is not here: %v", file, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			lines = append(lines, strings.TrimSpace(rest))
		}
	}
	return lines
}

// quickstart returns the lines from the first that starts with first up to
// the end of its code block (a ``` line or a line that is not indented
// code in a doc comment, which codeLines has made empty).
func quickstart(lines []string, first string) []string {
	for i, l := range lines {
		if !strings.HasPrefix(l, first) {
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

// contains reports whether part is a run of consecutive lines of lines.
func contains(lines, part []string) bool {
	for i := 0; i+len(part) <= len(lines); i++ {
		if strings.Join(lines[i:i+len(part)], "\n") == strings.Join(part, "\n") {
			return true
		}
	}
	return false
}
