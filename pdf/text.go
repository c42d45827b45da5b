// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The core PDF fonts (Helvetica) are used with the cp1252 encoding, which covers
// Italian and the other Western European languages. fpdf's translator turns every
// rune it does not know into '.', so text goes through toCP1252 first: it keeps
// what cp1252 can show, maps common typographic and Central European characters
// to the nearest look-alike and marks anything else with '?'.

// cp1252High holds the runes cp1252 places in 0x80–0x9F; 0xA0–0xFF are Latin-1.
var cp1252High = map[rune]bool{
	'€': true, '‚': true, 'ƒ': true, '„': true, '…': true, '†': true, '‡': true,
	'ˆ': true, '‰': true, 'Š': true, '‹': true, 'Œ': true, 'Ž': true, '‘': true,
	'’': true, '“': true, '”': true, '•': true, '–': true, '—': true, '˜': true,
	'™': true, 'š': true, '›': true, 'œ': true, 'ž': true, 'Ÿ': true,
}

// inCP1252 reports whether r is printable in cp1252 (control characters excluded).
func inCP1252(r rune) bool {
	switch {
	case r >= 0x20 && r < 0x7F:
		return true
	case r >= 0xA0 && r <= 0xFF:
		return r != 0xAD // the soft hyphen would print as a visible hyphen
	default:
		return cp1252High[r]
	}
}

// latinExtA gives the base letter of U+0100–U+017F, one byte per rune, for
// letters such as ł, ș or ő that cp1252 lacks. Runes cp1252 has (Œ, Š, Ž…) never
// reach it.
const latinExtA = "AaAaAaCcCcCcCcDd" + // U+0100
	"DdEeEeEeEeEeGgGg" + // U+0110
	"GgGgHhHhIiIiIiIi" + // U+0120
	"IiIiJjKkkLlLlLlL" + // U+0130 (Ĳ, ĳ: see lookAlike)
	"lLlNnNnNnnNnOoOo" + // U+0140
	"OoEeRrRrRrSsSsSs" + // U+0150
	"SsTtTtTtUuUuUuUu" + // U+0160
	"UuUuWwYyYZzZzZzs" //  U+0170

// lookAlike maps runes outside cp1252 to printable replacements ("" drops them).
var lookAlike = map[rune]string{
	'\t': " ",
	// Spaces of every width, and invisible characters.
	'\u2000': " ", '\u2001': " ", '\u2002': " ", '\u2003': " ", '\u2004': " ",
	'\u2005': " ", '\u2006': " ", '\u2007': " ", '\u2008': " ", '\u2009': " ",
	'\u200A': " ", '\u202F': " ", '\u205F': " ", '\u3000': " ",
	'\u00AD': "", '\u200B': "", '\u200C': "", '\u200D': "", '\u2060': "", '\uFEFF': "",
	// Dashes, quotes and primes.
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2015': "—", '\u2043': "-", '\u2212': "-",
	'\u201B': "'", '\u201F': "\"", '\u2032': "'", '\u2033': "\"", '\u2035': "'",
	'\u02BB': "'", '\u02BC': "'",
	// Symbols met in administrative text.
	'\u2116': "N.", '\u2190': "<-", '\u2192': "->", '\u2194': "<->", '\u21D0': "<=",
	'\u21D2': "=>", '\u2264': "<=", '\u2265': ">=", '\u2260': "!=", '\u2248': "~",
	'\u2713': "v", '\u2714': "v", '\u2717': "x", '\u2718': "x", '\u2023': "•",
	'\u25AA': "•", '\u25CF': "•", '\u2219': "·",
	// Letters cp1252 lacks.
	'\u0132': "IJ", '\u0133': "ij", '\u0149': "'n", '\u0218': "S", '\u0219': "s",
	'\u021A': "T", '\u021B': "t", '\u1E9E': "SS",
	// Ligatures, common in text pasted from other PDFs.
	'\uFB00': "ff", '\uFB01': "fi", '\uFB02': "fl", '\uFB03': "ffi", '\uFB04': "ffl",
}

// composed maps a base letter and a combining mark to the precomposed letter, so
// decomposed (NFD) input such as "e\u0300" prints as "è".
var composed = func() map[[2]rune]rune {
	m := make(map[[2]rune]rune)
	add := func(mark rune, bases, results string) {
		rs := []rune(results)
		for i, b := range []rune(bases) {
			m[[2]rune{b, mark}] = rs[i]
		}
	}
	add('\u0300', "AEIOUaeiou", "ÀÈÌÒÙàèìòù")
	add('\u0301', "AEIOUYaeiouy", "ÁÉÍÓÚÝáéíóúý")
	add('\u0302', "AEIOUaeiou", "ÂÊÎÔÛâêîôû")
	add('\u0303', "ANOano", "ÃÑÕãñõ")
	add('\u0308', "AEIOUYaeiouy", "ÄËÏÖÜŸäëïöüÿ")
	add('\u030A', "Aa", "Åå")
	add('\u030C', "SZsz", "ŠŽšž")
	add('\u0327', "Cc", "Çç")
	return m
}()

// toCP1252 returns s with only runes that cp1252 can print, plus '\n' when
// multiline is true (otherwise line breaks become spaces). "\r\n" and "\r" count
// as line breaks, other control characters are dropped, invalid UTF-8 becomes '?'.
func toCP1252(s string, multiline bool) string {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		rep, isLookAlike := lookAlike[r]
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, '?')
		case r == '\r' || r == '\n':
			if r == '\r' && i < len(s) && s[i] == '\n' {
				i++
			}
			if multiline {
				out = append(out, '\n')
			} else {
				out = append(out, ' ')
			}
		case inCP1252(r):
			out = append(out, r)
		case unicode.Is(unicode.Mn, r):
			if n := len(out); n > 0 {
				if c, ok := composed[[2]rune{out[n-1], r}]; ok {
					out[n-1] = c
				}
			}
		case isLookAlike:
			out = append(out, []rune(rep)...)
		case r >= 0x0100 && r <= 0x017F:
			out = append(out, rune(latinExtA[r-0x0100]))
		case r < 0x20 || (r >= 0x7F && r < 0xA0) || unicode.Is(unicode.Cf, r):
			// Control and format characters carry no glyph.
		default:
			out = append(out, '?')
		}
	}
	return string(out)
}

// trimLines removes trailing line breaks and spaces, which would otherwise add
// empty lines to wrapped text.
func trimLines(s string) string {
	return strings.TrimRight(s, "\n ")
}
