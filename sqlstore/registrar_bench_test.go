// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// BenchmarkRegisterEntry registers b.N entries with 32 concurrent callers,
// through group commit, on a database file (or PROCEDO_TEST_DB): the code
// path procedo bench registrations measures, for go test -bench -cpuprofile.
func BenchmarkRegisterEntry(b *testing.B) {
	env := testkit.NewEnv(b)
	regs := sqlstore.NewRegistrationService(env.DB)
	ctx := env.A.AsUser(env.A.Registry)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	b.ResetTimer()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				in := &procedo.RegistrationInput{Direction: procedo.DirectionIncoming, Subject: fmt.Sprintf("Istanza di prova n. %d per il benchmark", i),
					Correspondents: []procedo.Correspondent{{Name: "Mario Rossi"}}, Channel: "posta"}
				if _, err := regs.RegisterEntry(ctx, in); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}
