// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestDailyRegister(t *testing.T) {
	env := testkit.NewEnv(t)
	A := env.A
	regs := sqlstore.NewRegistrationService(env.DB)
	// Friday 2 October 2026: the next day is Saturday (a working day for
	// administrative terms), 4 October a holiday.
	friday := time.Date(2026, 10, 2, 9, 0, 0, 0, procedo.Rome)
	env.DB.Now = func() time.Time { return friday }
	var last *procedo.Registration
	for _, s := range []string{"Prima", "Seconda", "Terza"} {
		r, err := regs.RegisterEntry(A.AsUser(A.Registry), incoming(s+" registrazione del giorno"))
		if err != nil {
			t.Fatal(err)
		}
		last = r
	}
	records := &procedo.User{ID: A.Registry.ID, TenantID: A.Tenant.ID, Username: "archivista", Roles: []procedo.Role{procedo.RoleRecords}}
	env.DB.Now = func() time.Time { return friday.Add(2 * time.Hour) }
	cls := "I.6"
	if _, err := regs.CorrectRegistration(A.AsUser(A.Registry), last.ID, procedo.RegistrationCorrection{Classification: &cls, Reason: "errore"}); err != nil {
		t.Fatal(err)
	}
	daily := sqlstore.NewDailyRegisterService(env.DB)
	sys := A.As(procedo.SystemActor)
	if _, err := daily.ProduceDailyRegister(sys, procedo.DateOf(friday)); procedo.ErrorCode(err) != procedo.ECONFLICT {
		t.Fatalf("produced the register of a day not yet over: %v", err)
	}
	// The next morning the scheduler enqueues it, once even if asked twice (replicas).
	env.DB.Now = func() time.Time { return friday.Add(24 * time.Hour) }
	for i := 0; i < 2; i++ {
		if err := env.DB.ScheduleDailyRegisters(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := sqlstore.NewJobStore(env.DB).JobCounts(context.Background())
	if err != nil || counts["queued"] < 1 {
		t.Fatalf("jobs %v %v", counts, err)
	}
	if _, err := daily.ProduceDailyRegister(A.AsUser(A.Registry), procedo.DateOf(friday)); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
		t.Fatalf("registry produced it: %v", err)
	}
	d, err := daily.ProduceDailyRegister(A.AsUser(records), procedo.DateOf(friday))
	if err != nil {
		t.Fatal(err)
	}
	if d.Entries != 3 || d.Changes != 1 || d.ChainHead != last.ChainHash || d.ConservationDue != procedo.NewDate(2026, 10, 3) {
		t.Fatalf("%+v", d)
	}
	again, err := daily.ProduceDailyRegister(sys, procedo.DateOf(friday))
	if err != nil || again.ID != d.ID {
		t.Fatalf("produced twice: %+v %v", again, err)
	}
	_, rc, err := sqlstore.NewDocumentService(env.DB).OpenDocument(A.AsUser(A.Registry), d.JSONDocumentID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	var doc struct {
		Entries []struct {
			Number  string `json:"numero"`
			Subject string `json:"oggetto"`
		} `json:"registrazioni"`
		Changes []struct {
			Kind string `json:"tipo"`
		} `json:"modifiche"`
		Head string `json:"testa_catena"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Entries) != 3 || doc.Entries[0].Number != "0000001" || doc.Head != last.ChainHash ||
		len(doc.Changes) != 1 {
		t.Fatalf("%s %v", b, err)
	}
	own, err := regs.FindRegistrationByID(A.AsUser(A.Registry), d.RegistrationID)
	if err != nil || own.Direction != procedo.DirectionInternal || own.Number != 4 {
		t.Fatalf("its registration: %+v %v", own, err)
	}
	if _, err := daily.FindDailyRegister(env.B.As(procedo.SystemActor), procedo.DateOf(friday)); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("other tenant: %v", err)
	}
	if ps, err := env.DB.Verify(context.Background(), ""); err != nil || len(ps) != 0 {
		t.Fatalf("verify %v %v", ps, err)
	}
}
