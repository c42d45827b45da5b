// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axePath is axe-core's browser build, relative to the repository root.
// `make assets` installs it with npm ci (package.json, devDependencies).
const axePath = "node_modules/axe-core/axe.min.js"

// axeTags are the axe-core rule tags we hold pages to: WCAG 2.1 levels A and
// AA, which AgID's accessibility guidelines require of public administrations.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule that a page breaks.
type Violation struct {
	ID      string          `json:"id"`      // rule id, such as "image-alt"
	Impact  string          `json:"impact"`  // "minor", "moderate", "serious" or "critical"
	Help    string          `json:"help"`    // one-line description of the rule
	HelpURL string          `json:"helpUrl"` // Deque's page about the rule
	Nodes   []ViolationNode `json:"nodes"`   // the elements that break it
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds CSS selectors for the element; more than one when it is
	// inside iframes or shadow roots (outermost first).
	Target []string `json:"target"`
	HTML   string   `json:"html"` // the element's opening tag, shortened by axe
}

// String formats v on a few lines for test failures.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n  %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n  - %s  %s", strings.Join(n.Target, " >>> "), n.HTML)
	}
	return b.String()
}

// Axe loads url in the tab, runs axe-core's WCAG 2.1 A and AA rules on the
// document and returns the violations, none when the page passes. With an
// empty url it checks the page already in the tab, such as the answer to a
// form just submitted, which loading its URL again would not show. It fails
// the test when the page cannot be loaded or axe-core cannot run; the
// violations themselves are for the caller to judge (see AssertNoViolations).
func (b *Browser) Axe(tb testing.TB, url string) []Violation {
	tb.Helper()
	src, err := axeSource()
	if err != nil {
		tb.Fatalf("browser: %v", err)
	}
	tags, _ := json.Marshal(axeTags)
	run := `axe.run(document, {runOnly: {type: 'tag', values: ` + string(tags) + `}, resultTypes: ['violations']})
	.then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(t => Array.isArray(t) ? t.join(' ') : String(t)),
			html: n.html,
		})),
	}))))`

	if url != "" {
		b.Do(tb, chromedp.Navigate(url))
	}
	if b.noJS {
		// axe.run needs the event loop, which runs no callbacks while
		// scripts are off. The page's own scripts were skipped at load
		// time, so turning scripts on now does not run them.
		b.Do(tb, setScripts(true))
		defer b.Do(tb, setScripts(false))
	}
	// The trailing expression keeps Evaluate from returning axe's module
	// value, which cannot be sent back by value.
	b.Do(tb, chromedp.Evaluate[chromedp.Void](src+"\n;undefined"))
	out := Run(tb, b, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		tb.Fatalf("browser: decoding axe results: %v", err)
	}
	return vs
}

// AssertNoViolations runs Axe on url (empty: the page already in the tab)
// and fails the test, listing each violation with the offending elements,
// when there is any.
func (b *Browser) AssertNoViolations(tb testing.TB, url string) {
	tb.Helper()
	vs := b.Axe(tb, url)
	if len(vs) == 0 {
		return
	}
	if url == "" {
		url = Run(tb, b, chromedp.Location())
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.String()
	}
	tb.Errorf("%s: %d accessibility violation(s) (axe-core, WCAG 2.1 AA):\n%s",
		url, len(vs), strings.Join(msgs, "\n"))
}

var axeOnce = sync.OnceValues(func() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(root, axePath))
	if err != nil {
		return "", fmt.Errorf("reading axe-core: %w (run `make assets` to install npm packages)", err)
	}
	return string(data), nil
})

// axeSource returns the text of axe.min.js, read once per test binary.
func axeSource() (string, error) { return axeOnce() }

// repoRoot returns the nearest folder holding go.mod, walking up from the
// working directory, which `go test` sets to the package under test.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("browser: no go.mod above the working directory")
		}
		dir = parent
	}
}
