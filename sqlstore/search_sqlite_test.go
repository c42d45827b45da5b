// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestSQLiteClassificationTokens checks, on SQLite, that each entry is found in
// the full-text table by exactly the classification tokens of its code (codes
// with several dots, empty levels, lower case and non-ASCII letters), that a
// search by classification through them finds what the SQL filter finds,
// including SQLite's case-insensitive LIKE on sub-classes, and that a
// correction replaces the entry's tokens and keeps its words: the table keeps
// no copy of what it indexed (migration 0016), so a 'delete' with other values
// than those indexed would leave the old tokens behind.
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
	current := map[int64]string{}
	for _, code := range append(codes, "VI.3", "") {
		r, err := regs.RegisterEntry(ctx, &procedo.RegistrationInput{Direction: procedo.DirectionInternal, Subject: "Nota " + code, Classification: code})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
		current[r.ID] = code
	}
	// matches counts the entries of the table matching an FTS5 query.
	matches := func(id int64, query string) int {
		t.Helper()
		n, err := env.DB.RawCount(context.Background(), fmt.Sprintf(`registrations_fts WHERE rowid = %d AND registrations_fts MATCH '%s'`, id, query))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// check: every token of the current code, and only those, finds the
	// entry; so does its word.
	check := func(stage string, old map[int64]string) {
		t.Helper()
		for id, code := range current {
			for _, tok := range strings.Fields(sqlstore.ClassificationTokens(code)) {
				if matches(id, "classes : "+tok) != 1 {
					t.Errorf("%s: entry %d (%q) not found by its token %s", stage, id, code, tok)
				}
			}
			for _, tok := range strings.Fields(sqlstore.ClassificationTokens(old[id])) {
				if !strings.Contains(" "+sqlstore.ClassificationTokens(code)+" ", " "+tok+" ") && matches(id, "classes : "+tok) != 0 {
					t.Errorf("%s: entry %d (%q) still found by the token %s of %q", stage, id, code, tok, old[id])
				}
			}
			if matches(id, `words : "not"`) != 1 {
				t.Errorf("%s: entry %d lost its words", stage, id)
			}
		}
	}
	check("registered", nil)
	for _, tc := range []struct {
		filter string
		want   int
	}{{"zz", 5}, {"ZZ", 4}, {"zz.à", 1}, {"zz.", 1}, {"zz.x-1", 1}, {"zz.q", 0}, {"ZZ.Q", 0}, {"zz.Q", 1}, {"VI", 1}, {"zz.à.b", 1}} {
		_, total, err := regs.FindRegistrations(ctx, procedo.RegistrationFilter{Classification: &tc.filter})
		if err != nil || total != tc.want {
			t.Errorf("classification %q: %d found, want %d (%v)", tc.filter, total, tc.want, err)
		}
	}
	// A correction replaces the tokens; twice on one entry, and to and from no code.
	before := maps.Clone(current)
	for i, code := range map[int]string{0: "zz.x-1.y", 1: "VI.3", 4: "zz..x", 6: "zz.Q"} {
		if _, err := regs.CorrectRegistration(ctx, ids[i], procedo.RegistrationCorrection{Classification: &code, Reason: "Riclassificata"}); err != nil {
			t.Fatal(err)
		}
		current[ids[i]] = code
	}
	check("corrected", before)
	before = maps.Clone(current)
	for i, code := range map[int]string{0: "", 6: "VI.3"} {
		if _, err := regs.CorrectRegistration(ctx, ids[i], procedo.RegistrationCorrection{Classification: &code, Reason: "Riclassificata ancora"}); err != nil {
			t.Fatal(err)
		}
		current[ids[i]] = code
	}
	check("corrected again", before)
	for _, tc := range []struct {
		filter string
		want   int
	}{{"zz.x-1", 1}, {"VI", 3}, {"zz.", 2}, {"zz.Q", 0}, {"zz", 3}} {
		_, total, err := regs.FindRegistrations(ctx, procedo.RegistrationFilter{Classification: &tc.filter})
		if err != nil || total != tc.want {
			t.Errorf("after corrections, classification %q: %d found, want %d (%v)", tc.filter, total, tc.want, err)
		}
	}
}

// TestSQLiteLongSubjectsIndexed: every word of a long oggetto and of the
// correspondents is found, also after the full-text table is filled again
// from the stored entries (the Go step of migration 0016), and a correction
// after that removes exactly the entry's old tokens.
func TestSQLiteLongSubjectsIndexed(t *testing.T) {
	env := testkit.NewEnv(t)
	if env.DB.Dialect() != "sqlite" {
		t.Skip("the full-text table exists only on SQLite")
	}
	A := env.A
	regs := sqlstore.NewRegistrationService(env.DB)
	ctx := A.AsUser(A.Registry)
	var words []string
	for i := 0; i < 60; i++ {
		words = append(words, "parola"+strings.Repeat("x", i%7)+fmt.Sprint(i))
	}
	subject := "Richiesta " + strings.Join(words, " ") + " ponteggio facciata"
	r, err := regs.RegisterEntry(ctx, &procedo.RegistrationInput{Direction: procedo.DirectionIncoming, Subject: subject,
		Correspondents: []procedo.Correspondent{{Name: "Condominio Via Roma dodici"}}, Classification: "VI.3"})
	if err != nil {
		t.Fatal(err)
	}
	find := func(stage string, q procedo.RegistrationFilter, want int) {
		t.Helper()
		_, total, err := regs.FindRegistrations(ctx, q)
		if err != nil || total != want {
			t.Errorf("%s: %+v found %d (%v), want %d", stage, q, total, err, want)
		}
	}
	check := func(stage string) {
		t.Helper()
		find(stage, procedo.RegistrationFilter{Query: "ponteggio"}, 1) // the 62nd word
		find(stage, procedo.RegistrationFilter{Query: "facciate"}, 1)  // stemmed
		find(stage, procedo.RegistrationFilter{Query: words[45]}, 1)   // in the middle
		find(stage, procedo.RegistrationFilter{Correspondent: "dodici"}, 1)
	}
	check("registered")
	if err := sqlstore.ReindexRegistrations(env.DB); err != nil {
		t.Fatal(err)
	}
	check("reindexed")
	cls := "VI.3"
	find("reindexed", procedo.RegistrationFilter{Query: "ponteggio", Classification: &cls}, 1)
	code := "I.1"
	if _, err := regs.CorrectRegistration(ctx, r.ID, procedo.RegistrationCorrection{Classification: &code, Reason: "Riclassificata"}); err != nil {
		t.Fatal(err)
	}
	check("corrected")
	find("corrected", procedo.RegistrationFilter{Query: "ponteggio", Classification: &cls}, 0)
	find("corrected", procedo.RegistrationFilter{Query: "ponteggio", Classification: &code}, 1)
	n, err := env.DB.RawCount(context.Background(), fmt.Sprintf(`registrations_fts WHERE rowid = %d AND registrations_fts MATCH 'classes : %s'`,
		r.ID, strings.Fields(sqlstore.ClassificationTokens("VI.3"))[0]))
	if err != nil || n != 0 {
		t.Fatalf("old classification token still indexed: %d %v", n, err)
	}
}

// TestSQLiteMigration16FillsIndex runs migration 0016 again on a database
// with registrations (its statements tolerate what they already did): its
// SQL creates the full-text table empty and its Go step, in the same
// transaction, fills it with every word of every entry.
func TestSQLiteMigration16FillsIndex(t *testing.T) {
	env := testkit.NewEnv(t)
	if env.DB.Dialect() != "sqlite" {
		t.Skip("migration 0016 has a Go step only on SQLite")
	}
	regs := sqlstore.NewRegistrationService(env.DB)
	ctx := env.A.AsUser(env.A.Registry)
	long := "Domanda " + strings.Repeat("relativa al procedimento ", 15) + "ponteggio"
	for i := 0; i < 30; i++ {
		if _, err := regs.RegisterEntry(ctx, &procedo.RegistrationInput{Direction: procedo.DirectionIncoming,
			Subject: fmt.Sprintf("%s numero %d", long, i), Correspondents: []procedo.Correspondent{{Name: "Impresa Edile Bianchi"}}}); err != nil {
			t.Fatal(err)
		}
	}
	bg := context.Background()
	if err := env.DB.RawExec(bg, `DELETE FROM schema_migrations WHERE version = 16`); err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	for _, q := range []procedo.RegistrationFilter{{Query: "ponteggio"}, {Query: "procedimento"}, {Correspondent: "bianchi"}} {
		if _, total, err := regs.FindRegistrations(ctx, q); err != nil || total != 30 {
			t.Errorf("%+v: %d found (%v), want 30", q, total, err)
		}
	}
}
