// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
)

// A small reader of PDF objects (ISO 32000-1 §7.2-7.3), enough to read a
// signature dictionary in place. It never follows references and bounds
// nesting and the number of tokens, so a hostile file costs linear time.

const (
	maxPDFDepth  = 16
	maxPDFTokens = 4096
	// maxPDFString bounds one string, in bytes as written: /Contents is
	// tens of kilobytes, a few hundred with revocation data embedded.
	maxPDFString = 4 << 20
)

var errPDF = errors.New("malformed PDF object")

type pdfKind int

const (
	pdfNull pdfKind = iota
	pdfBool
	pdfNumber
	pdfName
	pdfString // literal or hex; Off is where it starts, End where it ends
	pdfArray
	pdfDict
	pdfRef
	pdfKeyword
)

type pdfValue struct {
	Kind     pdfKind
	Num      float64
	Int      bool // Num is an integer as written
	Str      []byte
	Arr      []pdfValue
	Dict     map[string]pdfValue
	Off, End int // byte offsets in the file
}

type pdfLexer struct {
	b      []byte
	pos    int
	tokens int
}

func isPDFSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isPDFDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *pdfLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// value reads one object.
func (l *pdfLexer) value(depth int) (pdfValue, error) {
	if depth > maxPDFDepth {
		return pdfValue{}, errPDF
	}
	if l.tokens++; l.tokens > maxPDFTokens {
		return pdfValue{}, errPDF
	}
	l.skipSpace()
	if l.pos >= len(l.b) {
		return pdfValue{}, errPDF
	}
	start := l.pos
	c := l.b[l.pos]
	switch {
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		d := map[string]pdfValue{}
		for {
			l.skipSpace()
			if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
				l.pos += 2
				return pdfValue{Kind: pdfDict, Dict: d, Off: start, End: l.pos}, nil
			}
			k, err := l.value(depth + 1)
			if err != nil || k.Kind != pdfName {
				return pdfValue{}, errPDF
			}
			v, err := l.value(depth + 1)
			if err != nil {
				return pdfValue{}, err
			}
			if _, dup := d[string(k.Str)]; !dup { // the first of duplicate keys wins, as in most readers
				d[string(k.Str)] = v
			}
		}
	case c == '<':
		end := bytes.IndexByte(l.b[l.pos:min(len(l.b), l.pos+maxPDFString)], '>')
		if end < 0 {
			return pdfValue{}, errPDF
		}
		raw := l.b[l.pos+1 : l.pos+end]
		l.pos += end + 1
		// A broken hex string stays a (empty) string, so that a signature
		// whose /Contents is damaged is reported as such, not skipped.
		s, _ := decodeHex(raw)
		return pdfValue{Kind: pdfString, Str: s, Off: start, End: l.pos}, nil
	case c == '(':
		s, err := l.literal()
		if err != nil {
			return pdfValue{}, err
		}
		return pdfValue{Kind: pdfString, Str: s, Off: start, End: l.pos}, nil
	case c == '[':
		l.pos++
		var arr []pdfValue
		for {
			l.skipSpace()
			if l.pos < len(l.b) && l.b[l.pos] == ']' {
				l.pos++
				return pdfValue{Kind: pdfArray, Arr: arr, Off: start, End: l.pos}, nil
			}
			v, err := l.value(depth + 1)
			if err != nil {
				return pdfValue{}, err
			}
			arr = append(arr, v)
		}
	case c == '/':
		l.pos++
		var name []byte
		for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
			ch := l.b[l.pos]
			if ch == '#' && l.pos+2 < len(l.b) {
				if v, err := strconv.ParseUint(string(l.b[l.pos+1:l.pos+3]), 16, 8); err == nil {
					name = append(name, byte(v))
					l.pos += 3
					continue
				}
			}
			name = append(name, ch)
			l.pos++
		}
		return pdfValue{Kind: pdfName, Str: name, Off: start, End: l.pos}, nil
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
		v, err := l.number()
		if err != nil {
			return pdfValue{}, err
		}
		// "12 0 R" is a reference.
		if v.Int && v.Num >= 0 {
			save := l.pos
			l.skipSpace()
			if g, err := l.number(); err == nil && g.Int {
				l.skipSpace()
				if l.pos < len(l.b) && l.b[l.pos] == 'R' && (l.pos+1 == len(l.b) || isPDFSpace(l.b[l.pos+1]) || isPDFDelim(l.b[l.pos+1])) {
					l.pos++
					return pdfValue{Kind: pdfRef, Num: v.Num, Off: start, End: l.pos}, nil
				}
			}
			l.pos = save
		}
		return v, nil
	}
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		l.pos++
	}
	word := string(l.b[start:l.pos])
	switch word {
	case "":
		return pdfValue{}, errPDF
	case "true", "false":
		return pdfValue{Kind: pdfBool, Int: word == "true", Off: start, End: l.pos}, nil
	case "null":
		return pdfValue{Kind: pdfNull, Off: start, End: l.pos}, nil
	}
	return pdfValue{Kind: pdfKeyword, Str: []byte(word), Off: start, End: l.pos}, nil
}

func (l *pdfLexer) number() (pdfValue, error) {
	start := l.pos
	if l.pos < len(l.b) && (l.b[l.pos] == '+' || l.b[l.pos] == '-') {
		l.pos++
	}
	dot := false
	for l.pos < len(l.b) && (l.b[l.pos] >= '0' && l.b[l.pos] <= '9' || l.b[l.pos] == '.' && !dot) {
		dot = dot || l.b[l.pos] == '.'
		l.pos++
	}
	if l.pos-start > 32 {
		return pdfValue{}, errPDF
	}
	s := string(l.b[start:l.pos])
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		l.pos = start
		return pdfValue{}, errPDF
	}
	return pdfValue{Kind: pdfNumber, Num: f, Int: !dot, Off: start, End: l.pos}, nil
}

// literal reads a (string) with balanced parentheses and escapes.
func (l *pdfLexer) literal() ([]byte, error) {
	l.pos++ // (
	var out []byte
	depth := 1
	limit := min(len(l.b), l.pos+maxPDFString)
	for l.pos < limit {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return out, nil
			}
		case '\\':
			if l.pos >= len(l.b) {
				return nil, errPDF
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; i++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, errPDF
}

// decodeHex decodes a PDF hex string body: white space is ignored and an odd
// final digit counts as followed by 0.
func decodeHex(raw []byte) ([]byte, error) {
	out := make([]byte, 0, len(raw)/2+1)
	var hi byte
	half := false
	for _, c := range raw {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case isPDFSpace(c):
			continue
		default:
			return nil, errPDF
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out, nil
}

// pdfText decodes a PDF text string: UTF-16BE with a byte order mark, UTF-8
// with one (PDF 2.0), else PDFDocEncoding, read as Latin-1.
func pdfText(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff:
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return string(bytes.ToValidUTF8(b[3:], []byte("\uFFFD")))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// pdfDate parses a PDF date, D:YYYYMMDDHHmmSSOHH'mm' with every part after
// the year optional (ISO 32000-1 §7.9.4).
func pdfDate(s string) (time.Time, bool) {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	num := func(i, n, def int) (int, bool) {
		if len(s) < i+n {
			return def, len(s) <= i
		}
		v, err := strconv.Atoi(s[i : i+n])
		return v, err == nil
	}
	y, ok1 := num(0, 4, 0)
	if len(s) < 4 || !ok1 {
		return time.Time{}, false
	}
	mo, ok2 := num(4, 2, 1)
	d, ok3 := num(6, 2, 1)
	h, ok4 := num(8, 2, 0)
	mi, ok5 := num(10, 2, 0)
	se, ok6 := num(12, 2, 0)
	if !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return time.Time{}, false
	}
	loc := time.UTC
	if len(s) > 14 && (s[14] == '+' || s[14] == '-') {
		tz := s[15:]
		oh, err1 := strconv.Atoi(tz[:min(2, len(tz))])
		om := 0
		if rest := bytes.Trim([]byte(tz[min(2, len(tz)):]), "'"); len(rest) >= 2 {
			om, _ = strconv.Atoi(string(rest[:2]))
		}
		if err1 != nil || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		off := (oh*60 + om) * 60
		if s[14] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, loc), true
}
