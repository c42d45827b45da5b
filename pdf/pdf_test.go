// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package pdf_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/pdf"
)

const accented = "Richiesta di accesso ai documenti amministrativi – è già più perché"

func receipt() *procedo.PrintDocument {
	return &procedo.PrintDocument{
		Issuer:      "Comune di Città di Castello",
		IssuerLines: []string{"AOO: Protocollo generale", "Ufficio Relazioni con il Pubblico – Piazza Gabriotti, 1"},
		Title:       "Ricevuta di presentazione",
		Subtitle:    accented,
		Sections: []procedo.PrintSection{
			{
				Heading: "Dati della domanda",
				Fields: []procedo.PrintField{
					{Label: "Numero di protocollo", Value: "2026/0001234"},
					{Label: "Richiedente", Value: "Niccolò Dell’Acqua"},
					{Label: "Motivazione", Value: strings.Repeat("Tutela di una situazione giuridicamente rilevante. ", 8)},
				},
			},
			{
				Heading:    "Informativa",
				Paragraphs: []string{"L'amministrazione risponderà entro trenta giorni, così come previsto dalla legge n. 241/1990."},
			},
		},
		Footer: "Documento generato da procedo – impronta SHA-256 riportata nel registro",
	}
}

func TestRenderer_RenderPDF(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		b := mustRender(t, receipt())
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("output starts with %q, want %%PDF-", b[:min(len(b), 16)])
		}
		if n := pageCount(b); n != 1 {
			t.Errorf("pages = %d, want 1", n)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		t.Parallel()
		first := mustRender(t, receipt2Demo())
		second, err := (&pdf.Renderer{}).RenderPDF(ctx, receipt2Demo())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatal("rendering the same document twice gave different bytes")
		}
	})

	t.Run("Text", func(t *testing.T) {
		t.Parallel()
		d := receipt()
		d.Demo = true
		text := mustPDFText(t, mustRender(t, d))
		for _, want := range []string{
			"Comune di Città di Castello",
			"Ufficio Relazioni con il Pubblico – Piazza Gabriotti, 1",
			"Ricevuta di presentazione",
			accented,
			"Dati della domanda",
			"Numero di protocollo", "2026/0001234",
			"Richiedente", "Niccolò Dell’Acqua",
			"Tutela di una situazione giuridicamente rilevante.",
			"L'amministrazione risponderà entro trenta giorni, così come previsto",
			"Documento generato da procedo – impronta SHA-256",
			"Pagina 1 di 1",
			pdf.DemoMark,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q\n--- text ---\n%s", want, text)
			}
		}
	})

	t.Run("NotDemo", func(t *testing.T) {
		t.Parallel()
		if text := mustPDFText(t, mustRender(t, receipt())); strings.Contains(text, "DEMO") {
			t.Errorf("text of a real document contains DEMO:\n%s", text)
		}
	})

	t.Run("MultiPage", func(t *testing.T) {
		t.Parallel()
		d := receipt()
		for i := range 120 {
			d.Sections[0].Fields = append(d.Sections[0].Fields,
				procedo.PrintField{Label: fmt.Sprintf("Allegato n. %d", i+1), Value: fmt.Sprintf("documento-%03d.pdf", i+1)})
		}
		b := mustRender(t, d)
		n := pageCount(b)
		if n < 3 {
			t.Fatalf("pages = %d, want at least 3", n)
		}
		text := mustPDFText(t, b)
		for p := 1; p <= n; p++ {
			if want := fmt.Sprintf("Pagina %d di %d", p, n); !strings.Contains(text, want) {
				t.Errorf("text lacks %q", want)
			}
		}
		for _, want := range []string{"Allegato n. 1", "documento-001.pdf", "Allegato n. 120", "documento-120.pdf"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q", want)
			}
		}
		// The running header names the issuer on the following pages.
		if got := strings.Count(text, "Comune di Città di Castello"); got < n {
			t.Errorf("issuer appears %d times, want at least %d (one per page)", got, n)
		}
	})

	t.Run("OutsideCP1252", func(t *testing.T) {
		t.Parallel()
		d := &procedo.PrintDocument{
			Title:    "Łukasz Wałęsa e Ștefan – perché ≥ 2",
			Sections: []procedo.PrintSection{{Fields: []procedo.PrintField{{Label: "Nome", Value: "Ελένη e\u0300 fine"}}}},
		}
		text := mustPDFText(t, mustRender(t, d))
		for _, want := range []string{"Lukasz Walesa e Stefan – perché >= 2", "????? è fine"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q\n--- text ---\n%s", want, text)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		_, err := new(pdf.Renderer).RenderPDF(ctx, nil)
		if got := procedo.ErrorCode(err); got != procedo.EINVALID {
			t.Errorf("code = %q, want %q (err %v)", got, procedo.EINVALID, err)
		}
	})

	t.Run("Canceled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := new(pdf.Renderer).RenderPDF(ctx, receipt()); err == nil {
			t.Error("RenderPDF with a canceled context succeeded")
		}
	})
}

// receipt2Demo builds the document of the Deterministic test anew, so the test
// also shows that no state is shared between calls or values.
func receipt2Demo() *procedo.PrintDocument {
	d := receipt()
	d.Demo = true
	return d
}

func TestRenderer_RenderPDF_Extremes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	randomText := func(n int) string {
		var b strings.Builder
		for range n {
			switch rng.IntN(4) {
			case 0:
				b.WriteRune(rune(rng.IntN(0x3000)))
			case 1:
				b.WriteByte(byte(rng.IntN(256))) // also invalid UTF-8
			default:
				b.WriteString("parola ")
			}
		}
		return b.String()
	}
	longWord := strings.Repeat("x", 20000)
	longText := strings.Repeat("testo molto lungo con parole ", 3000)

	for _, tc := range []struct {
		name string
		doc  *procedo.PrintDocument
	}{
		{"Empty", &procedo.PrintDocument{}},
		{"EmptySections", &procedo.PrintDocument{Title: "Vuoto", Sections: make([]procedo.PrintSection, 5)}},
		{"EmptyFields", &procedo.PrintDocument{Sections: []procedo.PrintSection{{
			Fields:     []procedo.PrintField{{}, {Label: "Solo etichetta"}, {Value: "Solo valore"}},
			Paragraphs: []string{"", "\n\n", "   "},
		}}}},
		{"LongWord", &procedo.PrintDocument{
			Issuer: longWord, IssuerLines: []string{longWord}, Title: longWord, Subtitle: longWord, Footer: longWord,
			Sections: []procedo.PrintSection{{Heading: longWord, Fields: []procedo.PrintField{{Label: longWord, Value: longWord}}, Paragraphs: []string{longWord}}},
		}},
		{"LongText", &procedo.PrintDocument{
			Footer: longText, Demo: true,
			Sections: []procedo.PrintSection{{Heading: "Lungo", Fields: []procedo.PrintField{
				{Label: "Breve", Value: longText}, {Label: longText, Value: "breve"},
			}, Paragraphs: []string{longText}}},
		}},
		{"Random", &procedo.PrintDocument{
			Issuer: randomText(50), IssuerLines: []string{randomText(80)}, Title: randomText(40),
			Subtitle: randomText(40), Footer: randomText(300), Demo: true,
			Sections: []procedo.PrintSection{{Heading: randomText(20), Fields: []procedo.PrintField{
				{Label: randomText(30), Value: randomText(2000)},
			}, Paragraphs: []string{randomText(3000)}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustRender(t, tc.doc)
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatal("output is not a PDF")
			}
		})
	}
}

func FuzzRenderPDF(f *testing.F) {
	f.Add("Comune di Milano", "Ricevuta", "Richiedente", accented, "e\u0300\r\n\t\x00\xff", false)
	f.Add("", "", "", "", "", true)
	f.Add(strings.Repeat("ä", 500), strings.Repeat("\n", 100), strings.Repeat("y", 3000), "€ ≥ Ł ☃ 🙂", "\u200b\u00ad", true)
	f.Fuzz(func(t *testing.T, issuer, title, label, value, footer string, demo bool) {
		d := &procedo.PrintDocument{
			Issuer: issuer, IssuerLines: []string{value}, Title: title, Subtitle: value,
			Footer: footer, Demo: demo,
			Sections: []procedo.PrintSection{
				{Heading: title, Fields: []procedo.PrintField{{Label: label, Value: value}}, Paragraphs: []string{value}},
				{},
			},
		}
		if _, err := new(pdf.Renderer).RenderPDF(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	})
}

// mustRender renders d or fails the test.
func mustRender(tb testing.TB, d *procedo.PrintDocument) []byte {
	tb.Helper()
	b, err := new(pdf.Renderer).RenderPDF(context.Background(), d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// pageCount counts the page objects of an fpdf document (they are not in
// compressed object streams).
func pageCount(b []byte) int {
	return len(pageObject.FindAll(b, -1))
}

// mustPDFText extracts the text of b with poppler's pdftotext, skipping the test
// when it is not installed (Debian: apt-get install poppler-utils).
func mustPDFText(tb testing.TB, b []byte) string {
	tb.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	path := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
