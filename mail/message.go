// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	"github.com/procedo/procedo"
)

// maxLine is the header line length RFC 5322 recommends; longer values are
// folded at spaces.
const maxLine = 78

// composed is a message ready for the SMTP envelope.
type composed struct {
	from string   // envelope sender, a bare address
	to   []string // envelope recipients, bare addresses
	raw  []byte   // RFC 5322 message with CRLF line ends, 7-bit clean
}

// compose builds the MIME message: a quoted-printable UTF-8 text part and, with
// atts, base64 attachments in multipart/mixed. Headers are encoded per RFC 2047
// (and filenames per RFC 2231), so the result is plain ASCII. A line break in
// from, To or Subject is an EINVALID error: it would let the value inject
// headers.
func compose(from string, msg *procedo.MailMessage, atts []procedo.MailAttachment, now time.Time) (*composed, error) {
	for _, h := range []struct{ name, value string }{{"From", from}, {"To", msg.To}, {"Subject", msg.Subject}} {
		if strings.ContainsAny(h.value, "\r\n") {
			return nil, procedo.Errorf(procedo.EINVALID, "Il campo %s contiene un ritorno a capo.", h.name)
		}
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, &procedo.Error{Code: procedo.EINVALID, Message: "Indirizzo del mittente non valido.", Err: err}
	}
	rcpts, err := mail.ParseAddressList(msg.To)
	if err != nil {
		return nil, &procedo.Error{Code: procedo.EINVALID, Message: "Indirizzo del destinatario non valido.", Err: err}
	}
	c := &composed{from: sender.Address}
	to := make([]string, len(rcpts))
	for i, a := range rcpts {
		c.to = append(c.to, a.Address)
		to[i] = a.String()
	}

	var b bytes.Buffer
	header := func(key, value string) {
		b.WriteString(key + ":" + fold(key, value) + "\r\n")
	}
	header("Date", now.Format(time.RFC1123Z))
	header("From", sender.String())
	header("To", strings.Join(to, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", strings.ToValidUTF8(msg.Subject, "\uFFFD")))
	header("Message-ID", messageID(sender.Address))
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no out-of-office replies
	textHeader := textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	}

	if len(atts) == 0 {
		for _, k := range []string{"Content-Type", "Content-Transfer-Encoding"} {
			header(k, textHeader.Get(k))
		}
		b.WriteString("\r\n")
		if err := writeQuotedPrintable(&b, msg.Body); err != nil {
			return nil, err
		}
		c.raw = b.Bytes()
		return c, nil
	}

	mw := multipart.NewWriter(&b)
	header("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	w, err := mw.CreatePart(textHeader)
	if err != nil {
		return nil, err
	}
	if err := writeQuotedPrintable(w, msg.Body); err != nil {
		return nil, err
	}
	for _, a := range atts {
		w, err := mw.CreatePart(attachmentHeader(a))
		if err != nil {
			return nil, err
		}
		if err := writeBase64(w, a.Content); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	c.raw = b.Bytes()
	return c, nil
}

// messageID returns a unique Message-ID on the domain of the sender address.
func messageID(sender string) string {
	domain := sender[strings.LastIndexByte(sender, '@')+1:]
	if domain == "" || strings.ContainsFunc(domain, func(r rune) bool {
		return r > unicode.MaxASCII || !(r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		domain = "localhost"
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

// attachmentHeader names the attachment twice: RFC 2231 in Content-Disposition,
// the standard, and RFC 2047 in the Content-Type name, which some mail clients
// still read instead.
func attachmentHeader(a procedo.MailAttachment) textproto.MIMEHeader {
	name := cleanFilename(a.Filename)
	mediaType, params, err := mime.ParseMediaType(a.MediaType)
	// multipart and message types may not be base64-encoded (RFC 2045).
	if err != nil || strings.HasPrefix(mediaType, "multipart/") || strings.HasPrefix(mediaType, "message/") {
		mediaType, params = "application/octet-stream", nil
	}
	if params == nil {
		params = make(map[string]string)
	}
	params["name"] = mime.QEncoding.Encode("utf-8", name)
	contentType := mime.FormatMediaType(mediaType, params)
	if contentType == "" {
		contentType = mime.FormatMediaType("application/octet-stream", map[string]string{"name": params["name"]})
	}
	return textproto.MIMEHeader{
		"Content-Type":              {foldValue("Content-Type", contentType)},
		"Content-Disposition":       {foldValue("Content-Disposition", disposition(name))},
		"Content-Transfer-Encoding": {"base64"},
	}
}

// cleanFilename returns name without control characters and with path
// separators replaced by '_' (a receipt may be called "Ricevuta 2026/0001234"),
// or "allegato" when nothing is left.
func cleanFilename(name string) string {
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return -1
		case r == '/' || r == '\\':
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD")))
	if name == "" || name == "." || name == ".." {
		return "allegato"
	}
	return name
}

// maxSegment is the longest RFC 2231 filename segment, so that each folded
// line of Content-Disposition stays under maxLine.
const maxSegment = 60

// disposition returns an attachment Content-Disposition for name: a plain
// (quoted if needed) filename when it is short printable ASCII, else RFC 2231
// percent-encoded UTF-8, split into numbered continuations when long.
func disposition(name string) string {
	if len(name) <= maxSegment && !strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r > '~' }) {
		return mime.FormatMediaType("attachment", map[string]string{"filename": name})
	}
	enc := "utf-8''" + percentEncode(name)
	if len(enc) <= maxSegment {
		return "attachment; filename*=" + enc
	}
	var b strings.Builder
	b.WriteString("attachment")
	for i := 0; enc != ""; i++ {
		n := min(maxSegment, len(enc))
		if n < len(enc) {
			if j := strings.LastIndexByte(enc[:n], '%'); j > n-3 {
				n = j // keep each %XX escape whole
			}
			// Keep each UTF-8 sequence whole too: RFC 2231 joins the octets,
			// but some clients decode every segment on its own.
			for n > 3 && isContinuation(enc[n:]) {
				n -= 3
			}
		}
		fmt.Fprintf(&b, "; filename*%d*=%s", i, enc[:n])
		enc = enc[n:]
	}
	return b.String()
}

// isContinuation reports whether enc starts with the escape of a UTF-8
// continuation byte (%80–%BF).
func isContinuation(enc string) bool {
	return len(enc) >= 3 && enc[0] == '%' && strings.ContainsRune("89AB", rune(enc[1]))
}

// percentEncode escapes every byte of s but letters, digits and "-._~", which
// RFC 2231 allows as they are.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xF])
		}
	}
	return b.String()
}

// fold returns what follows "Key:" in header key: the words of value, each
// after a space or, where the line would pass maxLine characters, after CRLF and
// a space. Even the first word moves to a new line when it does not fit, as a
// 75-character encoded-word after "Subject:" would not; a longer word stays
// whole. The value must not contain line breaks.
func fold(key, value string) string {
	var b strings.Builder
	n := len(key) + 1 // "Key:"
	for i, word := range strings.Split(value, " ") {
		if n+1+len(word) > maxLine && (i > 0 || len(word) > 0) {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteByte(' ')
		b.WriteString(word)
		n += 1 + len(word)
	}
	return b.String()
}

// foldValue is fold without the leading space, for writers such as
// multipart.Writer.CreatePart that write "Key: " themselves.
func foldValue(key, value string) string {
	return strings.TrimPrefix(fold(key, value), " ")
}

func writeQuotedPrintable(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, strings.ToValidUTF8(text, "\uFFFD")); err != nil {
		return err
	}
	return qp.Close()
}

// writeBase64 writes content in base64 lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, content []byte) error {
	enc := base64.StdEncoding.EncodeToString(content)
	for len(enc) > 0 {
		n := min(76, len(enc))
		if _, err := io.WriteString(w, enc[:n]+"\r\n"); err != nil {
			return err
		}
		enc = enc[n:]
	}
	return nil
}
