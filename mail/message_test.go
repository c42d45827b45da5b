// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
)

func TestFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, value string
	}{
		{"Short", "Subject", "Ciao"},
		{"Empty", "Subject", ""},
		{"Long", "Subject", strings.Repeat("parola ", 40)},
		{"LongWord", "Subject", "a " + strings.Repeat("x", 100) + " b"},
		{"Encoded", "Subject", mime.QEncoding.Encode("utf-8", strings.Repeat("è già più ", 20))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			folded := fold(tc.key, tc.value)
			if got := strings.ReplaceAll(folded, "\r\n", ""); got != " "+tc.value {
				t.Errorf("unfolded = %q, want %q", got, " "+tc.value)
			}
			for i, line := range strings.Split(tc.key+":"+folded, "\r\n") {
				if len(line) > maxLine && strings.Contains(strings.TrimSpace(line), " ") {
					t.Errorf("line %d is %d long and could be folded: %q", i, len(line), line)
				}
				if i > 0 && !strings.HasPrefix(line, " ") {
					t.Errorf("continuation line %d does not start with a space: %q", i, line)
				}
			}
		})
	}
}

func TestDisposition(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"ricevuta.pdf",
		"ricevuta finale.pdf",
		`strano "nome";=.pdf`,
		"città.pdf",
		"Ricevuta di presentazione – città n. 2026/0001234, più lunga del solito e ancora più lunga.pdf",
		strings.Repeat("x", 200) + ".pdf",
		strings.Repeat("è", 200) + ".pdf",
		strings.Repeat("🙂", 30),
	} {
		d := disposition(name)
		_, params, err := mime.ParseMediaType(strings.ReplaceAll(d, "\r\n", ""))
		if err != nil {
			t.Errorf("disposition(%q) = %q: %v", name, d, err)
			continue
		}
		if params["filename"] != name {
			t.Errorf("disposition(%q) parses back as %q", name, params["filename"])
		}
		for _, seg := range strings.Split(d, "; ")[1:] {
			value := seg[strings.IndexByte(seg, '=')+1:]
			if _, rest, ok := strings.Cut(value, "''"); ok {
				value = rest
			}
			if strings.HasPrefix(value, "%8") || strings.HasPrefix(value, "%9") || strings.HasPrefix(value, "%A") || strings.HasPrefix(value, "%B") {
				t.Errorf("disposition(%q): segment %q starts inside a UTF-8 sequence", name, seg)
			}
		}
		for _, line := range strings.Split("Content-Disposition:"+fold("Content-Disposition", d), "\r\n") {
			if len(line) > maxLine {
				t.Errorf("disposition(%q): line of %d characters: %q", name, len(line), line)
			}
		}
	}
}

func TestCleanFilename(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ricevuta.pdf":         "ricevuta.pdf",
		"../../etc/passwd":     ".._.._etc_passwd",
		`C:\Users\a\nota.txt`:  "C:_Users_a_nota.txt",
		"a\r\nb.txt":           "ab.txt",
		"  ":                   "allegato",
		"..":                   "allegato",
		"Ricevuta 2026/12.pdf": "Ricevuta 2026_12.pdf",
		"città\x00 finale.pdf": "città finale.pdf",
	} {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMessageID(t *testing.T) {
	t.Parallel()
	for addr, wantSuffix := range map[string]string{
		"noreply@comune.example.it": "@comune.example.it>",
		"noreply@[192.0.2.1]":       "@localhost>",
		"noreply@città.it":          "@localhost>",
	} {
		id := messageID(addr)
		if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, wantSuffix) {
			t.Errorf("messageID(%q) = %q, want suffix %q", addr, id, wantSuffix)
		}
	}
	if messageID("a@b.it") == messageID("a@b.it") {
		t.Error("two Message-IDs are equal")
	}
}

func TestCompose(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC)

	t.Run("Headers", func(t *testing.T) {
		c, err := compose("Comune <noreply@comune.example.it>",
			&procedo.MailMessage{To: "mario@example.org", Subject: "Avviso – già", Body: "riga\nriga"}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		raw := string(c.raw)
		for _, want := range []string{
			"Date: Thu, 12 Mar 2026 10:30:00 +0000\r\n",
			"From: \"Comune\" <noreply@comune.example.it>\r\n",
			"To: <mario@example.org>\r\n",
			"Subject: =?utf-8?q?Avviso_=E2=80=93_gi=C3=A0?=\r\n",
			"MIME-Version: 1.0\r\n",
			"Content-Type: text/plain; charset=UTF-8\r\n",
			"\r\n\r\nriga\r\nriga",
		} {
			if !strings.Contains(raw, want) {
				t.Errorf("message lacks %q:\n%s", want, raw)
			}
		}
		if c.from != "noreply@comune.example.it" || len(c.to) != 1 || c.to[0] != "mario@example.org" {
			t.Errorf("envelope = %q → %q", c.from, c.to)
		}
	})

	t.Run("ControlCharactersInSubject", func(t *testing.T) {
		c, err := compose("a@b.it", &procedo.MailMessage{To: "c@d.it", Subject: "a\tb\x00c\xff"}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		subject := ""
		for _, line := range strings.Split(string(c.raw), "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subject = s
			}
		}
		if got, err := new(mime.WordDecoder).DecodeHeader(subject); err != nil || got != "a\tb\x00c\uFFFD" {
			t.Errorf("Subject %q decodes to %q (%v)", subject, got, err)
		}
	})

	t.Run("MediaTypes", func(t *testing.T) {
		for in, want := range map[string]string{
			"application/pdf":           "application/pdf; name=ricevuta.pdf",
			"text/plain; charset=utf-8": "text/plain; charset=utf-8; name=ricevuta.pdf",
			"":                          "application/octet-stream; name=ricevuta.pdf",
			"not a type":                "application/octet-stream; name=ricevuta.pdf",
			"multipart/mixed":           "application/octet-stream; name=ricevuta.pdf",
			"message/rfc822":            "application/octet-stream; name=ricevuta.pdf",
		} {
			h := attachmentHeader(procedo.MailAttachment{Filename: "ricevuta.pdf", MediaType: in})
			if got := h.Get("Content-Type"); got != want {
				t.Errorf("media type %q: Content-Type %q, want %q", in, got, want)
			}
		}
	})
}
