// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"strings"
	"unicode"
)

// splitName splits a natural person's full name into Nome and Cognome, as
// PersonaFisica wants them apart while procedo.Correspondent has one Name.
// The codice fiscale says which split is right: its first three letters come
// from the surname and the next three from the given names (DM 23/12/1976), so
// "Maria Grazia Rossi" and "Mario De Luca" both split correctly, whatever the
// order of the words. When no split matches (a typo, a foreign name), the last
// word is the surname; a single word is the surname alone.
func splitName(full, cf string) (given, family string) {
	words := strings.Fields(full)
	if len(cf) >= 6 {
		for i := 1; i < len(words); i++ {
			first, rest := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
			if surnameCode(rest) == cf[:3] && givenNameCode(first) == cf[3:6] {
				return first, rest
			}
			if surnameCode(first) == cf[:3] && givenNameCode(rest) == cf[3:6] {
				return rest, first
			}
		}
	}
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return "", words[0]
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// surnameCode returns the three letters of the codice fiscale for a surname:
// its consonants, then its vowels, padded with X.
func surnameCode(s string) string {
	cons, vow := letters(s)
	return (cons + vow + "XXX")[:3]
}

// givenNameCode returns the three letters for the given names: the 1st, 3rd and
// 4th consonant when there are at least four, else as for a surname.
func givenNameCode(s string) string {
	cons, vow := letters(s)
	if len(cons) >= 4 {
		return cons[:1] + cons[2:4]
	}
	return (cons + vow + "XXX")[:3]
}

// letters returns the consonants and the vowels of s in upper case, with
// accents removed and anything that is not a letter (spaces, apostrophes,
// hyphens) dropped, as the Agenzia delle Entrate does.
func letters(s string) (cons, vow string) {
	var c, v strings.Builder
	for _, r := range strings.ToUpper(s) {
		r = unaccent(r)
		switch {
		case strings.ContainsRune("AEIOU", r):
			v.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			c.WriteRune(r)
		}
	}
	return c.String(), v.String()
}

// unaccent maps the accented capitals of Italian and neighbouring languages to
// their base letter; other runes are returned unchanged.
func unaccent(r rune) rune {
	if r < 0x80 || !unicode.IsLetter(r) {
		return r
	}
	for base, set := range map[rune]string{
		'A': "ÀÁÂÃÄÅ", 'C': "ÇČĆ", 'E': "ÈÉÊË", 'I': "ÌÍÎÏ", 'N': "ÑŇ",
		'O': "ÒÓÔÕÖ", 'S': "ŠŚ", 'U': "ÙÚÛÜ", 'Y': "ÝŸ", 'Z': "ŽŹŻ",
	} {
		if strings.ContainsRune(set, r) {
			return base
		}
	}
	return r
}
