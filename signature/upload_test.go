// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestInspectUpload(t *testing.T) {
	p := pki(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	p7m := buildCMS(t, testPDF, signOpts{}, p.rsa)
	t.Run("CAdES", func(t *testing.T) {
		u, err := InspectUpload(p7m, "domanda.pdf.p7m", Options{}, rome)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Envelope || u.ContentType != "application/pdf" {
			t.Errorf("envelope %v, content %s", u.Envelope, u.ContentType)
		}
		want := "Firmato digitalmente (CAdES) da Mario Rossi (RSSMRA80A01H501U), 15/03/2026"
		if u.Description != want {
			t.Errorf("description %q, want %q", u.Description, want)
		}
	})
	t.Run("CAdESWithoutExtension", func(t *testing.T) {
		u, err := InspectUpload(p7m, "domanda", Options{}, rome)
		if err != nil || !u.Envelope {
			t.Fatalf("%v %+v", err, u)
		}
	})
	t.Run("Tampered", func(t *testing.T) {
		bad := []byte(strings.Replace(string(p7m), "accesso", "Accesso", 1))
		_, err := InspectUpload(bad, "domanda.pdf.p7m", Options{}, rome)
		if !errors.Is(err, ErrContentModified) {
			t.Fatalf("err = %v, want content modified", err)
		}
		if !strings.Contains(Message(err), "modificato dopo la firma") {
			t.Errorf("message %q", Message(err))
		}
	})
	t.Run("GarbageNamedP7M", func(t *testing.T) {
		if _, err := InspectUpload([]byte("not a signature at all"), "x.p7m", Options{}, rome); !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v, want malformed", err)
		}
	})
	t.Run("PlainFiles", func(t *testing.T) {
		for name, data := range map[string][]byte{"a.pdf": basePDF(), "a.png": []byte("\x89PNG\r\n\x1a\n0000"), "a.txt": []byte("MIIB testo")} {
			u, err := InspectUpload(data, name, Options{}, rome)
			if err != nil || u.Envelope || u.Description != "" {
				t.Errorf("%s: %v %+v", name, err, u)
			}
		}
	})
	t.Run("PAdES", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{})
		u, err := InspectUpload(pdf, "firmato.pdf", Options{}, rome)
		if err != nil {
			t.Fatal(err)
		}
		if u.Envelope || !strings.HasPrefix(u.Description, "PDF firmato digitalmente (PAdES) da Mario Rossi (RSSMRA80A01H501U)") ||
			strings.Contains(u.Description, "NON valida") || strings.Contains(u.Description, "modificato") {
			t.Errorf("description %q", u.Description)
		}
		changed := append(append([]byte{}, pdf...), "\n% aggiunto dopo la firma\n"...)
		u, err = InspectUpload(changed, "firmato.pdf", Options{}, rome)
		if err != nil || !strings.Contains(u.Description, "modificato dopo l'ultima firma") {
			t.Errorf("%v %q", err, u.Description)
		}
	})
}
