// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/procedo/procedo/testkit/browser"
)

// Pages served to the browser. cleanPage is small but complete: language,
// title, landmarks, a labelled form. brokenPage breaks two WCAG rules that
// axe-core always reports. scriptPage changes its text only when scripts run.
const (
	cleanPage = `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Richiesta di accesso agli atti – Comune di Esempio</title></head>
<body>
<header><p>Comune di Esempio</p></header>
<main>
<h1>Richiesta di accesso agli atti</h1>
<form method="post" action="/richieste">
<label for="nome">Nome e cognome</label>
<input id="nome" name="nome" type="text" autocomplete="name" required>
<label for="email">Indirizzo email</label>
<input id="email" name="email" type="email" autocomplete="email">
<button type="submit">Invia la richiesta</button>
</form>
</main>
<footer><p>Comune di Esempio – Piazza del Municipio 1</p></footer>
</body>
</html>`

	brokenPage = `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><title>Pagina con errori</title></head>
<body>
<main>
<h1>Pagina con errori</h1>
<img src="/logo.png">
<input type="text" name="codice_fiscale">
</main>
</body>
</html>`

	scriptPage = `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><title>Script</title></head>
<body>
<main>
<h1>Prova degli script</h1>
<p id="stato">Script non eseguiti</p>
<script>document.getElementById('stato').textContent = 'Script eseguiti';</script>
</main>
</body>
</html>`
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	pages := map[string]string{"/pulita": cleanPage, "/errori": brokenPage, "/script": scriptPage}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser_Axe(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := browser.New(t)

	t.Run("CleanPage", func(t *testing.T) {
		if vs := b.Axe(t, srv.URL+"/pulita"); len(vs) != 0 {
			t.Errorf("want no violations, got %d: %v", len(vs), vs)
		}
		b.AssertNoViolations(t, srv.URL+"/pulita")
	})

	t.Run("BrokenPage", func(t *testing.T) {
		vs := b.Axe(t, srv.URL+"/errori")
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.ID)
			if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 {
				t.Errorf("violation %s has no target selector: %+v", v.ID, v)
			}
			if v.Impact == "" || v.Help == "" {
				t.Errorf("violation %s lacks impact or help: %+v", v.ID, v)
			}
		}
		for _, want := range []string{"image-alt", "label"} {
			if !slices.Contains(ids, want) {
				t.Errorf("want violation %q among %q", want, ids)
			}
		}

		// AssertNoViolations must fail on this page and name the rules.
		rec := &recorder{TB: t}
		b.AssertNoViolations(rec, srv.URL+"/errori")
		if !rec.failed {
			t.Fatal("AssertNoViolations did not fail on a page with violations")
		}
		for _, want := range []string{"image-alt", "label", "img"} {
			if !strings.Contains(rec.msg, want) {
				t.Errorf("failure message lacks %q:\n%s", want, rec.msg)
			}
		}
		t.Logf("AssertNoViolations reported:\n%s", rec.msg)
	})

	t.Run("PageInTab", func(t *testing.T) {
		// An empty url checks the page already loaded, without loading it again.
		b.Do(t, chromedp.Navigate(srv.URL+"/errori"))
		if vs := b.Axe(t, ""); len(vs) == 0 {
			t.Error("Axe with no url: want the violations of the page in the tab, got none")
		}
		rec := &recorder{TB: t}
		b.AssertNoViolations(rec, "")
		if !rec.failed || !strings.Contains(rec.msg, srv.URL+"/errori") {
			t.Errorf("AssertNoViolations with no url: want a failure naming the page, got %v %q", rec.failed, rec.msg)
		}
		b.Do(t, chromedp.Navigate(srv.URL+"/pulita"))
		b.AssertNoViolations(t, "")
	})
}

func TestBrowser_WithoutJavaScript(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b := browser.New(t)
	status := chromedp.Text(chromedp.ID("stato"))

	b.Do(t, chromedp.Navigate(srv.URL+"/script"))
	if got := browser.Run(t, b, status); got != "Script eseguiti" {
		t.Fatalf("with JavaScript: #stato = %q, want the text set by the script", got)
	}

	nojs := b.WithoutJavaScript(t)
	nojs.Do(t, chromedp.Navigate(srv.URL+"/script"))
	if got := browser.Run(t, nojs, status); got != "Script non eseguiti" {
		t.Errorf("without JavaScript: #stato = %q, want the server's text", got)
	}
	// A later navigation in the same tab still runs no script.
	nojs.Do(t, chromedp.Navigate(srv.URL+"/script?di-nuovo"))
	if got := browser.Run(t, nojs, status); got != "Script non eseguiti" {
		t.Errorf("without JavaScript, second load: #stato = %q, want the server's text", got)
	}

	// Axe checks the page as loaded without scripts, and leaves them off.
	if vs := nojs.Axe(t, srv.URL+"/script"); len(vs) != 0 {
		t.Errorf("want no violations, got %v", vs)
	}
	if got := browser.Run(t, nojs, status); got != "Script non eseguiti" {
		t.Errorf("without JavaScript, after Axe: #stato = %q, want the server's text", got)
	}
	nojs.Do(t, chromedp.Navigate(srv.URL+"/script?dopo-axe"))
	if got := browser.Run(t, nojs, status); got != "Script non eseguiti" {
		t.Errorf("without JavaScript, load after Axe: #stato = %q, want the server's text", got)
	}
}

// recorder is a testing.TB that records Errorf instead of failing, to test
// that an assertion fails.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(format, args...)
}
