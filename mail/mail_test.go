// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/mail"
	"github.com/procedo/procedo/mail/mailtest"
)

const (
	from    = "Comune di Città di Castello <noreply@comune.example.it>"
	subject = "Richiesta di accesso ai documenti amministrativi – è già più perché"
	body    = "Gentile Niccolò,\n\nla sua richiesta è stata protocollata.\nCordiali saluti,\nl'Ufficio Relazioni con il Pubblico – Città di Castello\n"
)

var fixedNow = time.Date(2026, 3, 12, 10, 30, 0, 0, time.FixedZone("CET", 3600))

func message() *procedo.MailMessage {
	return &procedo.MailMessage{To: "Niccolò Dell'Acqua <niccolo@example.org>", Subject: subject, Body: body}
}

// mustNew returns a Mailer for rawURL with a fixed clock.
func mustNew(tb testing.TB, rawURL string) *mail.Mailer {
	tb.Helper()
	m, err := mail.New(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	m.Now = func() time.Time { return fixedNow }
	return m
}

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		for _, u := range []string{
			"smtp://localhost",
			"smtp://mail.example.it:587?starttls=required",
			"smtp://relay.example.it:25/?starttls=off&timeout=5s&helo=procedo.example.it",
			"smtps://utente%40ente.it:p%40ss%3Aw@mail.example.it",
			"smtp://[::1]:2525?starttls=opportunistic",
		} {
			if _, err := mail.New(u); err != nil {
				t.Errorf("New(%q): %v", u, err)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, u := range []string{
			"",
			"localhost:25",
			"mail.example.it",
			"http://mail.example.it",
			"smtp:mail.example.it",
			"smtp://",
			"smtp://:25",
			"smtp://mail.example.it:",
			"smtp://mail.example.it:0",
			"smtp://mail.example.it:65536",
			"smtp://u:secret@mail.example.it:port",
			"smtp://u:secret@mail.example.it/inbox",
			"smtp://mail.example.it#x",
			"smtp://utente@mail.example.it",
			"smtp://:secret@mail.example.it",
			"smtp://mail.example.it?starttls=maybe",
			"smtp://mail.example.it?starttls=off&starttls=required",
			"smtps://mail.example.it?starttls=required",
			"smtp://mail.example.it?timeout=-1s",
			"smtp://mail.example.it?timeout=soon",
			"smtp://mail.example.it?helo=a%20b",
			"smtp://mail.example.it?tls=1",
			"smtp://mail.example.it?x=%zz",
			"smtp://u:secret@mail example.it",
		} {
			_, err := mail.New(u)
			if got := procedo.ErrorCode(err); got != procedo.EINVALID {
				t.Errorf("New(%q): code %q, want %q (err %v)", u, got, procedo.EINVALID, err)
				continue
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("New(%q): error shows the password: %v", u, err)
			}
		}
	})

	t.Run("Redacted", func(t *testing.T) {
		m, err := mail.New("smtp://procedo:secret@mail.example.it:587?starttls=required")
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Redacted(); strings.Contains(got, "secret") || !strings.Contains(got, "procedo:xxxxx@mail.example.it:587") {
			t.Errorf("Redacted() = %q", got)
		}
	})
}

func TestMailer_Send(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pdfContent := append([]byte("%PDF-1.3\n"), bytes.Repeat([]byte{0, 0xff, 0x80, '\r', '\n'}, 500)...)
	noteContent := []byte("Nota con accenti: àèìòù €\r\nseconda riga\n")
	atts := []procedo.MailAttachment{
		{Filename: "Ricevuta di presentazione – città n. 2026/0001234, più lunga del solito.pdf", MediaType: "application/pdf", Content: pdfContent},
		{Filename: "note.txt", MediaType: "text/plain; charset=utf-8", Content: noteContent},
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		if err := mustNew(t, srv.URL()).Send(ctx, from, message(), atts); err != nil {
			t.Fatal(err)
		}
		m := srv.WaitFor(t, 1, 5*time.Second)[0]

		if m.From != "noreply@comune.example.it" {
			t.Errorf("envelope From = %q", m.From)
		}
		if len(m.To) != 1 || m.To[0] != "niccolo@example.org" {
			t.Errorf("envelope To = %q", m.To)
		}
		if m.Subject != subject {
			t.Errorf("Subject = %q, want %q", m.Subject, subject)
		}
		if m.Text != body {
			t.Errorf("Text = %q, want %q", m.Text, body)
		}
		if len(m.Attachments) != 2 {
			t.Fatalf("%d attachments, want 2", len(m.Attachments))
		}
		for i, want := range []struct {
			filename, contentType string
			content               []byte
		}{
			{strings.ReplaceAll(atts[0].Filename, "/", "_"), "application/pdf", pdfContent},
			{"note.txt", "text/plain", noteContent},
		} {
			got := m.Attachments[i]
			if got.Filename != want.filename || got.ContentType != want.contentType || !bytes.Equal(got.Content, want.content) {
				t.Errorf("attachment %d = %q %q (%d bytes), want %q %q (%d bytes)", i,
					got.Filename, got.ContentType, len(got.Content), want.filename, want.contentType, len(want.content))
			}
		}

		for key, want := range map[string]string{
			"Date":           "Thu, 12 Mar 2026 10:30:00 +0100",
			"MIME-Version":   "1.0",
			"Auto-Submitted": "auto-generated",
		} {
			if got := m.Header.Get(key); got != want {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
		if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@comune.example.it>") {
			t.Errorf("Message-ID = %q", id)
		}
		if got, err := m.Header.AddressList("From"); err != nil || got[0].Name != "Comune di Città di Castello" {
			t.Errorf("From = %v (%v)", got, err)
		}
		if got, err := m.Header.AddressList("To"); err != nil || got[0].Name != "Niccolò Dell'Acqua" {
			t.Errorf("To = %v (%v)", got, err)
		}
		if !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/mixed; boundary=") {
			t.Errorf("Content-Type = %q", m.Header.Get("Content-Type"))
		}
		checkRaw(t, m.Raw)
	})

	t.Run("NoAttachments", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		if err := mustNew(t, srv.URL()).Send(ctx, "noreply@comune.example.it", message(), nil); err != nil {
			t.Fatal(err)
		}
		m := srv.WaitFor(t, 1, 5*time.Second)[0]
		if m.Text != body || len(m.Attachments) != 0 {
			t.Errorf("Text = %q, %d attachments", m.Text, len(m.Attachments))
		}
		if got := m.Header.Get("Content-Type"); got != "text/plain; charset=UTF-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if got := m.Header.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
			t.Errorf("Content-Transfer-Encoding = %q", got)
		}
		checkRaw(t, m.Raw)
	})

	t.Run("LongSubjectAndRecipients", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		msg := message()
		msg.Subject = strings.Repeat("Comunicazione di avvio del procedimento – più ", 6)
		msg.To = "a@example.org, \"Rossi, Mario\" <mario.rossi@example.org>, Lucia Bianchi <lucia.bianchi@example.org>"
		if err := mustNew(t, srv.URL()).Send(ctx, from, msg, nil); err != nil {
			t.Fatal(err)
		}
		m := srv.WaitFor(t, 1, 5*time.Second)[0]
		if m.Subject != msg.Subject {
			t.Errorf("Subject = %q, want %q", m.Subject, msg.Subject)
		}
		if want := []string{"a@example.org", "mario.rossi@example.org", "lucia.bianchi@example.org"}; strings.Join(m.To, " ") != strings.Join(want, " ") {
			t.Errorf("envelope To = %q, want %q", m.To, want)
		}
		if got, err := m.Header.AddressList("To"); err != nil || len(got) != 3 || got[1].Name != "Rossi, Mario" {
			t.Errorf("To = %v (%v)", got, err)
		}
		checkRaw(t, m.Raw)
	})

	t.Run("STARTTLS", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t, mailtest.WithSTARTTLS())
		for _, tc := range []struct {
			query   string
			wantTLS bool
		}{
			{"", true},
			{"?starttls=required", true},
			{"?starttls=off", false},
		} {
			m := mustNew(t, srv.URL()+tc.query)
			m.TLSConfig = srv.ClientTLSConfig()
			if err := m.Send(ctx, from, message(), atts); err != nil {
				t.Fatalf("%q: %v", tc.query, err)
			}
			msgs := srv.WaitFor(t, 1, 5*time.Second)
			if got := msgs[len(msgs)-1]; got.TLS != tc.wantTLS || got.Subject != subject {
				t.Errorf("%q: TLS = %v, want %v", tc.query, got.TLS, tc.wantTLS)
			}
		}
	})

	t.Run("ImplicitTLS", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t, mailtest.WithImplicitTLS(), mailtest.WithAuth("procedo", "s3cret:è"))
		if !strings.HasPrefix(srv.URL(), "smtps://") {
			t.Fatalf("URL = %q", srv.URL())
		}
		m := mustNew(t, srv.URL())
		m.TLSConfig = srv.ClientTLSConfig()
		if err := m.Send(ctx, from, message(), atts); err != nil {
			t.Fatal(err)
		}
		if got := srv.WaitFor(t, 1, 5*time.Second)[0]; !got.TLS || got.Text != body {
			t.Errorf("TLS = %v, Text = %q", got.TLS, got.Text)
		}
	})

	t.Run("ErrUntrustedCertificate", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t, mailtest.WithSTARTTLS())
		err := mustNew(t, srv.URL()).Send(ctx, from, message(), nil)
		wantCode(t, err, procedo.EINTERNAL)
		if len(srv.Messages()) != 0 {
			t.Error("the message was delivered")
		}
	})

	t.Run("ErrSTARTTLSRequired", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		err := mustNew(t, srv.URL()+"?starttls=required").Send(ctx, from, message(), nil)
		wantCode(t, err, procedo.EINTERNAL)
		if len(srv.Messages()) != 0 {
			t.Error("the message was delivered in clear text")
		}
	})

	t.Run("Auth", func(t *testing.T) {
		t.Parallel()
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			srv := mailtest.NewServer(t, mailtest.WithAuth("procedo@ente.it", "p@ss w:rd", mech))
			if err := mustNew(t, srv.URL()).Send(ctx, from, message(), nil); err != nil {
				t.Fatalf("%s: %v", mech, err)
			}
			srv.WaitFor(t, 1, 5*time.Second)

			wrong := "smtp://procedo%40ente.it:wrong@" + srv.Addr()
			wantCode(t, mustNew(t, wrong).Send(ctx, from, message(), nil), procedo.EINTERNAL)

			noAuth := "smtp://" + srv.Addr()
			wantCode(t, mustNew(t, noAuth).Send(ctx, from, message(), nil), procedo.EINTERNAL)
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%s: %d messages, want 1", mech, n)
			}
		}
	})

	t.Run("ErrRejected", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		srv.RejectNext(2)
		m := mustNew(t, srv.URL())
		for range 2 {
			err := m.Send(ctx, from, message(), atts)
			wantCode(t, err, procedo.EUNAVAILABLE)
			if err != nil && !strings.Contains(err.Error(), "451") {
				t.Errorf("error %q does not name the 451 reply", err)
			}
		}
		if err := m.Send(ctx, from, message(), atts); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if got := srv.WaitFor(t, 1, 5*time.Second); len(got) != 1 {
			t.Errorf("%d messages, want 1", len(got))
		}
	})

	t.Run("ErrRecipientRejected", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		srv.RejectRecipient("niccolo@example.org")
		wantCode(t, mustNew(t, srv.URL()).Send(ctx, from, message(), nil), procedo.EINVALID)
	})

	t.Run("ErrHeaderInjection", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.NewServer(t)
		m := mustNew(t, srv.URL())
		for _, tc := range []struct {
			name          string
			from, to, sub string
		}{
			{"Subject", from, "a@example.org", "Ciao\r\nBcc: victim@example.org"},
			{"SubjectLF", from, "a@example.org", "Ciao\nBcc: victim@example.org"},
			{"To", from, "a@example.org\r\nBcc: victim@example.org", "Ciao"},
			{"From", "noreply@comune.example.it\rBcc: victim@example.org", "a@example.org", "Ciao"},
		} {
			err := m.Send(ctx, tc.from, &procedo.MailMessage{To: tc.to, Subject: tc.sub, Body: body}, nil)
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Errorf("%s: err %v, want EINVALID", tc.name, err)
			}
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%d messages delivered, want 0", n)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		t.Parallel()
		m := mustNew(t, "smtp://127.0.0.1:1") // never dialled: the input is refused first
		for _, tc := range []struct {
			name string
			from string
			msg  *procedo.MailMessage
		}{
			{"NilMessage", from, nil},
			{"From", "not an address", message()},
			{"EmptyFrom", "", message()},
			{"To", from, &procedo.MailMessage{To: "mario rossi", Subject: "x"}},
			{"EmptyTo", from, &procedo.MailMessage{Subject: "x"}},
		} {
			if err := m.Send(ctx, tc.from, tc.msg, nil); procedo.ErrorCode(err) != procedo.EINVALID {
				t.Errorf("%s: err %v, want EINVALID", tc.name, err)
			}
		}
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		wantCode(t, mustNew(t, "smtp://"+addr).Send(ctx, from, message(), nil), procedo.EUNAVAILABLE)
	})

	t.Run("ErrTimeout", func(t *testing.T) {
		t.Parallel()
		addr := silentServer(t)
		start := time.Now()
		err := mustNew(t, "smtp://"+addr+"?timeout=300ms").Send(ctx, from, message(), nil)
		wantCode(t, err, procedo.EUNAVAILABLE)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v is not context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v", d)
		}
	})

	t.Run("ErrCanceled", func(t *testing.T) {
		t.Parallel()
		addr := silentServer(t)
		ctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		err := mustNew(t, "smtp://"+addr).Send(ctx, from, message(), nil)
		wantCode(t, err, procedo.EUNAVAILABLE)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v is not context.Canceled", err)
		}
	})
}

// silentServer accepts connections and never answers, like a stuck server.
func silentServer(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := procedo.ErrorCode(err); got != code {
		tb.Errorf("code %q, want %q (err %v)", got, code, err)
	}
}

// checkRaw checks that a message is 7-bit with CRLF line ends, header lines
// within 78 characters and body lines within 998.
func checkRaw(tb testing.TB, raw []byte) {
	tb.Helper()
	for i, c := range raw {
		if c >= 0x80 {
			tb.Fatalf("byte %d is 0x%x: the message is not 7-bit", i, c)
		}
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			tb.Fatalf("bare LF at byte %d", i)
		}
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if len(line) > 78 {
			tb.Errorf("header line longer than 78: %q", line)
		}
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			tb.Errorf("line longer than 998: %.80q…", line)
		}
	}
}
