// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestClassificationService_FindClassifications(t *testing.T) {
	env := testkit.NewEnv(t)
	cls := sqlstore.NewClassificationService(env.DB)
	A, B := env.A, env.B
	t.Run("OK", func(t *testing.T) {
		list, err := cls.FindClassifications(A.AsUser(A.Registry))
		if err != nil {
			t.Fatal(err)
		}
		if len(list) < 2 || list[0].Code != "I" || !list[0].IsTitle() || list[1].Code != "I.1" || list[1].ParentCode != "I" {
			t.Fatalf("titolario does not start with I, I.1: %+v %+v", list[0], list[1])
		}
		// In titolario order: every classe follows its titolo.
		titles := map[string]bool{}
		for _, c := range list {
			if c.Title == "" {
				t.Errorf("%s has no title", c.Code)
			}
			if c.IsTitle() {
				titles[c.Code] = true
			} else if !titles[c.ParentCode] {
				t.Errorf("%s comes before its titolo %s", c.Code, c.ParentCode)
			}
		}
		if !titles["VI"] {
			t.Errorf("titolo VI missing")
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		// Comune B's edit of its own titolario is not seen by A.
		if err := testkit.Exec(env.DB, `UPDATE classifications SET title = 'Solo di Beta' WHERE tenant_id = ? AND code = 'I'`, B.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		a, err := cls.FindClassifications(A.AsUser(A.Operator))
		if err != nil {
			t.Fatal(err)
		}
		b, err := cls.FindClassifications(B.AsUser(B.Operator))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) || a[0].Title == "Solo di Beta" || b[0].Title != "Solo di Beta" || a[0].ID == b[0].ID {
			t.Fatalf("tenants mixed: A %+v, B %+v", a[0], b[0])
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if _, err := cls.FindClassifications(A.AsCitizen(testkit.Mario)); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("citizen: %v", err)
		}
	})
}

func TestClassificationService_Edit(t *testing.T) {
	env := testkit.NewEnv(t)
	cs := sqlstore.NewClassificationService(env.DB)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	admin := A.AsUser(A.Admin)
	in := incoming("Pratica classificata in VI.3")
	in.Classification = "VI.3"
	r, err := regs.RegisterEntry(A.AsUser(A.Registry), in)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Create", func(t *testing.T) {
		c := &procedo.Classification{Code: "VI.3.1", ParentCode: "VI", Title: "Permessi di costruire"}
		if err := cs.CreateClassification(admin, c); err != nil || !c.Active {
			t.Fatalf("%v", err)
		}
		if err := cs.CreateClassification(admin, &procedo.Classification{Code: "VII.99", ParentCode: "VI", Title: "x"}); procedo.FieldErrorsOf(err)["code"] == "" {
			t.Fatalf("a class outside its title accepted: %v", err)
		}
		if err := cs.CreateClassification(admin, &procedo.Classification{Code: "VI.3", ParentCode: "VI", Title: "doppione"}); procedo.FieldErrorsOf(err)["code"] == "" {
			t.Fatalf("duplicate code accepted: %v", err)
		}
		if err := cs.CreateClassification(A.AsUser(A.Registry), &procedo.Classification{Code: "XV", Title: "Non classificati"}); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("registry edited the titolario: %v", err)
		}
	})
	t.Run("RenameAndDeactivate", func(t *testing.T) {
		title, off := "Edilizia privata e SUE", false
		c, err := cs.UpdateClassification(admin, "VI.3", &title, &off)
		if err != nil || c.Title != title || c.Active {
			t.Fatalf("%+v %v", c, err)
		}
		// What is classified keeps its code; new entries cannot use the inactive class.
		got, err := regs.FindRegistrationByID(A.AsUser(A.Registry), r.ID)
		if err != nil || got.Classification != "VI.3" {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := regs.RegisterEntry(A.AsUser(A.Registry), in); procedo.FieldErrorsOf(err)["classification"] == "" {
			t.Fatalf("inactive class accepted: %v", err)
		}
		if _, err := cs.UpdateClassification(env.B.AsUser(env.B.Admin), "VI.3", &title, nil); err != nil {
			t.Fatalf("B has its own titolario: %v", err)
		}
		list, _ := cs.FindClassifications(env.B.AsUser(env.B.Admin))
		for _, c := range list {
			if c.Code == "VI.3" && !c.Active {
				t.Fatal("A's change reached B")
			}
		}
	})
	t.Run("DatabaseRefusesCodeChangesAndDeletes", func(t *testing.T) {
		if err := testkit.Exec(env.DB, `UPDATE classifications SET code = 'X' WHERE code = 'VI.3'`); err == nil {
			t.Fatal("code changed")
		}
		if err := testkit.Exec(env.DB, `DELETE FROM classifications WHERE code = 'VI.3'`); err == nil {
			t.Fatal("entry deleted")
		}
	})
}
