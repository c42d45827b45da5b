// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package mail

import (
	"errors"
	"fmt"
	"net/smtp"
	"strings"
)

// loginAuth is the LOGIN mechanism, which net/smtp lacks and some servers
// (Microsoft 365 among them) offer instead of PLAIN. Like smtp.PlainAuth it
// only sends credentials over TLS or to localhost.
type loginAuth struct {
	username, password, host string
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLocalhost(server.Name) {
		return "", nil, errors.New("unencrypted connection: credentials are only sent over TLS")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	// The prompts are "Username:" and "Password:", in any case; some servers
	// add text, so only the start is compared.
	switch prompt := strings.ToLower(string(fromServer)); {
	case strings.HasPrefix(prompt, "user"):
		return []byte(a.username), nil
	case strings.HasPrefix(prompt, "pass"):
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN prompt %q", fromServer)
}

func isLocalhost(name string) bool {
	return name == "localhost" || name == "127.0.0.1" || name == "::1"
}
