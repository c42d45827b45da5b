// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
)

// standardsDir returns ../shared/standards next to the module root, or
// $PROCEDO_STANDARDS; it skips the test when the folder is absent.
func standardsDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PROCEDO_STANDARDS"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			std := filepath.Join(dir, "..", "shared", "standards")
			if _, err := os.Stat(std); err != nil {
				t.Skipf("standards folder %s not found: set PROCEDO_STANDARDS to run this test", std)
			}
			return std
		}
		if filepath.Dir(dir) == dir {
			t.Skip("module root not found: set PROCEDO_STANDARDS to run this test")
		}
	}
}

type noticeVector struct {
	name       string
	number     string
	valid      bool
	aux        int
	appCode    string
	segCode    string
	iuv        string
	check      string
	note       string
	wantDigits string // for invalid numbers, the check digits the note says are right
}

// noticeVectors reads samples/notice_number_vectors.csv of the pagoPA standard.
func noticeVectors(t *testing.T) []noticeVector {
	t.Helper()
	path := filepath.Join(standardsDir(t), "pagopa", "samples", "notice_number_vectors.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("pagoPA vectors not found (%v): set PROCEDO_STANDARDS", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"notice_number", "expected_valid", "aux_digit", "application_code", "segregation_code", "iuv", "check_digits", "note"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("%s: no column %q", path, h)
		}
	}
	wantRE := regexp.MustCompile(`(?:should be|correct:) (\d\d)`)
	var out []noticeVector
	for _, r := range rows[1:] {
		v := noticeVector{
			name: r[col["notice_number"]] + " " + r[col["note"]], number: r[col["notice_number"]],
			valid: r[col["expected_valid"]] == "true", appCode: r[col["application_code"]], segCode: r[col["segregation_code"]],
			iuv: r[col["iuv"]], check: r[col["check_digits"]], note: r[col["note"]], aux: -1,
		}
		if a := r[col["aux_digit"]]; a != "" {
			if v.aux, err = strconv.Atoi(a); err != nil {
				t.Fatalf("bad aux digit %q", a)
			}
		}
		if m := wantRE.FindStringSubmatch(v.note); m != nil {
			v.wantDigits = m[1]
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		t.Fatal("no vectors")
	}
	return out
}

func TestParseNoticeNumber_StandardVectors(t *testing.T) {
	for _, v := range noticeVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			n, err := procedo.ParseNoticeNumber(v.number)
			if !v.valid {
				if err == nil {
					t.Fatalf("ParseNoticeNumber(%q) = %v, want an error", v.number, n)
				}
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("code %q, want %q", procedo.ErrorCode(err), procedo.EINVALID)
				}
				if v.wantDigits != "" {
					// The note says which check digits would be right: rebuild the
					// number from its first 16 digits and compare.
					got := rebuild(t, v.number[:16])
					if got.CheckDigits() != v.wantDigits {
						t.Errorf("check digits of %s… = %s, the vector's note says %s", v.number[:16], got.CheckDigits(), v.wantDigits)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseNoticeNumber(%q): %v", v.number, err)
			}
			if n.String() != v.number || n.AuxDigit() != v.aux || n.ApplicationCode() != v.appCode ||
				n.SegregationCode() != v.segCode || n.IUV() != v.iuv || n.CheckDigits() != v.check {
				t.Fatalf("got aux %d app %q seg %q iuv %q check %q; want aux %d app %q seg %q iuv %q check %q",
					n.AuxDigit(), n.ApplicationCode(), n.SegregationCode(), n.IUV(), n.CheckDigits(),
					v.aux, v.appCode, v.segCode, v.iuv, v.check)
			}
			// Generation from the parts gives the same number.
			code := v.appCode + v.segCode
			if again, err := procedo.NewNoticeNumber(v.aux, code, n.IUVBase()); err != nil || again != n {
				t.Fatalf("NewNoticeNumber(%d, %q, %q) = %v, %v; want %v", v.aux, code, n.IUVBase(), again, err, n)
			}
		})
	}
}

// rebuild makes a notice number from its first 16 digits (aux 0, 2 or 3).
func rebuild(t *testing.T, first16 string) procedo.NoticeNumber {
	t.Helper()
	aux := int(first16[0] - '0')
	var n procedo.NoticeNumber
	var err error
	switch aux {
	case 0, 3:
		n, err = procedo.NewNoticeNumber(aux, first16[1:3], first16[3:])
	case 2:
		n, err = procedo.NewNoticeNumber(aux, "", first16[1:])
	default:
		t.Fatalf("no check digits for aux digit %d", aux)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewNoticeNumber(t *testing.T) {
	tests := []struct {
		name      string
		aux       int
		code      string
		base      string
		want      string // 18 digits; "" when an error is expected
		wantIUV   string
		wantGroup string
	}{
		// SACI worked example (public test code): 0013400000139008 mod 93 = 8.
		{name: "Aux0Example", aux: 0, code: "01", base: "3400000139008", want: "001340000013900808", wantIUV: "340000013900808", wantGroup: "0013 4000 0013 9008 08"},
		{name: "Aux1NoCheckDigits", aux: 1, base: "23456789012345678", want: "123456789012345678", wantIUV: "23456789012345678", wantGroup: "1234 5678 9012 3456 78"},
		{name: "Aux2", aux: 2, base: "123456789012345", want: "212345678901234544", wantIUV: "12345678901234544"},
		{name: "Aux3Segregation01", aux: 3, code: "01", base: "0000000000001", want: "301000000000000144", wantIUV: "01000000000000144", wantGroup: "3010 0000 0000 0001 44"},
		{name: "Aux3CIE", aux: 3, code: "99", base: "0000000000100", want: "399000000000010064", wantIUV: "99000000000010064"},
		{name: "CheckZeroPadded", aux: 3, code: "02", base: "0000000000010", want: "302000000000001000", wantIUV: "02000000000001000"},
		{name: "CheckLargest92", aux: 3, code: "05", base: "0000000000075", want: "305000000000007592", wantIUV: "05000000000007592"},
		{name: "LargestBase", aux: 3, code: "49", base: "9999999999999", want: "349999999999999949", wantIUV: "49999999999999949"},
		{name: "ErrAux4", aux: 4, code: "01", base: "0000000000001"},
		{name: "ErrAuxNegative", aux: -1, base: "0000000000001"},
		{name: "ErrAux3NoSegregation", aux: 3, base: "0000000000001"},
		{name: "ErrAux3LetterInCode", aux: 3, code: "0A", base: "0000000000001"},
		{name: "ErrAux0ShortBase", aux: 0, code: "01", base: "000000000001"},
		{name: "ErrAux2WithCode", aux: 2, code: "01", base: "123456789012345"},
		{name: "ErrAux1ShortBase", aux: 1, base: "1234567890123456"},
		{name: "ErrNonDigitBase", aux: 3, code: "01", base: "000000000000x"},
		{name: "ErrUnicodeDigit", aux: 3, code: "01", base: "000000000000١"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := procedo.NewNoticeNumber(tt.aux, tt.code, tt.base)
			if tt.want == "" {
				if err == nil || procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %v, %v; want EINVALID", n, err)
				}
				if !n.IsZero() {
					t.Fatalf("got %v with an error", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.String() != tt.want || n.IUV() != tt.wantIUV || n.IUVBase() != tt.base || n.AuxDigit() != tt.aux {
				t.Fatalf("got %s (IUV %s, base %s, aux %d), want %s (IUV %s)", n, n.IUV(), n.IUVBase(), n.AuxDigit(), tt.want, tt.wantIUV)
			}
			if tt.wantGroup != "" && n.Grouped() != tt.wantGroup {
				t.Errorf("Grouped() = %q, want %q", n.Grouped(), tt.wantGroup)
			}
			if len(n.Grouped()) != 22 {
				t.Errorf("Grouped() has %d characters, want 22", len(n.Grouped()))
			}
			// Every number we make parses back to itself, grouped or not.
			for _, s := range []string{n.String(), n.Grouped()} {
				if p, err := procedo.ParseNoticeNumber(s); err != nil || p != n {
					t.Errorf("ParseNoticeNumber(%q) = %v, %v", s, p, err)
				}
			}
		})
	}
}

func TestParseNoticeNumber(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // "" for an error
		wantMsg string // part of the error message
	}{
		{name: "Grouped", in: "3010 0000 0000 0001 44", want: "301000000000000144"},
		{name: "Aux1AnyDigits", in: "100000000000000000", want: "100000000000000000"},
		{name: "ErrEmpty", in: "", wantMsg: "obbligatorio"},
		{name: "ErrSpaces", in: "   ", wantMsg: "obbligatorio"},
		{name: "ErrShort", in: "30100000000000014", wantMsg: "18 cifre"},
		{name: "ErrLong", in: "3010000000000001440", wantMsg: "18 cifre"},
		{name: "ErrLetter", in: "30100A000000000144", wantMsg: "solo cifre"},
		{name: "ErrTab", in: "3010\t00000000000144", wantMsg: "solo cifre"},
		{name: "ErrDash", in: "3010-0000-0000-0001-44", wantMsg: "solo cifre"},
		{name: "ErrAux9", in: "901000000000000144", wantMsg: "prima cifra"},
		{name: "ErrAux4", in: "401000000000000144", wantMsg: "prima cifra"},
		{name: "ErrCheck", in: "301000000000000145", wantMsg: "controlla le cifre"},
		{name: "ErrCheckAbove92", in: "301000000000000193", wantMsg: "controlla le cifre"},
		{name: "ErrAux0Check", in: "001340000013900809", wantMsg: "controlla le cifre"},
		{name: "ErrAux2Check", in: "212345678901234543", wantMsg: "controlla le cifre"},
		{name: "ErrFullWidthDigits", in: "３01000000000000144", wantMsg: "solo cifre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := procedo.ParseNoticeNumber(tt.in)
			if tt.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID || !strings.Contains(procedo.ErrorMessage(err), tt.wantMsg) {
					t.Fatalf("got %v, %v; want EINVALID with %q", n, err, tt.wantMsg)
				}
				return
			}
			if err != nil || n.String() != tt.want {
				t.Fatalf("got %v, %v; want %s", n, err, tt.want)
			}
		})
	}
}

func TestNoticeNumber_Zero(t *testing.T) {
	var n procedo.NoticeNumber
	if !n.IsZero() || n.String() != "" || n.AuxDigit() != -1 || n.IUV() != "" || n.IUVBase() != "" ||
		n.CheckDigits() != "" || n.Grouped() != "" || n.ApplicationCode() != "" || n.SegregationCode() != "" {
		t.Fatalf("zero NoticeNumber is not empty: %+v", n)
	}
}

func TestNoticeNumber_JSON(t *testing.T) {
	n, err := procedo.NewNoticeNumber(3, "01", "0000000000001")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct{ N procedo.NoticeNumber }{n})
	if err != nil || string(b) != `{"N":"301000000000000144"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back struct{ N procedo.NoticeNumber }
	if err := json.Unmarshal(b, &back); err != nil || back.N != n {
		t.Fatalf("Unmarshal = %v, %v", back.N, err)
	}
	if err := json.Unmarshal([]byte(`{"N":"301000000000000145"}`), &back); procedo.ErrorCode(err) != procedo.EINVALID {
		t.Fatalf("Unmarshal of a bad number: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"N":""}`), &back); err != nil || !back.N.IsZero() {
		t.Fatalf("Unmarshal of \"\" = %v, %v", back.N, err)
	}
}

func TestCreditorReference(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		want string // "" for an error
	}{
		{name: "SpecExample", ref: "w9", want: "RF45w9"}, // SACI Appendice 1
		{name: "UpperCaseSameCheck", ref: "W9", want: "RF45W9"},
		{name: "ISOExample", ref: "539007547034", want: "RF18539007547034"},
		{name: "CheckBelow10", ref: "2348231", want: "RF712348231"},
		{name: "MaxLength21", ref: "567483937849450550875", want: "RF78567483937849450550875"},
		{name: "IUV17Digits", ref: "01000000000000144", want: "RF" + mustRFCheck(t, "01000000000000144") + "01000000000000144"},
		{name: "ErrEmpty", ref: ""},
		{name: "ErrTooLong", ref: "5674839378494505508751"},
		{name: "ErrSpace", ref: "w 9"},
		{name: "ErrDash", ref: "w-9"},
		{name: "ErrAccent", ref: "è9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procedo.CreditorReference(tt.ref)
			if tt.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %q, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CreditorReference(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
			}
			if v, err := procedo.ValidateCreditorReference(got); err != nil || v != got {
				t.Fatalf("ValidateCreditorReference(%q) = %q, %v", got, v, err)
			}
		})
	}
}

// mustRFCheck computes ISO 11649 check digits independently of the code under
// test: big-number arithmetic on the converted string, 98 − (n mod 97).
func mustRFCheck(t *testing.T, ref string) string {
	t.Helper()
	var digits strings.Builder
	for _, c := range strings.ToUpper(ref) + "RF00" {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			digits.WriteRune(c)
		}
	}
	r := 0
	for _, c := range digits.String() {
		r = (r*10 + int(c-'0')) % 97
	}
	return strconv.Itoa(100 + 98 - r)[1:]
}

func TestValidateCreditorReference(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" for an error
	}{
		{name: "SpecExample", in: "RF45w9", want: "RF45w9"},
		{name: "Grouped", in: "RF18 5390 0754 7034", want: "RF18539007547034"},
		{name: "MaxLength25", in: "RF78 5674 8393 7849 4505 5087 5", want: "RF78567483937849450550875"},
		// The example in SACI §3.2 ("/RFS/RF23 5674 8393 7849 4505 5087 5/45.56")
		// carries wrong check digits: the ISO 7064 check of this reference gives 78.
		{name: "ErrSpecSection3Example", in: "RF23 5674 8393 7849 4505 5087 5"},
		{name: "ErrWrongCheck", in: "RF46w9"},
		{name: "ErrLowerCaseRF", in: "rf45w9"},
		{name: "ErrNoReference", in: "RF45"},
		{name: "ErrTooLong", in: "RF7856748393784945055087512"},
		{name: "ErrLetterInCheck", in: "RF4Aw9"},
		{name: "ErrDash", in: "RF45-w9"},
		// Check digits 00, 01 and 99 never come out of the algorithm, although
		// they satisfy the modulo (00 ≡ 97, 01 ≡ 98, 99 ≡ 02).
		{name: "ErrCheck99", in: "RF99" + refWithCheck(t, "02")},
		{name: "ErrCheck00", in: "RF00" + refWithCheck(t, "97")},
		{name: "ErrCheck01", in: "RF01" + refWithCheck(t, "98")},
		{name: "CheckOf99Ref", in: "RF02" + refWithCheck(t, "02"), want: "RF02" + refWithCheck(t, "02")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procedo.ValidateCreditorReference(tt.in)
			if tt.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %q, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if got := procedo.FormatCreditorReference("RF18539007547034"); got != "RF18 5390 0754 7034" {
		t.Errorf("FormatCreditorReference = %q", got)
	}
}

// refWithCheck returns the first numeric reference whose check digits are check.
func refWithCheck(t *testing.T, check string) string {
	t.Helper()
	for i := 1; i < 100000; i++ {
		ref := strconv.Itoa(i)
		if mustRFCheck(t, ref) == check {
			return ref
		}
	}
	t.Fatalf("no reference with check %s", check)
	return ""
}

func TestPaymentQRCode(t *testing.T) {
	n, err := procedo.ParseNoticeNumber("301000000000000144")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		n     procedo.NoticeNumber
		cf    string
		cents int64
		want  string // "" for an error
	}{
		{name: "OK", n: n, cf: "01199250158", cents: 1600, want: "PAGOPA|002|301000000000000144|01199250158|1600"},
		{name: "OneCent", n: n, cf: "02438750586", cents: 1, want: "PAGOPA|002|301000000000000144|02438750586|1"},
		{name: "Max", n: n, cf: "02438750586", cents: procedo.MaxPaymentAmount, want: "PAGOPA|002|301000000000000144|02438750586|99999999999"},
		{name: "ErrZeroNumber", cf: "01199250158", cents: 1600},
		{name: "ErrCFCheckDigit", n: n, cf: "01199250159", cents: 1600},
		{name: "ErrCFPerson", n: n, cf: "RSSMRA80A01H501U", cents: 1600},
		{name: "ErrZeroAmount", n: n, cf: "01199250158", cents: 0},
		{name: "ErrNegativeAmount", n: n, cf: "01199250158", cents: -5},
		{name: "ErrTooMuch", n: n, cf: "01199250158", cents: procedo.MaxPaymentAmount + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procedo.PaymentQRCode(tt.n, tt.cf, tt.cents)
			if tt.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %q, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestFormatCents(t *testing.T) {
	tests := []struct {
		name  string
		cents int64
		want  string
	}{
		{"Zero", 0, "€ 0,00"},
		{"OneCent", 1, "€ 0,01"},
		{"TenCents", 10, "€ 0,10"},
		{"Bollo", 1600, "€ 16,00"},
		{"Thousands", 123456, "€ 1.234,56"},
		{"Exact1000", 100000, "€ 1.000,00"},
		{"Millions", 123456789, "€ 1.234.567,89"},
		{"Max", procedo.MaxPaymentAmount, "€ 999.999.999,99"},
		{"Negative", -250, "€ -2,50"},
		{"MinInt64", math.MinInt64, "€ -92.233.720.368.547.758,08"},
		{"MaxInt64", math.MaxInt64, "€ 92.233.720.368.547.758,07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := procedo.FormatCents(tt.cents); got != tt.want {
				t.Fatalf("FormatCents(%d) = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}

func TestEuroToCents(t *testing.T) {
	tests := []struct {
		name    string
		euro    float64
		want    int64
		wantErr bool
	}{
		{name: "Bollo", euro: 16, want: 1600},
		{name: "BinaryFraction", euro: 0.29, want: 29}, // 0.29*100 = 28.999999999999996
		{name: "Fraction", euro: 1234.56, want: 123456},
		{name: "Zero", euro: 0, want: 0},
		{name: "Max", euro: 999999999.99, want: procedo.MaxPaymentAmount},
		{name: "ErrNegative", euro: -1, wantErr: true},
		{name: "ErrNaN", euro: math.NaN(), wantErr: true},
		{name: "ErrInf", euro: math.Inf(1), wantErr: true},
		{name: "ErrTooMuch", euro: 1e10, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procedo.EuroToCents(tt.euro)
			if tt.wantErr {
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %d, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("EuroToCents(%v) = %d, %v; want %d", tt.euro, got, err, tt.want)
			}
		})
	}
}

func TestValidateCreditorFiscalCode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" for an error
	}{
		{"ComuneDiMilano", "01199250158", "01199250158"},
		{"ComuneDiRoma", "02438750586", "02438750586"},
		{"Spaces", " 0119 9250 158 ", "01199250158"},
		{"ErrCheckDigit", "01199250157", ""},
		{"ErrShort", "0119925015", ""},
		{"ErrPerson", "RSSMRA80A01H501U", ""},
		{"ErrLetters", "0119925015A", ""},
		{"ErrEmpty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := procedo.ValidateCreditorFiscalCode(tt.in)
			if tt.want == "" {
				if procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %q, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTenant_Validate_FiscalCode(t *testing.T) {
	tests := []struct {
		name    string
		cf      string
		wantErr bool
	}{
		{"Unset", "", false},
		{"OK", "01199250158", false},
		{"ErrCheckDigit", "01199250157", true},
		{"ErrSpaces", "0119 9250 158", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&procedo.Tenant{Slug: "comune-a", Name: "Comune di Alfa", FiscalCode: tt.cf}).Validate()
			fe := procedo.FieldErrorsOf(err)
			if (fe["fiscal_code"] != "") != tt.wantErr || (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func validNotice() *procedo.PaymentNotice {
	return &procedo.PaymentNotice{Amount: 1600, Causale: "Diritti di segreteria – accesso agli atti",
		PayerFiscalCode: "RSSMRA80A01H501U", PayerName: "Mario Rossi", DueDate: procedo.NewDate(2026, time.March, 31)}
}

func TestPaymentNotice_Validate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(n *procedo.PaymentNotice)
		wantField string // "" when valid
	}{
		{name: "OK", edit: func(n *procedo.PaymentNotice) {}},
		{name: "NoDueDate", edit: func(n *procedo.PaymentNotice) { n.DueDate = procedo.Date{} }},
		{name: "PayerCompany", edit: func(n *procedo.PaymentNotice) { n.PayerFiscalCode = "01199250158"; n.PayerName = "Alfa S.r.l." }},
		{name: "PayerUnknown", edit: func(n *procedo.PaymentNotice) { n.PayerFiscalCode = "" }},
		{name: "Causale140", edit: func(n *procedo.PaymentNotice) { n.Causale = strings.Repeat("è", 140) }},
		{name: "Name70", edit: func(n *procedo.PaymentNotice) { n.PayerName = strings.Repeat("à", 70) }},
		{name: "ErrAmountZero", edit: func(n *procedo.PaymentNotice) { n.Amount = 0 }, wantField: "amount"},
		{name: "ErrAmountNegative", edit: func(n *procedo.PaymentNotice) { n.Amount = -1 }, wantField: "amount"},
		{name: "ErrAmountTooMuch", edit: func(n *procedo.PaymentNotice) { n.Amount = procedo.MaxPaymentAmount + 1 }, wantField: "amount"},
		{name: "ErrCausaleEmpty", edit: func(n *procedo.PaymentNotice) { n.Causale = "  " }, wantField: "causale"},
		{name: "ErrCausale141", edit: func(n *procedo.PaymentNotice) { n.Causale = strings.Repeat("a", 141) }, wantField: "causale"},
		{name: "ErrCausaleNewline", edit: func(n *procedo.PaymentNotice) { n.Causale = "Diritti\nsegreteria" }, wantField: "causale"},
		{name: "ErrCausaleInvalidUTF8", edit: func(n *procedo.PaymentNotice) { n.Causale = "Diritti \xff" }, wantField: "causale"},
		{name: "ErrNameEmpty", edit: func(n *procedo.PaymentNotice) { n.PayerName = "" }, wantField: "payer_name"},
		{name: "ErrName71", edit: func(n *procedo.PaymentNotice) { n.PayerName = strings.Repeat("a", 71) }, wantField: "payer_name"},
		{name: "ErrPayerCF", edit: func(n *procedo.PaymentNotice) { n.PayerFiscalCode = "RSSMRA80A01H501X" }, wantField: "payer_fiscal_code"},
		{name: "ErrPayerCFLowerCase", edit: func(n *procedo.PaymentNotice) { n.PayerFiscalCode = "rssmra80a01h501u" }, wantField: "payer_fiscal_code"},
		{name: "ErrPayerVAT", edit: func(n *procedo.PaymentNotice) { n.PayerFiscalCode = "01199250157" }, wantField: "payer_fiscal_code"},
		{name: "ErrCreditorCF", edit: func(n *procedo.PaymentNotice) { n.CreditorFiscalCode = "01199250157" }, wantField: "creditor_fiscal_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validNotice()
			tt.edit(n)
			err := n.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if fe := procedo.FieldErrorsOf(err); fe[tt.wantField] == "" {
				t.Fatalf("Validate() = %v, want an error on %s", err, tt.wantField)
			}
		})
	}
}

func TestPaymentNotice_PrintDocument(t *testing.T) {
	n := validNotice()
	var err error
	if n.NoticeNumber, err = procedo.NewNoticeNumber(3, "01", "0000000000001"); err != nil {
		t.Fatal(err)
	}
	n.IUV, n.CreditorFiscalCode = n.NoticeNumber.IUV(), "01199250158"
	tenant := &procedo.Tenant{Name: "Comune di Alfa", FiscalCode: "01199250158"}
	d := n.PrintDocument(tenant, "https://alfa.example/pagamenti/301000000000000144")
	text := printText(d)
	for _, want := range []string{
		"Avviso di pagamento pagoPA", "Comune di Alfa", "Diritti di segreteria – accesso agli atti",
		"€ 16,00", "Entro il 31/03/2026", "3010 0000 0000 0001 44", "01000000000000144", "01199250158",
		"PAGOPA|002|301000000000000144|01199250158|1600", "Mario Rossi (codice fiscale RSSMRA80A01H501U)",
		"Come pagare", "https://alfa.example/pagamenti/301000000000000144",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	if d.Demo || strings.Contains(text, "DEMO") {
		t.Error("a real tenant's notice is marked DEMO")
	}
	t.Run("Demo", func(t *testing.T) {
		tenant := &procedo.Tenant{Name: "Comune DEMO", Demo: true}
		n := *n
		n.DueDate, n.PayerFiscalCode = procedo.Date{}, ""
		d := n.PrintDocument(tenant, "")
		text := printText(d)
		if !d.Demo || !strings.Contains(text, "non è pagabile sul circuito pagoPA") {
			t.Error("a DEMO tenant's notice is not marked DEMO")
		}
		if !strings.Contains(text, "Nessuna scadenza") || strings.Contains(text, "Paga online") || strings.Contains(text, "codice fiscale RSS") {
			t.Errorf("unexpected content: %s", text)
		}
	})
}

// printText flattens a PrintDocument to text for assertions.
func printText(d *procedo.PrintDocument) string {
	parts := []string{d.Issuer, d.Title, d.Subtitle, d.Footer}
	parts = append(parts, d.IssuerLines...)
	for _, s := range d.Sections {
		parts = append(parts, s.Heading)
		for _, f := range s.Fields {
			parts = append(parts, f.Label+": "+f.Value)
		}
		parts = append(parts, s.Paragraphs...)
	}
	return strings.Join(parts, "\n")
}

func TestPaymentPermissions(t *testing.T) {
	n := validNotice()
	n.TenantID = 1
	mario := &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: &procedo.Citizen{FiscalCode: "RSSMRA80A01H501U"}}
	lucia := &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: &procedo.Citizen{FiscalCode: "VRDLCU85T45F205S"}}
	user := func(tenant int64, roles ...procedo.Role) *procedo.Actor {
		return &procedo.Actor{Kind: procedo.ActorUser, User: &procedo.User{TenantID: tenant, Roles: roles}}
	}
	tests := []struct {
		name                   string
		actor                  *procedo.Actor
		view                   bool
		createCode, recordCode string // "" for allowed
	}{
		{"System", procedo.SystemActor, true, "", ""},
		{"Payer", mario, true, "", procedo.EFORBIDDEN},
		{"OtherCitizen", lucia, false, procedo.EFORBIDDEN, procedo.EFORBIDDEN},
		{"Operator", user(1, procedo.RoleOperator), true, "", procedo.EFORBIDDEN},
		{"Manager", user(1, procedo.RoleManager), true, "", ""},
		{"Registry", user(1, procedo.RoleRegistry), true, procedo.EFORBIDDEN, procedo.EFORBIDDEN},
		{"OtherTenantUser", user(2, procedo.RoleAdmin), false, "", ""},
		{"Anonymous", nil, false, procedo.EUNAUTHORIZED, procedo.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := procedo.CanViewPaymentNotice(tt.actor, n); got != tt.view {
				t.Errorf("CanViewPaymentNotice = %v, want %v", got, tt.view)
			}
			if got := procedo.ErrorCode(procedo.CanCreatePaymentNotice(tt.actor, n)); got != tt.createCode {
				t.Errorf("CanCreatePaymentNotice = %q, want %q", got, tt.createCode)
			}
			if got := procedo.ErrorCode(procedo.CanRecordPayment(tt.actor)); got != tt.recordCode {
				t.Errorf("CanRecordPayment = %q, want %q", got, tt.recordCode)
			}
		})
	}
}

// FuzzParseNoticeNumber checks that any accepted input is 18 digits (spaces
// aside) with right check digits, that its parts rebuild it, and that anything
// else is EINVALID.
func FuzzParseNoticeNumber(f *testing.F) {
	for _, s := range []string{
		"001340000013900808", "344012345678901233", "301000000000000144", "399000000000010064", "212345678901234544",
		"302000000000001000", "305000000000007592", "301000000000000145", "3010000000000001440", "901000000000000144",
		"30100A000000000144", "3010 0000 0000 0001 44", "123456789012345678", "", " ", "３01000000000000144",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := procedo.ParseNoticeNumber(s)
		if err != nil {
			if procedo.ErrorCode(err) != procedo.EINVALID || !n.IsZero() {
				t.Fatalf("ParseNoticeNumber(%q) = %v, %v", s, n, err)
			}
			return
		}
		d := n.String()
		if d != strings.ReplaceAll(s, " ", "") || len(d) != 18 {
			t.Fatalf("ParseNoticeNumber(%q) = %q", s, d)
		}
		aux := n.AuxDigit()
		if aux < 0 || aux > 3 {
			t.Fatalf("aux digit %d", aux)
		}
		if aux != 1 {
			v, err := strconv.ParseUint(d[:16], 10, 64)
			if err != nil || strconv.FormatUint(100+v%93, 10)[1:] != n.CheckDigits() {
				t.Fatalf("%s: check digits %s, want %d mod 93", d, n.CheckDigits(), v)
			}
		}
		again, err := procedo.NewNoticeNumber(aux, n.ApplicationCode()+n.SegregationCode(), n.IUVBase())
		if err != nil || again != n {
			t.Fatalf("NewNoticeNumber from the parts of %s = %v, %v", d, again, err)
		}
		if p, err := procedo.ParseNoticeNumber(n.Grouped()); err != nil || p != n {
			t.Fatalf("grouped %q does not parse back: %v, %v", n.Grouped(), p, err)
		}
		if !strings.HasSuffix(d, n.IUV()) || (aux == 0) != (len(n.IUV()) == 15) {
			t.Fatalf("%s: IUV %s", d, n.IUV())
		}
	})
}

// FuzzCreditorReference checks that every reference CreditorReference makes is
// valid, and that validation accepts only what CreditorReference would make.
func FuzzCreditorReference(f *testing.F) {
	for _, s := range []string{"w9", "RF45w9", "RF18 5390 0754 7034", "539007547034", "RF23567483937849450550875", "", "RF", "RF99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rf, err := procedo.CreditorReference(s); err == nil {
			if v, err := procedo.ValidateCreditorReference(rf); err != nil || v != rf {
				t.Fatalf("CreditorReference(%q) = %q, which does not validate: %v", s, rf, err)
			}
		} else if procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("CreditorReference(%q): %v", s, err)
		}
		v, err := procedo.ValidateCreditorReference(s)
		if err != nil {
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("ValidateCreditorReference(%q): %v", s, err)
			}
			return
		}
		if rf, err := procedo.CreditorReference(v[4:]); err != nil || rf != v {
			t.Fatalf("ValidateCreditorReference(%q) accepted %q, but the reference gives %q, %v", s, v, rf, err)
		}
	})
}
