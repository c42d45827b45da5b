// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// omocodiaLetters maps the letters the Agenzia delle Entrate substitutes for digits
// in homonymous codes (omocodia) back to the digits: L=0, M=1, … V=9.
const omocodiaLetters = "LMNPQRSTUV"

// omocodiaPositions are the 0-based indexes of the 7 substitutable positions:
// year (7-8), day (10-11) and the three digits of the birthplace (13-15), 1-based.
var omocodiaPositions = [...]int{6, 7, 9, 10, 12, 13, 14}

// fiscalCodeMonths lists the month letters in calendar order: A=January … T=December.
const fiscalCodeMonths = "ABCDEHLMPRST"

// fiscalCodeOdd is the value of each character in an odd (1st, 3rd, … 15th)
// position, indexed by letter A–Z; a digit has the value of the letter with the
// same index (0 like A, 1 like B, …).
var fiscalCodeOdd = [26]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A–J (and 0–9)
	2, 4, 18, 20, 11, 3, 6, 8, 12, 14, // K–T
	16, 10, 22, 25, 24, 23, // U–Z
}

// fiscalCodeOmocodiaHint completes the messages about digit positions.
const fiscalCodeOmocodiaHint = "cifre o lettere di omocodia (L, M, N, P, Q, R, S, T, U, V)"

// NormalizeFiscalCode returns s without surrounding or inner white space and in
// upper case, the form in which codes are validated, stored and compared. It does
// not remove other separators such as dashes: a code typed with dashes is
// reported as invalid, so the citizen sees exactly what is stored.
func NormalizeFiscalCode(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// ValidateFiscalCode normalises s with NormalizeFiscalCode and checks it as the
// codice fiscale of a natural person (DM 23 dicembre 1976 n. 13813; summary in
// ../shared/standards/codice-fiscale/README.md): 16 characters, letters for
// surname and name (1-6), year (7-8), month letter (9), day 01–31 for men or
// 41–71 for women (10-11), birthplace letter A–M or Z for a foreign state (12)
// and three digits (13-15), check character (16). The 7 digit positions also
// accept the omocodia letters L, M, N, P, Q, R, S, T, U, V (for 0–9). It returns the normalised code,
// or "" and an *Error with code EINVALID whose Message says in Italian what is
// wrong.
//
// It deliberately does not check:
//   - whether the birthplace code exists, or existed on the birth date: that
//     needs the ANPR archive of municipalities with its validity dates and the
//     list of foreign states, reference data that a caller with a database can
//     check;
//   - whether the day exists in that month (31 April): the Agenzia delle Entrate
//     is the authority on codes it has issued, and a code whose check character
//     is right was almost certainly issued as is;
//   - the order of omocodia substitutions (the Agenzia replaces digits from the
//     right): like the CodiceFiscaleType pattern of the segnatura XSD, any of a
//     code's 128 variants is accepted;
//   - the 11-digit codes of legal persons and provisional codes: this is for
//     natural persons (citizens who apply online).
func ValidateFiscalCode(s string) (string, error) {
	cf := NormalizeFiscalCode(s)
	if cf == "" {
		return "", Errorf(EINVALID, "Il codice fiscale è obbligatorio.")
	}
	if utf8.RuneCountInString(cf) != 16 {
		return "", Errorf(EINVALID, "Il codice fiscale deve avere 16 caratteri.")
	}
	for i := 0; i < len(cf); i++ {
		if !cfIsLetter(cf[i]) && !cfIsDigit(cf[i]) {
			return "", Errorf(EINVALID, "Il codice fiscale può contenere solo lettere e cifre.")
		}
	}
	for i := 0; i < 6; i++ {
		if !cfIsLetter(cf[i]) {
			return "", Errorf(EINVALID, "I primi 6 caratteri del codice fiscale (cognome e nome) devono essere lettere.")
		}
	}
	if !isOmocodiaDigit(cf[6]) || !isOmocodiaDigit(cf[7]) {
		return "", Errorf(EINVALID, "I caratteri 7-8 del codice fiscale (anno di nascita) devono essere "+fiscalCodeOmocodiaHint+".")
	}
	if strings.IndexByte(fiscalCodeMonths, cf[8]) < 0 {
		return "", Errorf(EINVALID, "Il carattere 9 del codice fiscale (mese di nascita) deve essere una di queste lettere: A, B, C, D, E, H, L, M, P, R, S, T.")
	}
	if !isOmocodiaDigit(cf[9]) || !isOmocodiaDigit(cf[10]) {
		return "", Errorf(EINVALID, "I caratteri 10-11 del codice fiscale (giorno di nascita) devono essere "+fiscalCodeOmocodiaHint+".")
	}
	// Women have 40 added to the day of birth, so 32–40 and 72–99 never occur.
	if day := omocodiaValue(cf[9])*10 + omocodiaValue(cf[10]); !(day >= 1 && day <= 31 || day >= 41 && day <= 71) {
		return "", Errorf(EINVALID, "Il giorno di nascita nel codice fiscale (caratteri 10-11) deve essere tra 01 e 31 per gli uomini o tra 41 e 71 per le donne.")
	}
	// Codici catastali of municipalities run from A001 to M999; Z + 3 digits is a
	// foreign state.
	if !(cf[11] >= 'A' && cf[11] <= 'M' || cf[11] == 'Z') {
		return "", Errorf(EINVALID, "Il carattere 12 del codice fiscale (luogo di nascita) deve essere una lettera da A a M, oppure Z per uno Stato estero.")
	}
	for i := 12; i < 15; i++ {
		if !isOmocodiaDigit(cf[i]) {
			return "", Errorf(EINVALID, "I caratteri 13-15 del codice fiscale (luogo di nascita) devono essere "+fiscalCodeOmocodiaHint+".")
		}
	}
	if !cfIsLetter(cf[15]) {
		return "", Errorf(EINVALID, "L'ultimo carattere del codice fiscale (carattere di controllo) deve essere una lettera.")
	}
	// The check character is computed on the code as issued, omocodia letters
	// included, so there is no need to decode first.
	if check, _ := FiscalCodeCheckChar(cf[:15]); check != cf[15] {
		return "", Errorf(EINVALID, "Il carattere di controllo del codice fiscale non è corretto.")
	}
	return cf, nil
}

// FiscalCodeCheckChar returns the check character (the 16th, 'A'–'Z') of the
// codice fiscale whose first 15 characters are first15: characters in odd
// positions are valued with the ODD table of DM 13813/1976, those in even
// positions as A=0 … Z=25 (digits 0=0 … 9=9), and the sum modulo 26 is the
// letter's index. first15 must be exactly 15 upper-case ASCII letters or digits,
// in any position (the structure is ValidateFiscalCode's job); otherwise it
// returns an *Error with code EINVALID.
func FiscalCodeCheckChar(first15 string) (byte, error) {
	if len(first15) != 15 {
		return 0, Errorf(EINVALID, "Per calcolare il carattere di controllo servono i primi 15 caratteri del codice fiscale.")
	}
	sum := 0
	for i := 0; i < 15; i++ {
		c := first15[i]
		var v int // index of c: A=0 … Z=25, 0=0 … 9=9
		switch {
		case cfIsLetter(c):
			v = int(c - 'A')
		case cfIsDigit(c):
			v = int(c - '0')
		default:
			return 0, Errorf(EINVALID, "Il codice fiscale può contenere solo lettere maiuscole e cifre.")
		}
		if i%2 == 0 { // 0-based even index = 1-based odd position
			sum += fiscalCodeOdd[v]
		} else {
			sum += v
		}
	}
	return byte('A' + sum%26), nil
}

// decodeOmocodia returns a 16-character code with the omocodia letters in the 7
// substitutable positions mapped back to digits (CCCFBAURDLPLNMVU →
// CCCFBA85D03L219U; the check character is left as is). cf must have passed
// the structural checks of ValidateFiscalCode.
func decodeOmocodia(cf string) string {
	b := []byte(cf)
	for _, i := range omocodiaPositions {
		b[i] = byte('0' + omocodiaValue(b[i]))
	}
	return string(b)
}

// isOmocodiaDigit reports whether c may stand in a digit position: a digit or
// one of the omocodia letters.
func isOmocodiaDigit(c byte) bool {
	return cfIsDigit(c) || strings.IndexByte(omocodiaLetters, c) >= 0
}

// omocodiaValue returns the digit c stands for; c must satisfy isOmocodiaDigit.
func omocodiaValue(c byte) int {
	if cfIsDigit(c) {
		return int(c - '0')
	}
	return strings.IndexByte(omocodiaLetters, c)
}

func cfIsLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func cfIsDigit(c byte) bool { return c >= '0' && c <= '9' }
