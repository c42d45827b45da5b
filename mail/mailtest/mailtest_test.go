// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mailtest_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo/mail/mailtest"
)

// raw is a message as another mail client might write it: nested multiparts,
// an attachment named only in Content-Type, a part with no Content-Type.
const raw = "From: Mittente <a@example.org>\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?iso-8859-1?q?Perch=E9?= =?utf-8?b?IMOoIGdpw6A=?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Citt=C3=A0 di prova, riga lunga che va a capo in modo morbido =\r\n" +
	"e continua.\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>Citt&agrave;</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: application/pdf; name=\"=?utf-8?q?ricevuta_citt=C3=A0.pdf?=\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0x\r\n" +
	"LjM=\r\n" +
	"--outer\r\n" +
	"Content-Disposition: attachment; filename*=utf-8''nota%20gi%C3%A0.txt\r\n" +
	"\r\n" +
	"testo\r\n" +
	"--outer--\r\n"

func send(tb testing.TB, s *mailtest.Server, msg string) error {
	tb.Helper()
	return smtp.SendMail(s.Addr(), nil, "a@example.org", []string{"b@example.org", "c@example.org"}, []byte(msg))
}

func TestServer_Messages(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t)
	if !strings.HasPrefix(s.URL(), "smtp://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if s.ClientTLSConfig() != nil {
		t.Error("ClientTLSConfig of a plain server is not nil")
	}
	if err := send(t, s, raw); err != nil {
		t.Fatal(err)
	}
	m := s.WaitFor(t, 1, 5*time.Second)[0]
	if m.From != "a@example.org" || strings.Join(m.To, ",") != "b@example.org,c@example.org" || m.TLS {
		t.Errorf("envelope %q → %q, TLS %v", m.From, m.To, m.TLS)
	}
	if m.Subject != "Perché è già" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if want := "Città di prova, riga lunga che va a capo in modo morbido e continua."; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
	want := []mailtest.Attachment{
		{Filename: "", ContentType: "text/html", Content: []byte("<p>Citt&agrave;</p>")},
		{Filename: "ricevuta città.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.3")},
		{Filename: "nota già.txt", ContentType: "text/plain", Content: []byte("testo")},
	}
	if len(m.Attachments) != len(want) {
		t.Fatalf("%d attachments, want %d: %+v", len(m.Attachments), len(want), m.Attachments)
	}
	for i, w := range want {
		got := m.Attachments[i]
		if got.Filename != w.Filename || got.ContentType != w.ContentType || !bytes.Equal(got.Content, w.Content) {
			t.Errorf("attachment %d = %q %q %q, want %q %q %q", i, got.Filename, got.ContentType, got.Content, w.Filename, w.ContentType, w.Content)
		}
	}
	if !bytes.Equal(m.Raw, []byte(raw)) {
		t.Errorf("Raw differs from what was sent:\n%s", m.Raw)
	}
	if m.Header.Get("To") != "b@example.org" {
		t.Errorf("Header To = %q", m.Header.Get("To"))
	}
}

func TestServer_Messages_Invalid(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t)
	bad := "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
	if err := send(t, s, bad); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].Err == nil {
		t.Fatalf("messages = %+v, want one with Err set", msgs)
	}
}

func TestServer_RejectNext(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t)
	s.RejectNext(1)
	err := send(t, s, raw)
	var reply *textproto.Error
	if !asTextproto(err, &reply) || reply.Code != 451 {
		t.Fatalf("first send: %v, want a 451 reply", err)
	}
	if err := send(t, s, raw); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if n := len(s.WaitFor(t, 1, 5*time.Second)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}

	s.RejectRecipient("C@example.org")
	if err := send(t, s, raw); !asTextproto(err, &reply) || reply.Code != 550 {
		t.Fatalf("send to a rejected recipient: %v, want a 550 reply", err)
	}
}

func TestServer_WaitFor(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t)
	errc := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		errc <- send(t, s, raw)
	}()
	if n := len(s.WaitFor(t, 1, 10*time.Second)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestServer_Auth(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t, mailtest.WithAuth("utente", "segreto"))
	if !strings.HasPrefix(s.URL(), "smtp://utente:segreto@127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if err := send(t, s, raw); err == nil {
		t.Error("send without AUTH succeeded")
	}
	auth := smtp.PlainAuth("", "utente", "segreto", "127.0.0.1")
	host := strings.Split(s.Addr(), ":")[0]
	if host != "127.0.0.1" {
		t.Fatalf("Addr = %q", s.Addr())
	}
	if err := smtp.SendMail(s.Addr(), auth, "a@example.org", []string{"b@example.org"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	s.WaitFor(t, 1, 5*time.Second)
}

func TestServer_STARTTLS(t *testing.T) {
	t.Parallel()
	s := mailtest.NewServer(t, mailtest.WithSTARTTLS())
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := s.ClientTLSConfig()
	cfg.ServerName = "127.0.0.1"
	if err := c.StartTLS(cfg); err != nil {
		t.Fatal(err)
	}
	if state, ok := c.TLSConnectionState(); !ok || state.Version < tls.VersionTLS12 {
		t.Fatalf("TLS state %v, %v", state.Version, ok)
	}
	if err := c.Mail("a@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@example.org"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if m := s.WaitFor(t, 1, 5*time.Second)[0]; !m.TLS {
		t.Error("TLS = false after STARTTLS")
	}
}

func asTextproto(err error, target **textproto.Error) bool {
	return errors.As(err, target)
}
