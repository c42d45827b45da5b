// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func mustModel(t *testing.T, id string) *procedo.ProcedureDefinition {
	t.Helper()
	d, err := library.Model(id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestProcedureService_Drafts(t *testing.T) {
	env := testkit.NewEnv(t)
	procs := sqlstore.NewProcedureService(env.DB)
	admin, op := env.A.AsUser(env.A.Admin), env.A.AsUser(env.A.Operator)
	def := mustModel(t, "segnalazione-reclamo") // office SEGR exists in the fixture

	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := procs.CreateDraft(op, def, ""); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("operator created a draft: %v", err)
		}
		if _, err := procs.FindProcedureTypes(op); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("operator listed types: %v", err)
		}
	})
	var draft *procedo.ProcedureVersion
	t.Run("Create", func(t *testing.T) {
		var err error
		if draft, err = procs.CreateDraft(admin, def, "# sorgente\n"); err != nil {
			t.Fatal(err)
		}
		if draft.Version != 1 || draft.Status != procedo.ProcedureDraft || draft.PublishedAt != nil {
			t.Fatalf("draft %+v", draft)
		}
		if _, err := procs.CreateDraft(admin, def, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("second draft: %v", err)
		}
		if _, err := procs.FindPublishedProcedure(env.A.As(nil), def.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("a draft is offered to citizens: %v", err)
		}
		if _, err := procs.FindProcedureVersionByID(env.A.AsCitizen(testkit.Mario), draft.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("a citizen sees a draft: %v", err)
		}
		if _, err := procs.FindProcedureVersion(env.B.AsUser(env.B.Admin), def.ID, 1); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("another tenant sees the draft: %v", err)
		}
	})
	t.Run("Update", func(t *testing.T) {
		changed := *def
		changed.TermDays = 20
		v, err := procs.UpdateDraft(admin, draft.ID, &changed, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Definition.TermDays != 20 {
			t.Fatalf("not updated: %+v", v.Definition)
		}
		renamed := changed
		renamed.ID = "altro"
		if _, err := procs.UpdateDraft(admin, draft.ID, &renamed, ""); procedo.FieldErrorsOf(err)["id"] == "" {
			t.Fatalf("identifier changed: %v", err)
		}
		bad := changed
		bad.Title = ""
		if _, err := procs.UpdateDraft(admin, draft.ID, &bad, ""); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("invalid draft stored: %v", err)
		}
		if _, err := procs.UpdateDraft(env.B.AsUser(env.B.Admin), draft.ID, &changed, ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("other tenant updated the draft: %v", err)
		}
	})
	t.Run("Publish", func(t *testing.T) {
		v, err := procs.PublishDraft(admin, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != procedo.ProcedurePublished || v.PublishedAt == nil {
			t.Fatalf("%+v", v)
		}
		if _, err := procs.UpdateDraft(admin, draft.ID, def, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("published version updated: %v", err)
		}
		if err := procs.DeleteDraft(admin, draft.ID); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("published version deleted: %v", err)
		}
		pub, err := procs.FindPublishedProcedure(env.A.As(nil), def.ID)
		if err != nil || pub.ID != draft.ID || pub.Definition.TermDays != 20 {
			t.Fatalf("published: %+v, %v", pub, err)
		}
	})
	t.Run("PublishNeedsOffice", func(t *testing.T) {
		d := mustModel(t, "passo-carrabile") // office TEC does not exist in the fixture
		v, err := procs.CreateDraft(admin, d, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := procs.PublishDraft(admin, v.ID); procedo.FieldErrorsOf(err)["office"] == "" {
			t.Fatalf("published with a missing office: %v", err)
		}
		if err := procs.DeleteDraft(admin, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := procs.FindProcedureVersions(admin, d.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("type of a deleted only draft survives: %v", err)
		}
	})
	t.Run("Types", func(t *testing.T) {
		if _, err := procs.CreateDraft(admin, def, ""); err != nil {
			t.Fatal(err)
		}
		types, err := procs.FindProcedureTypes(admin)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ty := range types {
			if ty.Key == def.ID {
				found = true
				if ty.Published == nil || ty.Published.Version != 1 || ty.Draft == nil || ty.Draft.Version != 2 || ty.VersionCount != 2 {
					t.Errorf("type summary %+v", ty)
				}
			}
		}
		if !found {
			t.Fatal("type not listed")
		}
		typesB, err := procs.FindProcedureTypes(env.B.AsUser(env.B.Admin))
		if err != nil {
			t.Fatal(err)
		}
		for _, ty := range typesB {
			if ty.Key == def.ID {
				t.Error("other tenant lists the type")
			}
		}
	})
}

// TestProcedureService_VersionPinning proves invariant 6: a case runs on the
// version it started with; publishing a new version changes only new cases,
// and published versions cannot be changed even with SQL.
func TestProcedureService_VersionPinning(t *testing.T) {
	env := testkit.NewEnv(t)
	procs := sqlstore.NewProcedureService(env.DB)
	admin := env.A.AsUser(env.A.Admin)
	old := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)

	// Version 2 renames the actions and changes the term.
	def := mustModel(t, "accesso-documentale")
	def.TermDays = 20
	for i := range def.Workflow.Transitions {
		if def.Workflow.Transitions[i].Name == "accept" {
			def.Workflow.Transitions[i].Name = "grant"
		}
	}
	draft, err := procs.CreateDraft(admin, def, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := procs.PublishDraft(admin, draft.ID); err != nil {
		t.Fatal(err)
	}
	pub, err := procs.FindPublishedProcedure(env.A.As(nil), def.ID)
	if err != nil || pub.Version != 2 {
		t.Fatalf("newest published: %+v, %v", pub, err)
	}
	receipt, err := sqlstore.NewApplicationService(env.DB).SubmitApplication(env.A.AsCitizen(testkit.Lucia), pub.ID, testkit.ValidForm(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if receipt.Case.TermDays != 20 || old.Case.TermDays != 30 {
		t.Errorf("terms: new case %d, old case %d", receipt.Case.TermDays, old.Case.TermDays)
	}
	cases := sqlstore.NewCaseService(env.DB)
	op := env.A.AsUser(env.A.Operator)
	if _, err := cases.TransitionCase(op, old.Case.ID, "grant", ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Errorf("the old case used the new workflow: %v", err)
	}
	if _, err := cases.TransitionCase(op, receipt.Case.ID, "accept", ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Errorf("the new case used the old workflow: %v", err)
	}
	if c, err := cases.TransitionCase(op, old.Case.ID, "accept", ""); err != nil || c.Status != procedo.CaseAccepted {
		t.Errorf("old case: %+v, %v", c, err)
	}
	if c, err := cases.TransitionCase(op, receipt.Case.ID, "grant", ""); err != nil || c.Status != procedo.CaseAccepted || c.ClosedAt == nil {
		t.Errorf("new case: %+v, %v", c, err)
	}
	versions, err := procs.FindProcedureVersions(admin, def.ID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions %v, %v", versions, err)
	}
	for _, v := range versions {
		if v.Cases != 1 || v.OpenCases != 0 {
			t.Errorf("version %d: %d cases, %d open", v.Version, v.Cases, v.OpenCases)
		}
	}
	for _, q := range []string{
		`UPDATE procedure_versions SET definition = '{}' WHERE status = 'published'`,
		`UPDATE procedure_versions SET version = version + 10 WHERE status = 'published'`,
		`UPDATE procedure_versions SET status = 'draft' WHERE status = 'published'`,
		`DELETE FROM procedure_versions WHERE status = 'published'`,
	} {
		if err := testkit.Exec(env.DB, q); err == nil {
			t.Errorf("%s: the database allowed it", q)
		}
	}
	if err := testkit.Exec(env.DB, `UPDATE procedure_versions SET status = 'retired' WHERE id = ?`, old.Procedure.ID); err != nil {
		t.Errorf("retiring a version: %v", err)
	}
}

func TestProcedureService_ImportProcedures(t *testing.T) {
	env := testkit.NewEnv(t)
	procs := sqlstore.NewProcedureService(env.DB)
	admin := env.A.AsUser(env.A.Admin)
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := procs.ImportProcedures(env.A.AsUser(env.A.Manager), defs, true); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatal(err)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		plan, err := procs.ImportProcedures(admin, defs, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Items) != len(defs) {
			t.Fatalf("%d items", len(plan.Items))
		}
		for _, it := range plan.Items {
			want := procedo.ImportCreate
			if it.Definition.ID == "accesso-documentale" {
				want = procedo.ImportUnchanged // the fixture published the same model
			}
			if it.Action != want || it.Draft != nil {
				t.Errorf("%s: %s, draft %v", it.Definition.ID, it.Action, it.Draft)
			}
			if it.Definition.ID == "passo-carrabile" && len(it.Localise) == 0 {
				t.Error("passo-carrabile: its office TEC must be localised")
			}
		}
		types, _ := procs.FindProcedureTypes(admin)
		if len(types) != 1 {
			t.Errorf("a dry run stored %d types", len(types))
		}
	})
	t.Run("BadPackageRefusedWhole", func(t *testing.T) {
		bad := *defs[1]
		bad.TermDays = 0
		dup := *defs[2]
		dup.ID = defs[3].ID
		_, err := procs.ImportProcedures(admin, []*procedo.ProcedureDefinition{defs[4], &bad, &dup, defs[3]}, false)
		fe := procedo.FieldErrorsOf(err)
		if fe["models[1].term_days"] == "" || fe["models[3].id"] == "" {
			t.Fatalf("errors %v", err)
		}
		types, _ := procs.FindProcedureTypes(admin)
		if len(types) != 1 {
			t.Errorf("a refused package stored %d types", len(types))
		}
	})
	t.Run("Import", func(t *testing.T) {
		plan, err := procs.ImportProcedures(admin, defs, false)
		if err != nil {
			t.Fatal(err)
		}
		created := 0
		for _, it := range plan.Items {
			if it.Action == procedo.ImportCreate {
				created++
				if it.Draft == nil || it.Draft.Status != procedo.ProcedureDraft || it.Draft.Version != 1 {
					t.Errorf("%s: draft %+v", it.Definition.ID, it.Draft)
				}
			}
		}
		if created != len(defs)-1 {
			t.Errorf("%d drafts created", created)
		}
		if _, err := procs.ImportProcedures(admin, defs, false); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("importing over drafts: %v", err)
		}
		if _, err := procs.FindProcedureVersion(env.B.AsUser(env.B.Admin), "passo-carrabile", 1); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("other tenant sees imported drafts: %v", err)
		}
	})
	t.Run("NewerVersionMakesDraftWithDiff", func(t *testing.T) {
		newer := mustModel(t, "accesso-documentale")
		newer.ModelVersion = "1.2"
		newer.TermDays = 25
		plan, err := procs.ImportProcedures(admin, []*procedo.ProcedureDefinition{newer}, false)
		if err != nil {
			t.Fatal(err)
		}
		it := plan.Items[0]
		if it.Action != procedo.ImportUpdate || it.Current == nil || it.Current.Status != procedo.ProcedurePublished || it.Draft.Version != 2 {
			t.Fatalf("%+v", it)
		}
		found := false
		for _, c := range it.Changes {
			found = found || (c.Path == "term_days" && c.Old == "30" && c.New == "25")
		}
		if !found {
			t.Errorf("changes %v", it.Changes)
		}
		pub, err := procs.FindPublishedProcedure(env.A.As(nil), newer.ID)
		if err != nil || pub.Version != 1 || pub.Definition.TermDays != 30 {
			t.Errorf("the published version changed: %+v, %v", pub, err)
		}
	})
}
