// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// standardsFile returns the path of rel inside the shared standards folder:
// $PROCEDO_STANDARDS if set, else ../shared/standards next to the module root
// (tests of the root package run in the module root). It skips the test when
// the file is missing, since the standards are not shipped with the module.
func standardsFile(tb testing.TB, rel string) string {
	tb.Helper()
	dir := os.Getenv("PROCEDO_STANDARDS")
	if dir == "" {
		dir = filepath.Join("..", "shared", "standards")
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("standards file %s not available (set PROCEDO_STANDARDS to the standards folder): %v", p, err)
	}
	return p
}

// readCSV reads a CSV file with a header row and returns its rows as maps from
// column name to value.
func readCSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(recs) < 2 {
		tb.Fatalf("%s: no data rows", path)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, col := range recs[0] {
			row[col] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func TestNormalizeFiscalCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"AlreadyNormal", "RSSMRA68A01H501Y", "RSSMRA68A01H501Y"},
		{"LowerCase", "rssmra68a01h501y", "RSSMRA68A01H501Y"},
		{"Surrounding", "  RSSMRA68A01H501Y\n", "RSSMRA68A01H501Y"},
		{"InnerSpacesAndTabs", "RSS MRA\t68A01 H501Y", "RSSMRA68A01H501Y"},
		{"DashesKept", "rss-mra", "RSS-MRA"},
		{"Empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeFiscalCode(tt.in); got != tt.want {
				t.Errorf("NormalizeFiscalCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateFiscalCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		in      string
		want    string // normalised code when valid
		wantMsg string // substring of the error message when invalid
	}{
		{name: "OK", in: "CCCFBA85D03L219P", want: "CCCFBA85D03L219P"},
		{name: "OKLowerWithSpaces", in: " ccc fba 85 d03 l219 p ", want: "CCCFBA85D03L219P"},
		{name: "OKWoman", in: "TKKYKU87B68L219F", want: "TKKYKU87B68L219F"},
		{name: "OKForeignState", in: "BLSLGS84C22Z145O", want: "BLSLGS84C22Z145O"},
		{name: "OKOmocodeLastDigit", in: "CCCFBA85D03L21VE", want: "CCCFBA85D03L21VE"},
		{name: "OKOmocodeAllDigits", in: "CCCFBAURDLPLNMVU", want: "CCCFBAURDLPLNMVU"},
		{name: "Empty", in: "   ", wantMsg: "obbligatorio"},
		{name: "TooShort", in: "CCCFBA85D03L219", wantMsg: "deve avere 16 caratteri"},
		{name: "TooLong", in: "CCCFBA85D03L219PX", wantMsg: "deve avere 16 caratteri"},
		{name: "Dashes", in: "CCC-FBA-85-D03-L219-P", wantMsg: "deve avere 16 caratteri"},
		{name: "NonASCII", in: "CCCFBÀ85D03L219P", wantMsg: "solo lettere e cifre"},
		{name: "Punctuation", in: "CCCFBA85D03L219.", wantMsg: "solo lettere e cifre"},
		{name: "DigitInName", in: "CCCFB085X03L219P", wantMsg: "cognome e nome"},
		{name: "LetterXInYear", in: "CCCFBA8XD03L219P", wantMsg: "anno di nascita"},
		{name: "BadMonth", in: "CCCFBA85X03L219P", wantMsg: "mese di nascita"},
		{name: "LetterXInDay", in: "CCCFBA85D0XL219P", wantMsg: "giorno di nascita"},
		{name: "Day00", in: "CCCFBA85D00L219P", wantMsg: "tra 01 e 31"},
		{name: "Day32", in: "CCCFBA85D32L219P", wantMsg: "tra 41 e 71"},
		{name: "Day40", in: "CCCFBA85D40L219P", wantMsg: "tra 01 e 31"},
		{name: "Day72", in: "CCCFBA85D72L219P", wantMsg: "tra 01 e 31"},
		{name: "Day99", in: "CCCFBA85D99L219P", wantMsg: "tra 01 e 31"},
		{name: "OmocodeDay00", in: "CCCFBA85DLLL219P", wantMsg: "tra 01 e 31"},
		{name: "BirthplaceLetterN", in: "CCCFBA85D03N219P", wantMsg: "luogo di nascita"},
		{name: "LetterXInBirthplace", in: "CCCFBA85D03L2X9P", wantMsg: "luogo di nascita"},
		{name: "CheckCharDigit", in: "CCCFBA85D03L2190", wantMsg: "carattere di controllo"},
		{name: "WrongCheckChar", in: "CCCFBA85D03L219B", wantMsg: "Il carattere di controllo del codice fiscale non è corretto."},
		{name: "OmocodeWithOriginalCheckChar", in: "CCCFBA85D03L21VP", wantMsg: "carattere di controllo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateFiscalCode(tt.in)
			if tt.wantMsg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ValidateFiscalCode(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID {
				t.Fatalf("ValidateFiscalCode(%q) = %q, %v; want an *Error with code EINVALID", tt.in, got, err)
			}
			if got != "" {
				t.Errorf("ValidateFiscalCode(%q) returned %q with an error, want \"\"", tt.in, got)
			}
			if !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("ValidateFiscalCode(%q) message %q, want it to contain %q", tt.in, e.Message, tt.wantMsg)
			}
		})
	}
}

func TestFiscalCodeCheckChar(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		in      string
		want    byte
		wantErr bool
	}{
		{name: "ReadmeExample", in: "CCCFBA85D03L219", want: 'P'},
		{name: "FirstOmocode", in: "CCCFBA85D03L21V", want: 'E'},
		{name: "FullOmocode", in: "CCCFBAURDLPLNMV", want: 'U'},
		{name: "Rome", in: "RSSMRA68A01H501", want: 'Y'},
		{name: "TooShort", in: "CCCFBA85D03L21", wantErr: true},
		{name: "TooLong", in: "CCCFBA85D03L219P", wantErr: true},
		{name: "LowerCase", in: "cccfba85d03l219", wantErr: true},
		{name: "Symbol", in: "CCCFBA85D03L21-", wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FiscalCodeCheckChar(tt.in)
			if tt.wantErr {
				if ErrorCode(err) != EINVALID {
					t.Fatalf("FiscalCodeCheckChar(%q) = %q, %v; want EINVALID", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FiscalCodeCheckChar(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestValidateFiscalCode_Vectors checks every vector of the shared test suite
// (extracted from python-codicefiscale) against ValidateFiscalCode, and for the
// valid ones the fields decoded from the code (gender, month, day, birthplace
// with omocodia undone).
func TestValidateFiscalCode_Vectors(t *testing.T) {
	t.Parallel()
	rows := readCSV(t, standardsFile(t, "codice-fiscale/samples/codice_fiscale_vectors.csv"))

	// Where procedo deliberately differs from the source library's expectation.
	differs := map[string]string{
		// Product decision: NormalizeFiscalCode removes white space only. A code
		// typed with dashes is rejected, so what the citizen sees is what we store.
		"CCC-FBA-85-D03-L219-P": "dashes are not removed by NormalizeFiscalCode",
		// The check character is right and the structure is valid; only the
		// birthplace D354 does not exist. Existence of birthplaces needs the ANPR
		// archive (reference data), which the root package does not hold.
		"FRTMXM74L15D354A": "birthplace existence is not checked",
	}
	// The other vectors about birthplaces (historic codes A089/Z105/Z118/…,
	// municipalities ceased or created around the birth date, gaps in the archive)
	// are expected valid and are valid here for the same reason: the birthplace
	// is checked only for its shape.

	for _, row := range rows {
		code := row["code"]
		t.Run(code, func(t *testing.T) {
			wantValid := row["expected_valid"] == "true"
			if why, ok := differs[code]; ok {
				wantValid = !wantValid
				t.Logf("expectation inverted: %s", why)
			}
			got, err := ValidateFiscalCode(code)
			if (err == nil) != wantValid {
				t.Fatalf("ValidateFiscalCode(%q) = %q, %v; want valid=%v (%s)", code, got, err, wantValid, row["note"])
			}
			if ck := row["check_char_ok"]; ck != "n/a" && len(code) == 16 {
				c, err := FiscalCodeCheckChar(code[:15])
				if err != nil {
					t.Fatalf("FiscalCodeCheckChar(%q): %v", code[:15], err)
				}
				if (c == code[15]) != (ck == "true") {
					t.Errorf("FiscalCodeCheckChar(%q) = %q, check_char_ok=%s", code[:15], c, ck)
				}
			}
			if err != nil || row["birthdate"] == "" {
				return
			}
			isOmocode := decodeOmocodia(got) != got
			if want := row["expected_omocode"] == "true"; isOmocode != want {
				t.Errorf("omocode = %v, want %v", isOmocode, want)
			}
			dec := decodeOmocodia(got)
			if place := dec[11:15]; place != row["birthplace_code"] {
				t.Errorf("birthplace %s, want %s", place, row["birthplace_code"])
			}
			birth, err := time.Parse("2006-01-02", row["birthdate"])
			if err != nil {
				t.Fatal(err)
			}
			if m := strings.IndexByte(fiscalCodeMonths, dec[8]) + 1; time.Month(m) != birth.Month() {
				t.Errorf("month %d, want %v", m, birth.Month())
			}
			day := int(dec[9]-'0')*10 + int(dec[10]-'0')
			gender := "M"
			if day > 40 {
				day, gender = day-40, "F"
			}
			if day != birth.Day() || gender != row["gender"] {
				t.Errorf("day %d gender %s, want %d %s", day, gender, birth.Day(), row["gender"])
			}
			if yy := dec[6:8]; yy != row["birthdate"][2:4] {
				t.Errorf("year %s, want %s", yy, row["birthdate"][2:4])
			}
		})
	}
}

// TestValidateFiscalCode_AllOmocodes checks that all 128 omocodia variants of a
// code are valid once their check character is recomputed, and decode back.
func TestValidateFiscalCode_AllOmocodes(t *testing.T) {
	t.Parallel()
	const base = "CCCFBA85D03L219P"
	for mask := 0; mask < 1<<len(omocodiaPositions); mask++ {
		b := []byte(base[:15])
		for bit, pos := range omocodiaPositions {
			if mask&(1<<bit) != 0 {
				b[pos] = omocodiaLetters[b[pos]-'0']
			}
		}
		c, err := FiscalCodeCheckChar(string(b))
		if err != nil {
			t.Fatal(err)
		}
		code := string(b) + string(c)
		if _, err := ValidateFiscalCode(code); err != nil {
			t.Errorf("ValidateFiscalCode(%q): %v", code, err)
		}
		if dec := decodeOmocodia(code); dec[:15] != base[:15] {
			t.Errorf("decodeOmocodia(%q) = %q, want prefix %q", code, dec, base[:15])
		}
	}
}

func FuzzValidateFiscalCode(f *testing.F) {
	for _, s := range []string{
		"CCCFBA85D03L219P", "CCCFBAURDLPLNMVU", "ccc fba 85 d03 l219 p", "CCCFBA85D03L219",
		"CCC-FBA-85-D03-L219-P", "TKKYKU87B68L219F", "", "ÀÀÀÀÀÀÀÀÀÀÀÀÀÀÀÀ", "\u00a0", "ß",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidateFiscalCode(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Message == "" {
				t.Fatalf("ValidateFiscalCode(%q) error %v is not an EINVALID *Error with a message", s, err)
			}
			if got != "" {
				t.Fatalf("ValidateFiscalCode(%q) = %q with an error", s, got)
			}
			return
		}
		if len(got) != 16 {
			t.Fatalf("ValidateFiscalCode(%q) = %q: %d bytes, want 16", s, got, len(got))
		}
		again, err := ValidateFiscalCode(got)
		if err != nil || again != got {
			t.Fatalf("re-validating %q = %q, %v", got, again, err)
		}
		if NormalizeFiscalCode(s) != got {
			t.Fatalf("ValidateFiscalCode(%q) = %q, not the normalised input", s, got)
		}
	})
}
