// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestLateSync checks group commit with the sync of the log outside the write
// lock (registrar_sync.go): on a SQLite file it applies, concurrent
// registrations are all acknowledged with gap-free numbers, the write
// connection is back to synchronous=FULL for every other transaction, and the
// register verifies; on PostgreSQL it does not apply and the same registrations work.
func TestLateSync(t *testing.T) {
	env := testkit.NewEnv(t)
	A := env.A
	path := sqlstore.LateSyncFile(env.DB)
	if (env.DB.Dialect() == "sqlite") != (path != "") {
		t.Fatalf("late sync file %q on %s", path, env.DB.Dialect())
	}
	regs := sqlstore.NewRegistrationService(env.DB)
	ctx := A.AsUser(A.Registry)
	const n = 48
	var wg sync.WaitGroup
	numbers := make(chan int, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := regs.RegisterEntry(ctx, &procedo.RegistrationInput{Direction: procedo.DirectionInternal, Subject: fmt.Sprintf("Nota %d", i)})
			if err != nil {
				errs <- err
				return
			}
			numbers <- r.Number
		}()
	}
	wg.Wait()
	close(numbers)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for num := range numbers {
		seen[num] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[i] {
			t.Fatalf("number %d not given: %v", i, seen)
		}
	}
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the log synced is not where the database keeps it: %v", err)
		}
		if s, err := sqlstore.WriteSynchronous(env.DB); err != nil || s != 2 {
			t.Fatalf("write connection left with synchronous=%d (%v), want 2 (FULL)", s, err)
		}
	}
	problems, err := env.DB.Verify(context.Background(), "comune-a")
	if err != nil || len(problems) > 0 {
		t.Fatalf("verify after late-synced batches: %v %v", problems, err)
	}
}

// TestLateSyncFailure: if the log cannot be synced, the callers of the batch
// are told the registration is not confirmed, with an error the surfaces
// answer as "unavailable", never an acknowledgement.
func TestLateSyncFailure(t *testing.T) {
	env := testkit.NewEnv(t)
	if env.DB.Dialect() != "sqlite" {
		t.Skip("late sync exists only on SQLite")
	}
	err := sqlstore.SyncAnswer(env.DB, filepath.Join(t.TempDir(), "missing", "procedo.db-wal"))
	if err == nil || procedo.ErrorCode(err) != procedo.EUNAVAILABLE {
		t.Fatalf("failed sync answered %v (code %q), want %s", err, procedo.ErrorCode(err), procedo.EUNAVAILABLE)
	}
	if err := sqlstore.SyncAnswer(env.DB, sqlstore.LateSyncFile(env.DB)); err != nil {
		t.Fatalf("sync of the real log: %v", err)
	}
}
