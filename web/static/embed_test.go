// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package static_test

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/procedo/procedo/web/static"
)

// vendorCSS is the Bootstrap Italia stylesheet that `make assets` copies.
const vendorCSS = "vendor/bootstrap-italia/css/bootstrap-italia.min.css"

func TestFS_OwnFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"css/procedo.css", "js/invio.js", "vendor/README.md"} {
		if _, err := fs.Stat(static.FS, name); err != nil {
			t.Errorf("embedded FS lacks %s: %v", name, err)
		}
	}
}

// TestFS_CSSURLs checks that every url(...) in our CSS and in Bootstrap
// Italia's that names a file of ours resolves, relative to the stylesheet, to a
// file in the embedded FS: a missing font or image would fail silently in the
// browser.
func TestFS_CSSURLs(t *testing.T) {
	t.Parallel()
	if _, err := fs.Stat(static.FS, vendorCSS); err != nil {
		t.Skipf("%s is not there (run `make assets`): %v", vendorCSS, err)
	}

	for _, name := range []string{vendorCSS, "css/procedo.css"} {
		t.Run(path.Base(name), func(t *testing.T) {
			t.Parallel()
			data, err := fs.ReadFile(static.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			urls := cssURLs(string(data))
			local := 0
			for _, u := range urls {
				if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
					t.Errorf("url(%q) in %s: absolute path; use one relative to the stylesheet", u, name)
					continue
				}
				ref, ok := localRef(u)
				if !ok {
					continue
				}
				local++
				target := path.Join(path.Dir(name), ref)
				if _, err := fs.Stat(static.FS, target); err != nil {
					t.Errorf("url(%q) in %s: %s is not embedded", u, name, target)
				}
			}
			t.Logf("%s: %d url(...) references, %d to local files", name, len(urls), local)
		})
	}
}

func TestCSSURLs(t *testing.T) {
	t.Parallel()
	css := `a{background:url("data:image/svg+xml,%3csvg x='(1)'%3e")} ` +
		`@font-face{src:url('../fonts/a.woff2') format("woff2"),url( ../fonts/a.eot?#iefix ),url(x.svg#Font)}`
	got := cssURLs(css)
	want := []string{"data:image/svg+xml,%3csvg x='(1)'%3e", "../fonts/a.woff2", "../fonts/a.eot?#iefix", "x.svg#Font"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("cssURLs = %q, want %q", got, want)
	}

	tests := []struct {
		name, url, want string
		ok              bool
	}{
		{"relative", "../fonts/a.woff2", "../fonts/a.woff2", true},
		{"query and fragment", "../fonts/a.eot?#iefix", "../fonts/a.eot", true},
		{"fragment", "x.svg#Font", "x.svg", true},
		{"data", "data:image/png;base64,AAAA", "", false},
		{"remote", "https://example.org/a.png", "", false},
		{"protocol-relative", "//example.org/a.png", "", false},
		{"fragment only", "#clip", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := localRef(tt.url)
			if got != tt.want || ok != tt.ok {
				t.Errorf("localRef(%q) = %q, %v; want %q, %v", tt.url, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// urlRE matches url(...) with a double-quoted, single-quoted or bare argument.
var urlRE = regexp.MustCompile(`url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)`)

// cssURLs returns the arguments of every url(...) in css, without quotes.
func cssURLs(css string) []string {
	var urls []string
	for _, m := range urlRE.FindAllStringSubmatch(css, -1) {
		urls = append(urls, m[1]+m[2]+m[3])
	}
	return urls
}

// localRef reports whether u names a file relative to the stylesheet, and
// returns that file's path without query or fragment. Data URLs, remote URLs
// and fragment-only references (SVG ids) name no file of ours.
func localRef(u string) (string, bool) {
	if u == "" || strings.HasPrefix(u, "#") || strings.HasPrefix(u, "//") ||
		strings.HasPrefix(u, "/") || strings.Contains(u, ":") {
		return "", false
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u, true
}
