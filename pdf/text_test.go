// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package pdf

import (
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func TestToCP1252(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		in        string
		multiline bool
		want      string
	}{
		{"Italian", "è già più perché – «così» 10 €", false, "è già più perché – «così» 10 €"},
		{"Decomposed", "e\u0300 perche\u0301 citta\u0300 E\u0300", false, "è perché città È"},
		{"UnknownMark", "a\u0331b", false, "ab"},
		{"CentralEuropean", "Łódź Ștefan Dvořák Őrség", false, "Lódz Stefan Dvorák Orség"},
		{"Typography", "a\u2011b \u2212 1\u2009000 \u2192 x\u200b \u201Bq\u2032 \uFB01ne", false, "a-b - 1 000 -> x 'q' fine"},
		{"LineBreaks", "uno\r\ndue\rtre\nquattro", true, "uno\ndue\ntre\nquattro"},
		{"SingleLine", "uno\r\ndue\ntre", false, "uno due tre"},
		{"Controls", "a\x00b\x07c\td\u0085e", false, "abc de"},
		{"SoftHyphen", "pre\u00adcauzione", false, "precauzione"},
		{"Unknown", "Ελένη 中文 🙂", false, "????? ?? ?"},
		{"InvalidUTF8", "a\xffb", false, "a?b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := toCP1252(tc.in, tc.multiline); got != tc.want {
				t.Errorf("toCP1252(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestToCP1252_Fpdf checks that toCP1252 only lets through what fpdf's cp1252
// translator knows, so nothing prints as fpdf's '.' for unknown runes.
func TestToCP1252_Fpdf(t *testing.T) {
	t.Parallel()
	tr := fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor("")
	for r := rune(0xA0); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		known := tr(string(r)) != "."
		if inCP1252(r) && !known {
			t.Errorf("inCP1252(%U) but fpdf cannot encode it", r)
		}
		if known && r != 0xAD && !inCP1252(r) {
			t.Errorf("fpdf encodes %U but inCP1252 says no", r)
		}
		for _, c := range toCP1252(string(r)+"a", true) {
			if c != '\n' && !inCP1252(c) {
				t.Fatalf("toCP1252(%U) yields %U outside cp1252", r, c)
			}
		}
	}
	if len(latinExtA) != 0x80 {
		t.Errorf("len(latinExtA) = %d, want 128", len(latinExtA))
	}
}

func TestTrimLines(t *testing.T) {
	t.Parallel()
	if got := trimLines("a\n b \n\n "); got != "a\n b" {
		t.Errorf("trimLines = %q", got)
	}
	if got := trimLines(strings.Repeat("\n", 3)); got != "" {
		t.Errorf("trimLines of line breaks = %q", got)
	}
}
