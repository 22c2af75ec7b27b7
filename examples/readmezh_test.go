package examples

import (
	"bytes"
	"fmt"
	"go/format"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goBlock matches a Go code block of a Markdown file.
var goBlock = regexp.MustCompile("(?s)```go\\n(.*?)```")

// TestREADMEZhCNCode checks that the Go blocks of README.zh-CN.md are the
// English README's, in the same order, token for token: only comments
// differ (they are translated). The Chinese quickstarts then compile
// because TestREADMECompiles builds the English ones; the Chinese file has
// no marker comments of its own, so that the blocks are built once. Whole
// files must be gofmt-clean in Chinese too.
func TestREADMEZhCNCode(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	en, zh := read("README.md"), read("README.zh-CN.md")
	if m := readmeBlock.FindString(zh); m != "" {
		t.Errorf("README.zh-CN.md has a marker comment (%.40q): only the English README's blocks are built", m)
	}
	enBlocks, zhBlocks := goBlock.FindAllStringSubmatch(en, -1), goBlock.FindAllStringSubmatch(zh, -1)
	if len(enBlocks) != len(zhBlocks) {
		t.Fatalf("README.md has %d Go blocks, README.zh-CN.md %d", len(enBlocks), len(zhBlocks))
	}
	for i := range enBlocks {
		enSrc, zhSrc := enBlocks[i][1], zhBlocks[i][1]
		want, got := goTokens(t, enSrc), goTokens(t, zhSrc)
		if n := firstDifference(want, got); n >= 0 {
			t.Errorf("Go block %d of README.zh-CN.md differs from README.md's beyond comments, at token %d:\nREADME.md       %s\nREADME.zh-CN.md %s",
				i+1, n, at(want, n), at(got, n))
		}
		if strings.HasPrefix(zhSrc, "package ") {
			if out, err := format.Source([]byte(zhSrc)); err != nil || !bytes.Equal(out, []byte(zhSrc)) {
				t.Errorf("Go block %d of README.zh-CN.md is not gofmt-clean (%v)", i+1, err)
			}
		}
	}
}

// goTokens returns src's Go tokens without its comments, each with its
// text and line, in order. src need not be a whole file.
func goTokens(t *testing.T, src string) []goToken {
	t.Helper()
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), func(pos token.Position, msg string) { t.Errorf("line %d: %s", pos.Line, msg) }, 0)
	var out []goToken
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		out = append(out, goToken{tok: tok, lit: lit, line: fset.Position(pos).Line})
	}
}

// goToken is a token of a code block and the line it is on.
type goToken struct {
	tok  token.Token
	lit  string
	line int
}

// firstDifference returns the index of the first token that differs in
// kind or text, or -1 when a and b are the same.
func firstDifference(a, b []goToken) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i].tok != b[i].tok || a[i].lit != b[i].lit {
			return i
		}
	}
	return -1
}

// at describes the token at index i of ts.
func at(ts []goToken, i int) string {
	if i >= len(ts) {
		return "(end of block)"
	}
	return fmt.Sprintf("%s %q on line %d", ts[i].tok, ts[i].lit, ts[i].line)
}
