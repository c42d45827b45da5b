// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package browser runs end-to-end browser checks from Go tests: it starts
// Debian's headless Chromium through chromedp, checks pages for WCAG 2.1 AA
// problems with axe-core (from node_modules) and can load pages with
// JavaScript turned off. It is for tests only and never downloads a browser.
//
// Tests that use it have names starting with TestBrowser, so that
// `make test-browser` can select them. Without Chromium they skip, unless
// PROCEDO_TEST_BROWSER=1, which makes a missing Chromium a failure.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const (
	// EnvRequire is the environment variable that makes browser tests
	// mandatory: when it is "1", New fails instead of skipping if Chromium is
	// missing. `make test-browser` and CI set it.
	EnvRequire = "PROCEDO_TEST_BROWSER"

	// EnvChromium is the environment variable that names another Chromium
	// binary; unset, New uses DefaultChromium.
	EnvChromium = "PROCEDO_TEST_CHROMIUM"

	// DefaultChromium is where Debian's chromium package installs the browser
	// (scripts/install-chromium.sh).
	DefaultChromium = "/usr/bin/chromium"
)

// Timeouts bound every step, so that a hung browser fails one test instead
// of the whole `go test` run.
const (
	startTimeout  = 60 * time.Second
	actionTimeout = 30 * time.Second
)

// Browser is one headless Chromium process and one tab in it. Its methods
// take a testing.TB and fail the test on error. A Browser is not safe for
// concurrent use; a test that runs in parallel needs its own.
type Browser struct {
	ctx  context.Context // chromedp context of the tab
	log  *logBuffer      // Chromium's stdout and stderr, shown if it fails to start
	noJS bool            // the tab runs no page script (WithoutJavaScript)
}

// New starts Chromium and opens a tab, and stops both in tb.Cleanup. It skips
// the test when Chromium is missing, or fails it when PROCEDO_TEST_BROWSER=1.
//
// Chromium runs headless, without sandbox (tests run as root in CI), GPU,
// QUIC, background networking, component updates or sync: the network is
// closed on our machines and a test must not wait for it. chromedp gives each
// browser a fresh temporary --user-data-dir and removes it afterwards.
func New(tb testing.TB) *Browser {
	tb.Helper()
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("browser: %v (%s=1; install it with scripts/install-chromium.sh)", err, EnvRequire)
		}
		tb.Skipf("browser: %v; skipping (make test-browser installs it)", err)
	}

	log := &logBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "it-IT"),
		chromedp.WindowSize(1280, 1024),
		chromedp.CombinedOutput(log),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancelTab() // closes the browser gracefully
		cancelAlloc()
	})

	b := &Browser{ctx: ctx, log: log}
	b.open(tb, cancelTab, "starting "+path)
	return b
}

// open runs the first action on b's context, which starts the browser when
// there is none yet and opens the tab. The tab lives as long as the context
// of that first Run, so it gets no deadline; open waits for it with a timer
// instead, and calls cancel when the timer fires.
func (b *Browser) open(tb testing.TB, cancel context.CancelFunc, what string) {
	tb.Helper()
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(b.ctx) }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("browser: %s: %v\n%s", what, err, b.log)
		}
	case <-time.After(startTimeout):
		cancel()
		tb.Fatalf("browser: %s: not done within %v\n%s", what, startTimeout, b.log)
	}
}

// Context returns the chromedp context of the tab, for actions that Browser
// has no method for:
//
//	err := chromedp.Do(b.Context(), chromedp.Click(chromedp.CSS("button[type=submit]")))
//	text, err := chromedp.Run(b.Context(), chromedp.Text(chromedp.CSS("h1")))
//
// Prefer Do and Run, which add a timeout and fail the test on error.
func (b *Browser) Context() context.Context { return b.ctx }

// Do runs the actions in the tab in order and fails the test at the first
// error.
func (b *Browser) Do(tb testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	Run(tb, b, chromedp.Steps(steps...))
}

// Run runs one action in b's tab and returns its value, failing the test on
// error:
//
//	title := browser.Run(t, b, chromedp.Title())
func Run[T any](tb testing.TB, b *Browser, a chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("browser: %v", err) // a crash shows here as the exit error
	}
	return v
}

// WithoutJavaScript opens another tab of the same browser in which pages run
// no script, as for a visitor who turned JavaScript off, and closes it in
// tb.Cleanup. Use it to check that forms and links work without scripts.
//
// chromedp.Evaluate still works in it, but promises and timers do not run;
// Axe turns scripts on just for its own run, after the page has loaded
// without them, so it checks the page as a visitor without JavaScript gets it.
func (b *Browser) WithoutJavaScript(tb testing.TB) *Browser {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb.Cleanup(cancel)
	nojs := &Browser{ctx: ctx, log: b.log, noJS: true}
	nojs.open(tb, cancel, "opening a tab")
	nojs.Do(tb, setScripts(false))
	return nojs
}

// setScripts turns the execution of page scripts in the tab on or off. It
// lasts across navigations.
func setScripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// chromiumPath returns the Chromium binary to run, or an error saying why
// there is none.
func chromiumPath() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvChromium, p, err)
		}
		return p, nil
	}
	if _, err := os.Stat(DefaultChromium); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("chromium not installed (%s is missing)", DefaultChromium)
		}
		return "", err
	}
	return DefaultChromium, nil
}

// logBuffer keeps the last part of Chromium's output for error messages.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const logKeep = 8 << 10

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.buf.Len() > 2*logKeep {
		tail := bytes.Clone(l.buf.Bytes()[l.buf.Len()-logKeep:])
		l.buf.Reset()
		l.buf.Write(tail)
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf.Bytes()
	if len(b) > logKeep {
		b = b[len(b)-logKeep:]
	}
	return "chromium output:\n" + string(b)
}
