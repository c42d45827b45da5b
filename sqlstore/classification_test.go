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
