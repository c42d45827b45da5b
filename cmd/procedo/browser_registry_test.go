// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	chrome "github.com/procedo/procedo/testkit/browser"
)

// TestBrowserRegistryKeyboard registers an incoming document at the registry
// desk with the keyboard alone, then finds it with the search form and opens
// its detail: Tab moves the focus (every stop must show it, see keyboard),
// typing fills the focused field, typing the start of an option's label
// chooses it in a closed select, Space opens the file chooser of a file input
// and Enter follows links and presses buttons. No mouse click.
//
// The file chooser is the system's dialog, which a test cannot drive: the tab
// intercepts it (Page.setInterceptFileChooserDialog), so Space on the focused
// file input emits Page.fileChooserOpened for that input instead of opening
// the dialog, and the test answers it with the file as a person would pick it
// (DOM.setFileInputFiles on the input named by the event). The input is thus
// reached and opened with the keyboard; only the choice in the dialog is
// simulated.
func TestBrowserRegistryKeyboard(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t)
	k := &keyboard{t: t, b: b}
	office := hostURL(t, s, "localhost")
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tg, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true})
		return err
	}))
	choosers := make(chan *page.EventFileChooserOpened, 4)
	if err := chromedp.Listen(b.Context(), func(ev any) {
		if e, ok := ev.(*page.EventFileChooserOpened); ok {
			select {
			case choosers <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	value := func(sel string) string {
		t.Helper()
		return chrome.Run(t, b, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).value`))
	}

	// Operators' login: skip link, Enter; Tab → Nome utente, typed; Tab →
	// Password, typed; Tab → "Accedi", Enter: the office's home.
	b.Do(t, chromedp.Navigate(office+"/ufficio/accedi"))
	k.skipToContent()
	k.tabTo("#username")
	k.typeText("protocollo")
	k.tab("#password")
	k.typeText(DemoPassword)
	k.tab("main button[type=submit]")
	k.press(kb.Enter, true)
	wantPath(t, b, "/ufficio")

	// The header's "Protocollo" link, then "Nuova registrazione" in the page.
	k.tabTo(`header a[href="/ufficio/protocollo"]`)
	k.press(kb.Enter, true)
	wantPath(t, b, "/ufficio/protocollo")
	k.skipToContent()
	k.tabTo(`main a[href="/ufficio/protocollo/nuova"]`)
	k.press(kb.Enter, true)
	wantPath(t, b, "/ufficio/protocollo/nuova")

	// The form, in reading order. The direction group is one Tab stop, on
	// its checked button: "In entrata" is the default.
	const subject = "Richiesta di patrocinio per la rassegna musicale Zefiro d'estate"
	k.skipToContent()
	k.tabTo("#f-direction-E")
	if !chrome.Run(t, b, chromedp.Evaluate[bool](`document.querySelector('#f-direction-E').checked`)) {
		t.Fatal("the direction E is not the default")
	}
	k.tab("#f-subject")
	k.typeText(subject)
	k.tab("#f-corr_name_1")
	k.typeText("Associazione Musicale Aurora")
	k.tab("#f-corr_cf_1")
	k.typeText("01234567890")
	k.tab("#f-corr_email_1")
	k.typeText("aurora@example.it")
	// Means of receipt and classification: a closed select takes the option
	// whose label starts with what is typed.
	k.tabToPastDates("#f-channel")
	k.typeText("PEC")
	k.tab("#f-classification")
	k.typeText("VII.1")
	k.tabTo("#f-action_office")
	k.typeText("Ufficio Segreteria")
	for sel, want := range map[string]string{"#f-channel": "pec", "#f-classification": "VII.1"} {
		if got := value(sel); got != want {
			t.Fatalf("%s = %q after typing, want %q", sel, got, want)
		}
	}
	if value("#f-action_office") == "" {
		t.Fatal("no office for action chosen by typing")
	}
	// The main document: Space on the focused file input opens the chooser.
	k.tabTo("#f-main")
	k.press(" ", false)
	select {
	case ev := <-choosers:
		file := writeFile(t, "lettera-aurora.pdf", string(pdfContent))
		b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{file}, BackendNodeID: ev.BackendNodeID})
			return err
		}))
	case <-time.After(10 * time.Second):
		t.Fatal("Space on the file input opened no file chooser")
	}
	if got := chrome.Run(t, b, chromedp.Evaluate[string](`Array.from(document.querySelector('#f-main').files).map(f => f.name).join()`)); got != "lettera-aurora.pdf" {
		t.Fatalf("main document %q", got)
	}
	// Past the other fields to "Protocolla"; Enter registers.
	k.tabToPastDates("main form button[type=submit]")
	k.press(kb.Enter, true)
	number := strings.TrimSpace(chrome.Run(t, b, chromedp.Text(chromedp.ID("numero-protocollo"))))
	if !protocolRE.MatchString(number) {
		t.Fatalf("protocol number %q", number)
	}
	detail := chrome.Run(t, b, chromedp.Location())

	// Back to the register by the breadcrumb; the search form: Tab to
	// "Parole dell'oggetto", type a word, Enter sends the form.
	k.skipToContent()
	k.tabTo(`main a[href="/ufficio/protocollo"]`)
	k.press(kb.Enter, true)
	k.skipToContent()
	k.tabToPastDates("#f-oggetto")
	k.typeText("zefiro")
	k.press(kb.Enter, true)
	wantPath(t, b, "/ufficio/protocollo")
	if got := chrome.Run(t, b, chromedp.Evaluate[int](`document.querySelectorAll('main table tbody tr').length`)); got != 1 {
		t.Fatalf("%d results for «zefiro», want 1", got)
	}
	wantText(t, b, "main table tbody", "Associazione Musicale Aurora")

	// Tab to the number in the results, Enter opens the detail.
	k.skipToContent()
	k.tabToPastDates("main table tbody th a")
	k.press(kb.Enter, true)
	if got := chrome.Run(t, b, chromedp.Location()); got != detail {
		t.Fatalf("opened %s, want %s", got, detail)
	}
	wantText(t, b, "#numero-protocollo", number)
	wantText(t, b, "main dl", subject)
	wantText(t, b, "main dl", "PEC")
	wantText(t, b, "main dl", "VII.1")
	wantText(t, b, "section[aria-labelledby=documenti]", "lettera-aurora.pdf")
	wantText(t, b, "section[aria-labelledby=assegnazioni]", "Ufficio Segreteria")
	if s := navigate(t, b, detail+"/ricevuta"); s != http.StatusOK {
		t.Fatalf("receipt: %d", s)
	}
}

// tabToPastDates is keyboard.tabTo across date and time inputs. Chromium
// gives such an input one Tab stop per field (day, month, year; hours,
// minutes), which show the focus like any input, and one more on its
// calendar or clock button, inside the input's own shadow tree: there the
// input matches :focus-within but not :focus, and the ring Chromium draws on
// the button cannot be read from the page. That stop is logged and allowed;
// every other stop must show its focus as in tabTo.
func (k *keyboard) tabToPastDates(sel string) {
	k.t.Helper()
	var path []string
	for range 60 {
		k.b.Do(k.t, chromedp.KeyEvent(kb.Tab))
		if picker := chrome.Run(k.t, k.b, chromedp.Evaluate[string](`(() => { const e = document.activeElement;
			return e && e.matches('input[type=date], input[type=time], input[type=datetime-local]') && !e.matches(':focus') ? e.id : '' })()`)); picker != "" {
			path = append(path, "calendar or clock button of #"+picker)
			continue
		}
		f := k.focus()
		path = append(path, f.Desc)
		if k.matches(sel) {
			k.t.Logf("Tab ×%d to %s: %s", len(path), sel, strings.Join(path, " → "))
			return
		}
	}
	k.t.Fatalf("%s not reached with Tab; focus went through:\n%s", sel, strings.Join(path, "\n"))
}

// TestBrowserRegistryReassign checks with axe-core the detail of a
// registration that its office sent back, with the reassignment form clean
// and with errors, and that the form gives it to another office.
func TestBrowserRegistryReassign(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t)
	office := hostURL(t, s, "localhost")

	// The registry desk registers a letter for the Segreteria (localhost).
	b.Do(t, chromedp.Navigate(office+"/ufficio/accedi"))
	operatorLogin(t, b, "protocollo", DemoPassword, http.StatusOK)
	b.Do(t, chromedp.Navigate(office+"/ufficio/protocollo/nuova"),
		chromedp.SendKeys(chromedp.ID("f-subject"), "Segnalazione di una buca in via Roma"),
		chromedp.SendKeys(chromedp.ID("f-corr_name_1"), "Mario Rossi"),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-action_office');
			s.value = [...s.options].find(o => o.text.startsWith('Ufficio Segreteria')).value })()`),
	)
	wantStatus(t, clickLoad(t, b, "main form button[type=submit]"), http.StatusOK)
	detail := chrome.Run(t, b, chromedp.Location())

	// The Segreteria's operator, on the other host name, sends it back.
	b.Do(t, chromedp.Navigate(s.URL+"/ufficio/accedi"))
	operatorLogin(t, b, "operatore", DemoPassword, http.StatusOK)
	b.Do(t, chromedp.Navigate(s.URL+"/ufficio/assegnazioni"),
		chromedp.SendKeys(chromedp.CSS(`main form[action$="/restituisci"] textarea`), "Competenza della Polizia Locale"))
	wantStatus(t, clickLoad(t, b, `main form[action$="/restituisci"] button[type=submit]`), http.StatusOK)

	// The desk sees why and gives it to another office.
	wantStatus(t, navigate(t, b, detail), http.StatusOK)
	wantText(t, b, "#restituito", "Competenza della Polizia Locale")
	t.Run("Registrazione restituita", func(t *testing.T) { b.AssertNoViolations(t, "") })
	wantStatus(t, clickLoad(t, b, `form[action$="/riassegnazione"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#f-reassign-office-errore", "Scegli")
	t.Run("Riassegnazione con errori", func(t *testing.T) { b.AssertNoViolations(t, "") })
	b.Do(t, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-reassign-office');
		s.value = [...s.options].find(o => o.text.startsWith('Polizia Locale')).value })()`))
	wantStatus(t, clickLoad(t, b, `form[action$="/riassegnazione"] button[type=submit]`), http.StatusOK)
	wantText(t, b, "section[aria-labelledby=assegnazioni]", "Polizia Locale")
	wantText(t, b, "section[aria-labelledby=assegnazioni]", "Restituita al protocollo")
	t.Run("Registrazione riassegnata", func(t *testing.T) { b.AssertNoViolations(t, "") })
}
