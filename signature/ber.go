// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import "errors"

// encoding/asn1 reads DER only, but signing tools that stream (OpenSSL with
// -stream, several Italian signing applications) write BER: indefinite
// lengths and the content split into a constructed OCTET STRING. toDER
// rewrites one BER element into the definite, primitive-string form
// encoding/asn1 accepts; DER input comes out unchanged.

const maxBERDepth = 48

var errBER = errors.New("malformed BER")

// toDER returns the first element of b re-encoded with definite lengths and
// constructed OCTET STRINGs joined, and the bytes after it.
func toDER(b []byte) (der, rest []byte, err error) {
	out := make([]byte, 0, len(b)+16)
	out, n, err := appendDER(out, b, 0)
	if err != nil {
		return nil, nil, err
	}
	return out, b[n:], nil
}

// berHeader is a parsed identifier and length.
type berHeader struct {
	tag         []byte // identifier octets, as written
	constructed bool
	universal4  bool // universal OCTET STRING
	length      int  // -1 when indefinite
	size        int  // bytes of identifier and length
}

func readHeader(b []byte) (h berHeader, err error) {
	if len(b) < 2 {
		return h, errBER
	}
	i := 1
	if b[0]&0x1f == 0x1f { // high tag number: base-128 octets follow
		for {
			if i >= len(b) || i > 5 {
				return h, errBER
			}
			i++
			if b[i-1]&0x80 == 0 {
				break
			}
		}
	}
	h.tag = b[:i]
	h.constructed = b[0]&0x20 != 0
	h.universal4 = b[0]&0xdf == 0x04
	if i >= len(b) {
		return h, errBER
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, errBER
		}
		h.length = -1
	default:
		n := int(l & 0x7f)
		if n > 4 || i+n > len(b) {
			return h, errBER
		}
		v := 0
		for _, c := range b[i : i+n] {
			v = v<<8 | int(c)
		}
		i += n
		h.length = v
	}
	h.size = i
	if h.length > len(b)-i {
		return h, errBER
	}
	return h, nil
}

// appendLength appends a minimal DER length.
func appendLength(dst []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 1<<8:
		return append(dst, 0x81, byte(n))
	case n < 1<<16:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// appendDER appends the DER form of the element at the start of b to dst and
// returns how many bytes of b it used.
func appendDER(dst, b []byte, depth int) ([]byte, int, error) {
	if depth > maxBERDepth {
		return nil, 0, errBER
	}
	h, err := readHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if !h.constructed {
		end := h.size + h.length
		dst = append(dst, h.tag...)
		dst = appendLength(dst, h.length)
		return append(dst, b[h.size:end]...), end, nil
	}
	// Write the children after a placeholder header, then put the real
	// header in front of them.
	start := len(dst)
	tag := h.tag
	if h.universal4 {
		tag = []byte{0x04} // joined into one primitive OCTET STRING
	}
	const reserve = 5 + 6
	dst = append(dst, make([]byte, reserve)...)
	body := len(dst)
	pos := h.size
	for {
		if h.length >= 0 && pos >= h.size+h.length {
			break
		}
		if h.length < 0 {
			if pos+2 > len(b) {
				return nil, 0, errBER
			}
			if b[pos] == 0 && b[pos+1] == 0 {
				pos += 2
				break
			}
		}
		lim := len(b)
		if h.length >= 0 {
			lim = h.size + h.length
		}
		var n int
		if h.universal4 {
			dst, n, err = appendOctets(dst, b[pos:lim], depth+1)
		} else {
			dst, n, err = appendDER(dst, b[pos:lim], depth+1)
		}
		if err != nil {
			return nil, 0, err
		}
		pos += n
	}
	hdr := append([]byte(nil), tag...)
	hdr = appendLength(hdr, len(dst)-body)
	if len(hdr) > reserve {
		return nil, 0, errBER
	}
	shift := reserve - len(hdr)
	copy(dst[start+shift:], hdr)
	copy(dst[start:], dst[start+shift:])
	dst = dst[:len(dst)-shift]
	return dst, pos, nil
}

// appendOctets appends the content octets of one chunk of a constructed OCTET
// STRING (itself an OCTET STRING, primitive or constructed) to dst.
func appendOctets(dst, b []byte, depth int) ([]byte, int, error) {
	if depth > maxBERDepth {
		return nil, 0, errBER
	}
	h, err := readHeader(b)
	if err != nil || !h.universal4 {
		return nil, 0, errBER
	}
	if !h.constructed {
		end := h.size + h.length
		return append(dst, b[h.size:end]...), end, nil
	}
	pos := h.size
	for {
		if h.length >= 0 && pos >= h.size+h.length {
			return dst, pos, nil
		}
		if h.length < 0 {
			if pos+2 > len(b) {
				return nil, 0, errBER
			}
			if b[pos] == 0 && b[pos+1] == 0 {
				return dst, pos + 2, nil
			}
		}
		lim := len(b)
		if h.length >= 0 {
			lim = h.size + h.length
		}
		var n int
		dst, n, err = appendOctets(dst, b[pos:lim], depth+1)
		if err != nil {
			return nil, 0, err
		}
		pos += n
	}
}
