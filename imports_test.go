// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/procedo/procedo"

// TestImportRules enforces the two rings of STYLE.md §1: the root package
// imports only the standard library; an adapter imports procedo, the standard
// library and outside modules, never another adapter (server may mount web and
// api); nothing imports cmd. Test files and testkit are exempt.
func TestImportRules(t *testing.T) {
	allowed := map[string][]string{
		"server":      {"web", "api"},
		"api":         {"segnatura", "signature"}, // segnatura and signature are plain data in, bytes out: no store or network
		"web":         {"web/static", "signature"},
		"mail":        {},
		"testkit":     nil, // test support: anything
		"cmd/procedo": nil, // wiring: anything
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		top := strings.SplitN(pkg, "/", 2)[0]
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, module) {
				if pkg == "." && strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
					t.Errorf("%s: the domain package imports %s (standard library only)", path, p)
				}
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			switch {
			case target == "":
				continue
			case strings.HasPrefix(target, "cmd/"):
				t.Errorf("%s imports %s: nothing imports cmd", path, p)
			case pkg == ".":
				t.Errorf("%s: the domain package imports %s", path, p)
			case strings.HasPrefix(pkg, "testkit"), strings.HasPrefix(pkg, "cmd/"):
			case strings.HasPrefix(target, top+"/") || target == top:
				// a package's own subpackage (mail/mailtest, web/static)
			default:
				ok := false
				for _, a := range allowed[top] {
					if target == a {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s (adapter %s) imports adapter %s", path, top, target)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReadmeFolderMap checks that every folder named in the README's folder map exists.
func TestReadmeFolderMap(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, mapPart, ok := strings.Cut(string(b), "## Folder map")
	if !ok {
		t.Fatal("README has no folder map")
	}
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+/)`").FindAllStringSubmatch(mapPart, -1) {
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("README folder map names %s, which does not exist", m[1])
		}
	}
}
