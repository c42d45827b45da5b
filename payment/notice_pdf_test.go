// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package payment_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/pdf"
)

// TestNoticePDF renders the avviso di pagamento with the real renderer and
// reads the text back: the euro sign, the grouped codice avviso and the QR
// code content survive the PDF's cp1252 text.
func TestNoticePDF(t *testing.T) {
	n := unpaidNotice(t)
	n.DueDate = procedo.NewDate(2026, time.March, 31)
	n.Amount = 123456
	d := n.PrintDocument(alfa, "https://alfa.example/pagamenti/301000000000000144")
	b, err := (&pdf.Renderer{}).RenderPDF(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	again, err := (&pdf.Renderer{}).RenderPDF(context.Background(), d)
	if err != nil || !bytes.Equal(b, again) {
		t.Fatalf("rendering is not deterministic: %v", err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "avviso.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{
		"Avviso di pagamento pagoPA", "Comune di Alfa", "Diritti di segreteria <accesso agli atti>", "€ 1.234,56",
		"Entro il 31/03/2026", "3010 0000 0000 0001 44", "01000000000000144", "01199250158",
		"PAGOPA|002|301000000000000144|01199250158|123456", "Come pagare", "Mario Rossi",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}
