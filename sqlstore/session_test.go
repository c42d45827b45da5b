// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestSessionService_EndProviderSessions(t *testing.T) {
	env := testkit.NewEnv(t)
	svc := sqlstore.NewSessionService(env.DB)
	ctxA, ctxB := env.A.As(nil), env.B.As(nil)
	mario := &procedo.Citizen{FiscalCode: testkit.Mario.FiscalCode, GivenName: "Mario", FamilyName: "Rossi", Provider: "spid"}
	// newSession creates a citizen session of Comune A (or B) keyed with
	// subject at provider, with logout data logout.
	newSession := func(t *testing.T, onA bool, provider, subject, logout string) string {
		t.Helper()
		ctx := ctxA
		if !onA {
			ctx = ctxB
		}
		s, err := svc.CreateSession(ctx, nil, mario, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetProviderLogout(ctx, s.Token, logout, provider, subject); err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	alive := func(onA bool, token string) bool {
		ctx := ctxA
		if !onA {
			ctx = ctxB
		}
		_, err := svc.FindSession(ctx, token)
		return err == nil
	}
	a1 := newSession(t, true, "spid", "K", "idx-1")
	a2 := newSession(t, true, "spid", "K", "idx-2")
	aCIE := newSession(t, true, "cie", "K", "idx-1") // same key, another provider
	aOther := newSession(t, true, "spid", "J", "idx-1")
	b1 := newSession(t, false, "spid", "K", "idx-1") // same key, another tenant

	t.Run("Matching", func(t *testing.T) {
		ended, err := svc.EndProviderSessions(ctxA, "spid", "K", func(logout string) bool { return logout == "idx-1" })
		if err != nil {
			t.Fatal(err)
		}
		if len(ended) != 1 || ended[0].Citizen == nil || ended[0].Citizen.FiscalCode != mario.FiscalCode || ended[0].Token != "" ||
			ended[0].TenantID != env.A.Tenant.ID {
			t.Fatalf("ended %+v", ended)
		}
		if alive(true, a1) || !alive(true, a2) || !alive(true, aCIE) || !alive(true, aOther) || !alive(false, b1) {
			t.Fatal("wrong sessions ended")
		}
	})

	t.Run("All", func(t *testing.T) {
		ended, err := svc.EndProviderSessions(ctxA, "spid", "K", nil)
		if err != nil || len(ended) != 1 || alive(true, a2) || !alive(true, aCIE) || !alive(false, b1) {
			t.Fatalf("ended %+v %v", ended, err)
		}
	})

	t.Run("None", func(t *testing.T) {
		ended, err := svc.EndProviderSessions(ctxA, "spid", "nessuno", nil)
		if err != nil || len(ended) != 0 {
			t.Fatalf("ended %+v %v", ended, err)
		}
	})

	t.Run("WrongTenant", func(t *testing.T) {
		// Comune B cannot key Comune A's session, nor end it.
		if err := svc.SetProviderLogout(ctxB, aOther, "x", "spid", "X"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("other tenant keys the session: %v", err)
		}
		ended, err := svc.EndProviderSessions(ctxB, "spid", "J", nil)
		if err != nil || len(ended) != 0 || !alive(true, aOther) {
			t.Fatalf("other tenant ends %+v %v", ended, err)
		}
		ended, err = svc.EndProviderSessions(ctxB, "spid", "K", nil)
		if err != nil || len(ended) != 1 || alive(false, b1) || !alive(true, aCIE) {
			t.Fatalf("ended %+v %v", ended, err)
		}
	})
}
