// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestSQLiteClassificationTokens checks, on SQLite, that the classification
// tokens Go writes for new entries are those the SQL view of migration 0010
// computes (for the existing entries and after corrections), for codes with
// several dots, empty levels, lower case and non-ASCII letters, and that a
// search by classification through them finds what the SQL filter finds,
// including SQLite's case-insensitive LIKE on sub-classes.
func TestSQLiteClassificationTokens(t *testing.T) {
	env := testkit.NewEnv(t)
	if env.DB.Dialect() != "sqlite" {
		t.Skip("the classification tokens exist only on SQLite")
	}
	A := env.A
	cls := sqlstore.NewClassificationService(env.DB)
	codes := []string{"zz", "zz.à.b", "zz..x", "zz.x-1.y", "zz.Q"}
	for _, code := range codes {
		parent := "zz"
		if code == "zz" {
			parent = ""
		}
		if err := cls.CreateClassification(A.AsUser(A.Admin), &procedo.Classification{Code: code, ParentCode: parent, Title: "Voce " + code}); err != nil {
			t.Fatal(err)
		}
	}
	regs := sqlstore.NewRegistrationService(env.DB)
	ctx := A.AsUser(A.Registry)
	var ids []int64
	for _, code := range append(codes, "VI.3", "") {
		r, err := regs.RegisterEntry(ctx, &procedo.RegistrationInput{Direction: procedo.DirectionInternal, Subject: "Nota " + code, Classification: code})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	differ := func() int {
		t.Helper()
		n, err := env.DB.RawCount(context.Background(), `registrations_fts f JOIN registration_class_tokens v ON v.id = f.rowid WHERE f.classes <> v.tokens`)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := differ(); n != 0 {
		t.Fatalf("%d entries have tokens other than the view's", n)
	}
	for _, tc := range []struct {
		filter string
		want   int
	}{{"zz", 5}, {"ZZ", 4}, {"zz.à", 1}, {"zz.", 1}, {"zz.x-1", 1}, {"zz.q", 0}, {"ZZ.Q", 0}, {"zz.Q", 1}, {"VI", 1}, {"zz.à.b", 1}} {
		_, total, err := regs.FindRegistrations(ctx, procedo.RegistrationFilter{Classification: &tc.filter})
		if err != nil || total != tc.want {
			t.Errorf("classification %q: %d found, want %d (%v)", tc.filter, total, tc.want, err)
		}
	}
	// A correction goes through the trigger, which uses the view.
	for i, code := range map[int]string{0: "zz.x-1.y", 1: "VI.3", 4: "zz..x"} {
		if _, err := regs.CorrectRegistration(ctx, ids[i], procedo.RegistrationCorrection{Classification: &code, Reason: "Riclassificata"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := differ(); n != 0 {
		t.Fatalf("after corrections %d entries have tokens other than the view's", n)
	}
	for _, tc := range []struct {
		filter string
		want   int
	}{{"zz.x-1", 2}, {"VI", 2}, {"zz.", 2}} {
		_, total, err := regs.FindRegistrations(ctx, procedo.RegistrationFilter{Classification: &tc.filter})
		if err != nil || total != tc.want {
			t.Errorf("after corrections, classification %q: %d found, want %d (%v)", tc.filter, total, tc.want, err)
		}
	}
}
