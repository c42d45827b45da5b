// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procedo/procedo/testkit"
)

// cliEnv returns an environment with a fresh database and blob folder.
func cliEnv(t *testing.T) map[string]string {
	return map[string]string{"PROCEDO_DB": testkit.NewDSN(t), "PROCEDO_BLOBS": "file:" + filepath.Join(t.TempDir(), "blobs"),
		"PROCEDO_LOG_LEVEL": "error"}
}

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), args)
	if err != nil {
		errb.WriteString(errorText(err))
		return out.String(), errb.String(), exitCode(err)
	}
	return out.String(), errb.String(), 0
}

func TestCLI_HostAdministration(t *testing.T) {
	env := cliEnv(t)
	steps := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"Migrate", "", []string{"migrate"}, 0, "schema version ", ""},
		{"TenantCreate", "", []string{"tenant", "create", "--slug", "comune-prova", "--name", "Comune di Prova", "--ipa", "c_x123", "--host", "prova.example.it"}, 0, "created tenant comune-prova", ""},
		{"TenantDuplicate", "", []string{"tenant", "create", "--slug", "comune-prova", "--name", "Altro"}, 1, "", "Esiste già un ente"},
		{"TenantBadSlug", "", []string{"tenant", "create", "--slug", "Comune Prova", "--name", "X"}, 1, "", "slug"},
		{"TenantMissingFlag", "", []string{"tenant", "create", "--slug", "x"}, 2, "", "missing --name"},
		{"UserCreateAdmin", "una-password-lunga\n", []string{"user", "create", "--tenant", "comune-prova", "--username", "admin", "--role", "admin", "--password-stdin"}, 0, "created user admin", ""},
		{"UserBadRole", "una-password-lunga\n", []string{"user", "create", "--tenant", "comune-prova", "--username", "x", "--role", "boss", "--password-stdin"}, 1, "", "Ruolo sconosciuto"},
		{"UserShortPassword", "corta\n", []string{"user", "create", "--tenant", "comune-prova", "--username", "y", "--role", "operator", "--password-stdin"}, 1, "", "almeno 10 caratteri"},
		{"UserNoPassword", "", []string{"user", "create", "--tenant", "comune-prova", "--username", "z", "--role", "operator", "--password-stdin"}, 1, "", "no password"},
		{"UserUnknownOffice", "una-password-lunga\n", []string{"user", "create", "--tenant", "comune-prova", "--username", "w", "--role", "operator", "--office", "NOPE", "--password-stdin"}, 1, "", "Ufficio non trovato"},
		{"UserUnknownTenant", "una-password-lunga\n", []string{"user", "create", "--tenant", "nessuno", "--username", "w", "--role", "operator", "--password-stdin"}, 1, "", "Ente non trovato"},
		{"UserTwoRoles", "una-password-lunga\n", []string{"user", "create", "--tenant", "comune-prova", "--username", "anna", "--role", "operator,manager", "--password-stdin"}, 0, "operator,manager", ""},
		{"TokenUnknownUser", "", []string{"token", "create", "--tenant", "comune-prova", "--user", "nessuno"}, 1, "", "non trovato"},
		{"UnknownCommand", "", []string{"frobnicate"}, 2, "", "unknown command"},
		{"Version", "", []string{"version"}, 0, "procedo", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, env, s.stdin, s.args...)
			if code != s.code || !strings.Contains(out, s.wantOut) || !strings.Contains(errOut, s.wantErr) {
				t.Fatalf("exit %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", code, s.code, out, s.wantOut, errOut, s.wantErr)
			}
		})
	}
	t.Run("TokenCreate", func(t *testing.T) {
		out, _, code := runCLI(t, env, "", "token", "create", "--tenant", "comune-prova", "--user", "anna")
		if code != 0 || !strings.HasPrefix(out, "pdo_") || strings.Count(out, "\n") != 1 {
			t.Fatalf("token: %q (%d)", out, code)
		}
	})
}

func TestCLI_Deadline(t *testing.T) {
	env := map[string]string{}
	for _, tc := range []struct {
		name string
		args []string
		due  string
		code int
	}{
		{"Plain", []string{"--from", "2026-01-10", "--days", "30"}, "2026-02-09", 0},
		{"EndsOnSundayMoves", []string{"--from", "2026-01-01", "--days", "3"}, "2026-01-05", 0}, // 4 Jan 2026 is a Sunday
		{"EasterMonday", []string{"--from", "2026-03-07", "--days", "30"}, "2026-04-07", 0},
		{"FourthOfOctober", []string{"--from", "2026-09-04", "--days", "30"}, "2026-10-05", 0},
		{"Suspension", []string{"--from", "2026-01-10", "--days", "30", "--suspend", "2026-01-20:2026-01-29"}, "2026-02-19", 0},
		{"BadDate", []string{"--from", "10/01/2026", "--days", "30"}, "", 1},
		{"BadSuspend", []string{"--from", "2026-01-10", "--days", "30", "--suspend", "2026-01-20"}, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, env, "", append([]string{"deadline"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s %s", code, tc.code, out, errOut)
			}
			if tc.due != "" {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if last := lines[len(lines)-1]; last != tc.due {
					t.Fatalf("last line %q, want %q\n%s", last, tc.due, out)
				}
			}
		})
	}
}
