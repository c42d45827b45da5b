// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package mailtest runs an SMTP server inside the test process, built on
// github.com/emersion/go-smtp, so tests of package mail and of the mail job speak
// real SMTP. It records every message it accepts, decoded with net/mail and
// mime/multipart, and can refuse messages, require credentials or speak TLS with
// a throw-away certificate. It is for tests only: it keeps everything in memory.
package mailtest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an SMTP server on 127.0.0.1. Its methods are safe for concurrent use.
type Server struct {
	srv       *smtp.Server
	url       url.URL
	clientTLS *tls.Config // trusts the server's certificate; nil without TLS
	username  string      // empty: no AUTH
	password  string
	mechs     []string // offered SASL mechanisms, with username set

	mu             sync.Mutex
	messages       []Message
	rejectNext     int                 // messages still to refuse with 451
	rejectRcpt     map[string]struct{} // recipients refused with 550
	messagesChange chan struct{}       // closed, and replaced, when messages grows
}

// Option configures a Server.
type Option func(*config)

type config struct {
	startTLS, implicitTLS bool
	username, password    string
	mechs                 []string
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed certificate
// for 127.0.0.1; clients must trust ClientTLSConfig.
func WithSTARTTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte, as on port
// 465; URL then returns an smtps:// URL. Clients must trust ClientTLSConfig.
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// WithAuth makes the server require AUTH with username and password before
// MAIL FROM, offering the given SASL mechanisms ("PLAIN", "LOGIN"; default
// PLAIN). AUTH is allowed without TLS, as the server only listens on loopback.
func WithAuth(username, password string, mechanisms ...string) Option {
	return func(c *config) {
		c.username, c.password = username, password
		c.mechs = mechanisms
		if len(c.mechs) == 0 {
			c.mechs = []string{sasl.Plain}
		}
	}
}

// NewServer starts a server listening on 127.0.0.1:0 and stops it in
// tb.Cleanup.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		username:       cfg.username,
		password:       cfg.password,
		mechs:          cfg.mechs,
		rejectRcpt:     make(map[string]struct{}),
		messagesChange: make(chan struct{}),
	}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = 30 * time.Second // a stuck client cannot outlive the test by much
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0) // tb.Logf would panic after the test ends
	s.srv = srv

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: %v", err)
	}
	s.url = url.URL{Scheme: "smtp", Host: ln.Addr().String()}
	if cfg.username != "" {
		s.url.User = url.UserPassword(cfg.username, cfg.password)
	}
	if cfg.startTLS || cfg.implicitTLS {
		serverTLS, clientTLS, err := selfSigned()
		if err != nil {
			tb.Fatalf("mailtest: %v", err)
		}
		s.clientTLS = clientTLS
		if cfg.implicitTLS {
			ln = tls.NewListener(ln, serverTLS)
			s.url.Scheme = "smtps"
		} else {
			srv.TLSConfig = serverTLS
		}
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns once Close is called
	}()
	tb.Cleanup(func() {
		_ = srv.Close()
		// Close only closes listeners Serve has registered; if the goroutine
		// has not got that far yet, Serve would block in Accept for ever.
		_ = ln.Close()
		<-done
	})
	return s
}

// URL returns the URL for mail.New: smtp://127.0.0.1:PORT, smtps:// with
// WithImplicitTLS, with user and password when WithAuth is set.
func (s *Server) URL() string { return s.url.String() }

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.url.Host }

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, for mail.Mailer.TLSConfig; nil unless the server speaks TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// RejectNext makes the server refuse the next n messages at the end of DATA
// with "451 4.3.0", a temporary error, as a busy or greylisting server would.
func (s *Server) RejectNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectNext = n
}

// RejectRecipient makes the server refuse RCPT TO addr with "550 5.1.1", a
// permanent error, as for a mailbox that does not exist.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectRcpt[strings.ToLower(addr)] = struct{}{}
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// WaitFor waits until at least n messages have been accepted and returns them;
// it fails the test after timeout, or if a message is not valid MIME.
func (s *Server) WaitFor(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs, change := slices.Clone(s.messages), s.messagesChange
		s.mu.Unlock()
		if len(msgs) >= n {
			for i, m := range msgs {
				if m.Err != nil {
					tb.Errorf("mailtest: message %d: %v", i, m.Err)
				}
			}
			return msgs
		}
		select {
		case <-change:
		case <-timer.C:
			tb.Fatalf("mailtest: %d messages after %v, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.messagesChange)
	s.messagesChange = make(chan struct{})
}

// takeReject reports whether the current message is to be refused.
func (s *Server) takeReject() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejectNext > 0 {
		s.rejectNext--
		return true
	}
	return false
}

func (s *Server) rejectsRecipient(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.rejectRcpt[strings.ToLower(addr)]
	return ok
}

type backend struct{ s *Server }

// NewSession is called per connection, and again after STARTTLS.
func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS}, nil
}

// session is one SMTP connection; go-smtp calls it from one goroutine.
type session struct {
	s      *Server
	tls    bool
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return ss.s.mechs }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if !slices.Contains(ss.s.mechs, mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	check := func(username, password string) error {
		if username != ss.s.username || password != ss.s.password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, password string) error { return check(username, password) }), nil
	case "LOGIN":
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.rejectsRecipient(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox (mailtest)"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.takeReject() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later (mailtest)"}
	}
	m := parse(raw)
	m.From, m.To, m.TLS = ss.from, slices.Clone(ss.to), ss.tls
	ss.s.add(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism, which go-sasl lacks.
type loginServer struct {
	check    func(username, password string) error
	username string
	step     int
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil { // an initial response is the user name
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.username = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.username, string(response))
	}
}
