// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Message is a message the server accepted, decoded.
type Message struct {
	From        string       // envelope sender (MAIL FROM)
	To          []string     // envelope recipients (RCPT TO)
	TLS         bool         // whether the session was encrypted (STARTTLS or implicit TLS)
	Header      mail.Header  // top-level header, values as sent (still encoded)
	Subject     string       // decoded from RFC 2047
	Text        string       // first text/plain part that is not an attachment, decoded, "\n" line ends
	Attachments []Attachment // every other leaf part, in order
	Raw         []byte       // the message as received
	Err         error        // why Raw is not valid MIME; the fields above may then be partial
}

// Attachment is a decoded attachment.
type Attachment struct {
	Filename    string // from Content-Disposition (RFC 2231) or the Content-Type name (RFC 2047)
	ContentType string // media type without parameters, e.g. "application/pdf"
	Content     []byte // transfer-decoded
}

// parse decodes raw; it leaves From and To empty.
func parse(raw []byte) Message {
	m := Message{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.Err = err
		return m
	}
	m.Header = msg.Header
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Err = fmt.Errorf("Subject: %w", err)
		return m
	}
	var hasText bool
	m.Err = m.walk(textproto.MIMEHeader(msg.Header), msg.Body, &hasText)
	return m
}

// walk decodes a part, descending into multiparts.
func (m *Message) walk(h textproto.MIMEHeader, body io.Reader, hasText *bool) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii" // RFC 2045 default
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("Content-Type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: NextPart would decode quoted-printable behind our back.
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mediaType, err)
			}
			if err := m.walk(p.Header, p, hasText); err != nil {
				return err
			}
		}
	}

	content, err := decode(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	var disposition, filename string
	if cd := h.Get("Content-Disposition"); cd != "" {
		var dparams map[string]string
		if disposition, dparams, err = mime.ParseMediaType(cd); err != nil {
			return fmt.Errorf("Content-Disposition %q: %w", cd, err)
		}
		filename = dparams["filename"]
	}
	if filename == "" && params["name"] != "" {
		if filename, err = new(mime.WordDecoder).DecodeHeader(params["name"]); err != nil {
			return fmt.Errorf("Content-Type name: %w", err)
		}
	}
	if mediaType == "text/plain" && disposition != "attachment" && filename == "" && !*hasText {
		*hasText = true
		m.Text = strings.ReplaceAll(string(content), "\r\n", "\n")
		return nil
	}
	m.Attachments = append(m.Attachments, Attachment{Filename: filename, ContentType: mediaType, Content: content})
	return nil
}

func decode(encoding string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // skips the line breaks
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("unknown Content-Transfer-Encoding %q", encoding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s body: %w", encoding, err)
	}
	return b, nil
}
