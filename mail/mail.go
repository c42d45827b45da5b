// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mail delivers procedo's e-mail over SMTP: Mailer implements
// procedo.Mailer, composing a MIME message (UTF-8 text, attachments) and handing
// it to the relay named by PROCEDO_SMTP_URL. It sends one message per call and
// neither queues nor retries; the outbox and its retries belong to the mail job.
//
// The client is net/smtp from the standard library rather than go-smtp's:
// net/smtp can run STARTTLS on an open connection (go-smtp only at dial time,
// failing when the server lacks it, so "opportunistic" would need a second
// connection), never touches connection deadlines (go-smtp resets them on every
// command, discarding the deadline taken from ctx), and its PlainAuth refuses to
// send a password in clear text except to localhost. go-smtp serves the other
// side, in package mailtest.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// startTLSMode says whether a smtp:// Mailer upgrades the connection with
// STARTTLS; the values are those of the starttls URL parameter.
type startTLSMode string

const (
	startTLSOpportunistic startTLSMode = "opportunistic" // when the server offers it (default)
	startTLSRequired      startTLSMode = "required"      // fail unless the server offers it
	startTLSOff           startTLSMode = "off"           // never: the whole session is in clear text
)

const (
	defaultTimeout = time.Minute
	dialTimeout    = 15 * time.Second
)

// Mailer sends e-mail through one SMTP server. Create it with New; it is safe
// for concurrent use, each Send opening its own connection.
type Mailer struct {
	// TLSConfig is used for smtps:// and STARTTLS. Nil means the system roots;
	// an empty ServerName is set to the URL's host. Set it before the first Send.
	TLSConfig *tls.Config
	// Now gives the time of the Date header; nil means time.Now.
	Now func() time.Time

	url         *url.URL     // as given, for Redacted
	host        string       // server host without port, for TLS and auth checks
	addr        string       // host:port
	implicitTLS bool         // smtps://
	startTLS    startTLSMode // smtp:// only
	username    string       // empty: no AUTH
	password    string
	helo        string        // name sent with EHLO
	timeout     time.Duration // bounds one whole Send
}

var _ procedo.Mailer = (*Mailer)(nil)

// New returns a Mailer for rawURL (PROCEDO_SMTP_URL), one of
//
//	smtp://[user:pass@]host[:port][?starttls=opportunistic|required|off]
//	smtps://[user:pass@]host[:port]
//
// smtp defaults to port 25 and STARTTLS when offered; smtps (TLS from the first
// byte) to port 465. User name and password are percent-encoded. Further
// parameters: timeout, a Go duration bounding each Send (default 1m), and helo,
// the name sent with EHLO (default "localhost"). Credentials are only sent over
// TLS or to a server on localhost. New returns EINVALID, never echoing the
// password, for anything else.
func New(rawURL string) (_ *Mailer, err error) {
	defer procedo.Wrap(&err, "mail.New")
	invalid := func(format string, args ...any) error {
		return procedo.Errorf(procedo.EINVALID, "URL SMTP non valido: "+format, args...)
	}

	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, invalid("%v", err)
	}
	m := &Mailer{url: u, startTLS: startTLSOpportunistic, helo: "localhost", timeout: defaultTimeout}
	var port string
	switch u.Scheme {
	case "smtp":
		port = "25"
	case "smtps":
		port, m.implicitTLS = "465", true
	case "":
		return nil, invalid("manca lo schema (smtp:// o smtps://)")
	default:
		return nil, invalid("schema %q non supportato (smtp:// o smtps://)", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, invalid("scrivere %s://host:porta", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return nil, invalid("percorso o frammento non ammessi")
	}
	m.host = u.Hostname()
	if m.host == "" {
		return nil, invalid("manca il nome del server")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, invalid("porta %q non valida", p)
		}
		port = p
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, invalid("porta vuota")
	}
	m.addr = net.JoinHostPort(m.host, port)

	if u.User != nil {
		m.username = u.User.Username()
		m.password, _ = u.User.Password()
		if m.username == "" || m.password == "" {
			return nil, invalid("indicare sia utente sia password, o nessuno dei due")
		}
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, invalid("parametri: %v", err)
	}
	for _, key := range slices.Sorted(maps.Keys(query)) { // the same URL, the same error
		values := query[key]
		if len(values) != 1 {
			return nil, invalid("parametro %q ripetuto", key)
		}
		v := values[0]
		switch key {
		case "starttls":
			if m.implicitTLS {
				return nil, invalid("starttls non si usa con smtps://")
			}
			m.startTLS = startTLSMode(v)
			if !slices.Contains([]startTLSMode{startTLSOpportunistic, startTLSRequired, startTLSOff}, m.startTLS) {
				return nil, invalid("starttls=%q: usare opportunistic, required o off", v)
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, invalid("timeout=%q: usare una durata come 30s", v)
			}
			m.timeout = d
		case "helo":
			if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r >= 0x7F }) {
				return nil, invalid("helo=%q: nome host non valido", v)
			}
			m.helo = v
		default:
			return nil, invalid("parametro %q sconosciuto (starttls, timeout, helo)", key)
		}
	}
	return m, nil
}

// Redacted returns the URL the Mailer was made from with the password replaced
// by "xxxxx", for logs.
func (m *Mailer) Redacted() string { return m.url.Redacted() }

// Send composes msg (To, Subject, Body; msg.Attachments is ignored, atts are
// the resolved files) and delivers it from the address from, which may carry a
// display name ("Comune di Esempio <noreply@comune.example.it>"). It returns
// when the server has accepted the message, or with an error coded
//
//   - EINVALID: bad from, To or Subject (a line break is refused, so no header
//     can be injected), or the server refused a recipient permanently (5xx);
//   - EUNAVAILABLE: the server is unreachable, timed out or answered 4xx, or ctx
//     ended: worth retrying later;
//   - EINTERNAL: anything else, such as a TLS failure, STARTTLS required but not
//     offered, refused credentials or a permanent rejection of the message.
func (m *Mailer) Send(ctx context.Context, from string, msg *procedo.MailMessage, atts []procedo.MailAttachment) (err error) {
	defer procedo.Wrap(&err, "mail.Send")
	if msg == nil {
		return procedo.Errorf(procedo.EINVALID, "Messaggio mancante.")
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	c, err := compose(from, msg, atts, now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	if err := m.deliver(ctx, c); err != nil {
		return classify(ctx, err)
	}
	return nil
}

// stepError records which part of the SMTP session failed.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return "smtp " + e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func fail(step string, err error) error { return &stepError{step: step, err: err} }

// deliver runs one SMTP session that submits c.
func (m *Mailer) deliver(ctx context.Context, c *composed) error {
	d := net.Dialer{Timeout: dialTimeout}
	tcp, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return fail("dial", err)
	}
	// net/smtp knows no context: the deadline bounds every read and write, and
	// closing the connection when ctx ends unblocks whatever is pending.
	if dl, ok := ctx.Deadline(); ok {
		_ = tcp.SetDeadline(dl) // fails only on a closed connection, noticed below
	}
	stop := context.AfterFunc(ctx, func() { _ = tcp.Close() })
	defer stop()

	conn := tcp
	if m.implicitTLS {
		tc := tls.Client(tcp, m.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = tcp.Close()
			return fail("tls", err)
		}
		conn = tc
	}
	client, err := smtp.NewClient(conn, m.host)
	if err != nil {
		_ = conn.Close()
		return fail("greeting", err)
	}
	defer client.Close()

	if err := client.Hello(m.helo); err != nil {
		return fail("ehlo", err)
	}
	if !m.implicitTLS && m.startTLS != startTLSOff {
		if ok, _ := client.Extension("STARTTLS"); ok {
			if err := client.StartTLS(m.tlsConfig()); err != nil {
				return fail("starttls", err)
			}
		} else if m.startTLS == startTLSRequired {
			return fail("starttls", errors.New("the server does not offer STARTTLS (starttls=required)"))
		}
	}
	if m.username != "" {
		a, err := m.auth(client)
		if err != nil {
			return fail("auth", err)
		}
		if err := client.Auth(a); err != nil {
			return fail("auth", err)
		}
	}
	if err := client.Mail(c.from); err != nil {
		return fail("mail", err)
	}
	for _, rcpt := range c.to {
		if err := client.Rcpt(rcpt); err != nil {
			return fail("rcpt", err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return fail("data", err)
	}
	if _, err := w.Write(c.raw); err != nil {
		return fail("data", err)
	}
	if err := w.Close(); err != nil {
		return fail("data", err)
	}
	// The server has taken the message: failing now would make the job send it
	// twice, so a failed QUIT is not an error.
	_ = client.Quit()
	return nil
}

func (m *Mailer) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.TLSConfig != nil {
		cfg = m.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = m.host
	}
	return cfg
}

// auth picks PLAIN or, for servers that only offer it (Microsoft 365), LOGIN.
func (m *Mailer) auth(c *smtp.Client) (smtp.Auth, error) {
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return nil, errors.New("the server does not offer AUTH, but the URL has credentials")
	}
	offered := strings.Fields(strings.ToUpper(mechs))
	switch {
	case slices.Contains(offered, "PLAIN"):
		return smtp.PlainAuth("", m.username, m.password, m.host), nil
	case slices.Contains(offered, "LOGIN"):
		return &loginAuth{username: m.username, password: m.password, host: m.host}, nil
	}
	return nil, fmt.Errorf("the server offers AUTH %s; procedo supports PLAIN and LOGIN", mechs)
}

// classify turns a failed session into a procedo.Error whose code tells the
// mail job whether a retry can help.
func classify(ctx context.Context, err error) error {
	unavailable := func(cause error) error {
		return &procedo.Error{Code: procedo.EUNAVAILABLE, Message: "Il server di posta non è raggiungibile: riprova più tardi.", Err: cause}
	}
	internal := func(msg string) error {
		return &procedo.Error{Code: procedo.EINTERNAL, Message: msg, Err: err}
	}
	ctxErr := ctx.Err()
	if ctxErr == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection deadline is ctx's, and may fire before ctx notices.
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		return unavailable(fmt.Errorf("%w: %w", ctxErr, err))
	}
	var step string
	if se := (*stepError)(nil); errors.As(err, &se) {
		step = se.step
	}
	var (
		reply   *textproto.Error
		netErr  net.Error
		certErr *tls.CertificateVerificationError
	)
	isReply := errors.As(err, &reply)
	switch {
	case isReply && reply.Code/100 == 4:
		return unavailable(err)
	case isReply && step == "rcpt":
		return &procedo.Error{Code: procedo.EINVALID, Message: "Il server di posta ha rifiutato il destinatario.", Err: err}
	case errors.As(err, &certErr) || step == "auth" || step == "starttls":
		return internal("Configurazione del server di posta non valida.")
	case isReply:
		return internal("Il server di posta ha rifiutato il messaggio.")
	case errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		step == "dial" || step == "greeting":
		return unavailable(err)
	}
	return internal("Invio dell'e-mail non riuscito.")
}
