// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // admin connection for throwaway benchmark databases

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

// runBench implements `procedo bench registrations|generate|search|cases-generate|cases`.
func (m *Main) runBench(ctx context.Context, cfg Config, args []string) error {
	if len(args) == 0 {
		return &exitError{2, fmt.Errorf("bench: choose registrations, generate, search, cases-generate or cases")}
	}
	switch args[0] {
	case "registrations":
		return m.benchRegistrations(ctx, cfg, args[1:])
	case "generate":
		return m.benchGenerate(ctx, cfg, args[1:])
	case "search":
		return m.benchSearch(ctx, cfg, args[1:])
	case "cases-generate":
		return m.benchCasesGenerate(ctx, cfg, args[1:])
	case "cases":
		return m.benchCases(ctx, cfg, args[1:])
	}
	return &exitError{2, fmt.Errorf("bench: unknown scenario %q", args[0])}
}

// freshDatabase returns the DSN of an empty database like cfg.DB: a temporary
// SQLite file, or a new database on the PostgreSQL server of cfg.DB, and a
// function that removes it.
func freshDatabase(ctx context.Context, cfg Config) (string, func(), error) {
	if !strings.HasPrefix(cfg.DB, "postgres") {
		dir, err := os.MkdirTemp("", "procedo-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "procedo_bench_" + hex.EncodeToString(b)
	adm, err := sql.Open("pgx", cfg.DB)
	if err != nil {
		return "", nil, err
	}
	if _, err := adm.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adm.Close()
		return "", nil, err
	}
	u, err := url.Parse(cfg.DB)
	if err != nil {
		adm.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		_, _ = adm.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		adm.Close()
	}, nil
}

// benchTenant opens a migrated store on dsn with one tenant and a registry user.
func (m *Main) benchStore(ctx context.Context, cfg Config, dsn string) (*sqlstore.DB, context.Context, func(), error) {
	dir, err := os.MkdirTemp("", "procedo-bench-blobs-")
	if err != nil {
		return nil, nil, nil, err
	}
	cfg.DB, cfg.Blobs, cfg.LogLevel = dsn, "file:"+dir, "error"
	db, blobs, err := openStore(ctx, cfg, m.logger(cfg))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, nil, err
	}
	closeAll := func() { blobs.Close(); db.Close(); os.RemoveAll(dir) }
	t := &procedo.Tenant{Slug: "bench", Name: "Comune di Prova Prestazioni"}
	tenants := sqlstore.NewTenantService(db)
	if err := tenants.CreateTenant(ctx, t); err != nil {
		if procedo.ErrorCode(err) != procedo.EINVALID {
			closeAll()
			return nil, nil, nil, err
		}
		if t, err = tenants.FindTenantBySlug(ctx, "bench"); err != nil {
			closeAll()
			return nil, nil, nil, err
		}
	}
	sys := procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, t), procedo.SystemActor)
	u := &procedo.User{Username: "protocollo", Roles: []procedo.Role{procedo.RoleRegistry}}
	users := sqlstore.NewUserService(db)
	if err := users.CreateUser(sys, u, "password-del-benchmark"); err != nil {
		list, _, ferr := users.FindUsers(sys, procedo.UserFilter{Username: &u.Username})
		if ferr != nil || len(list) == 0 {
			closeAll()
			return nil, nil, nil, err
		}
		u = list[0]
	}
	return db, procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, t), &procedo.Actor{Kind: procedo.ActorUser, User: u}), closeAll, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// benchRegistrations registers count entries with clients concurrent callers on
// a fresh database and prints the rate beside the raw limits of the same
// database measured in the same run. The run is made of rounds, each a raw
// measurement of commits of 16 rows next to a share of the registrations, so
// that each ratio compares measurements taken under the same load of the
// machine; the ratio given is their median.
func (m *Main) benchRegistrations(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("bench registrations")
	clients := fs.Int("clients", 32, "concurrent clients")
	count := fs.Int("count", 5000, "registrations to make")
	rounds := fs.Int("rounds", 3, "rounds, each a raw measurement next to a share of the registrations")
	raw := fs.Int("raw", 2000, "rows for each raw limit measurement")
	withFile := fs.Bool("with-file", false, "attach a 2 KB main document to each registration (stored and synced first)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the procedo phase to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 || *count < *rounds {
		return &exitError{2, fmt.Errorf("bench registrations: --rounds must be between 1 and --count")}
	}
	dsn, drop, err := freshDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer drop()
	db, rctx, closeAll, err := m.benchStore(ctx, cfg, dsn)
	if err != nil {
		return err
	}
	defer closeAll()
	fmt.Fprintf(m.Stdout, "database: %s (fresh), %d clients, %d registrations in %d rounds, file per registration: %v\n", db.Dialect(),
		*clients, *count, *rounds, *withFile)
	single, err := db.BenchRaw(ctx, *raw, 1)
	if err != nil {
		return err
	}
	rawSingle := float64(*raw) / single.Seconds()
	fmt.Fprintf(m.Stdout, "raw limit, one commit per row:      %8.0f rows/s\n", rawSingle)

	regs := sqlstore.NewRegistrationService(db)
	lat := make([]time.Duration, *count)
	// register makes registrations from..to-1 with the clients.
	register := func(from, to int) error {
		next := from
		var mu sync.Mutex
		var firstErr error
		var wg sync.WaitGroup
		for c := 0; c < *clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					i := next
					next++
					stop := i >= to || firstErr != nil
					mu.Unlock()
					if stop {
						return
					}
					t0 := time.Now()
					in := &procedo.RegistrationInput{Direction: procedo.DirectionIncoming, Subject: fmt.Sprintf("Istanza di prova n. %d per il benchmark", i),
						Correspondents: []procedo.Correspondent{{Name: "Mario Rossi"}}, Channel: "posta"}
					if *withFile {
						content := bytes.Repeat([]byte(fmt.Sprintf("documento %d ", i)), 150)
						info, err := db.Blobs.Put(rctx, procedo.TenantIDFromContext(rctx), bytes.NewReader(content))
						if err != nil {
							mu.Lock()
							firstErr = err
							mu.Unlock()
							return
						}
						in.Main = &procedo.Upload{Filename: "documento.pdf", MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}
					}
					if _, err := regs.RegisterEntry(rctx, in); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		return firstErr
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	var elapsed time.Duration
	var raws, ratios []float64
	for r := 0; r < *rounds; r++ {
		batched, err := db.BenchRaw(ctx, *raw*4, 16)
		if err != nil {
			return err
		}
		rawBatch := float64(*raw*4) / batched.Seconds()
		from, to := r**count / *rounds, (r+1)**count / *rounds
		start := time.Now()
		if err := register(from, to); err != nil {
			return err
		}
		d := time.Since(start)
		elapsed += d
		rate := float64(to-from) / d.Seconds()
		raws, ratios = append(raws, rawBatch), append(ratios, rate/rawBatch)
		fmt.Fprintf(m.Stdout, "round %d: raw limit, commits of 16 rows %8.0f rows/s; procedo %8.0f /s; ratio %.2f\n", r+1, rawBatch, rate, rate/rawBatch)
	}
	rate := float64(*count) / elapsed.Seconds()
	fmt.Fprintf(m.Stdout, "raw limit, commits of 16 rows:      %8.0f rows/s (median of rounds)\n", median(raws))
	fmt.Fprintf(m.Stdout, "procedo registrations (durable before acknowledged): %8.0f /s\n", rate)
	fmt.Fprintf(m.Stdout, "latency p50 %v, p99 %v\n", percentile(lat, 0.50).Round(time.Microsecond), percentile(lat, 0.99).Round(time.Microsecond))
	fmt.Fprintf(m.Stdout, "ratio to the batched raw limit: %.2f (median of rounds; target ≥ 0.50); to the single-commit raw limit: %.2f\n",
		median(ratios), rate/rawSingle)
	problems, err := db.Verify(ctx, "bench")
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("bench: the register is not intact after the run: %v", problems[0])
	}
	fmt.Fprintln(m.Stdout, "verify: numbering gap-free and hash chain intact")
	return nil
}

// median returns the median of v (the mean of the middle two for an even count).
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// benchGenerate fills the database of PROCEDO_DB (tenant "bench") with
// synthetic registrations for search benchmarks.
func (m *Main) benchGenerate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("bench generate")
	count := fs.Int("registrations", 1_000_000, "registrations to add")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, rctx, closeAll, err := m.benchStore(ctx, cfg, cfg.DB)
	if err != nil {
		return err
	}
	defer closeAll()
	start := time.Now()
	err = db.GenerateRegistrations(procedo.NewContextWithActor(rctx, procedo.SystemActor), *count, func(n int) {
		if n%100_000 == 0 || n == *count {
			fmt.Fprintf(m.Stdout, "%d registrations (%.0f/s)\n", n, float64(n)/time.Since(start).Seconds())
		}
	})
	return err
}

// benchSearch runs typical registry-desk searches on the database of
// PROCEDO_DB and prints their latency percentiles.
func (m *Main) benchSearch(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("bench search")
	rounds := fs.Int("rounds", 50, "times each query runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, rctx, closeAll, err := m.benchStore(ctx, cfg, cfg.DB)
	if err != nil {
		return err
	}
	defer closeAll()
	regs := sqlstore.NewRegistrationService(db)
	_, total, err := regs.FindRegistrations(rctx, procedo.RegistrationFilter{Limit: 1})
	if err != nil {
		return err
	}
	year := time.Now().Year()
	num := total / 2
	week := procedo.DateOf(time.Now()).AddDays(-7)
	today := procedo.DateOf(time.Now())
	cls := "VI.3"
	dir := procedo.DirectionOutgoing
	queries := []struct {
		name string
		f    procedo.RegistrationFilter
	}{
		{"newest page", procedo.RegistrationFilter{}},
		{"number", procedo.RegistrationFilter{Year: &year, Number: &num}},
		{"words of the oggetto", procedo.RegistrationFilter{Query: "richiesta autorizzazione"}},
		{"rare word", procedo.RegistrationFilter{Query: "voltura concessione"}},
		{"correspondent", procedo.RegistrationFilter{Correspondent: "soprintendenza"}},
		{"last week, outgoing", procedo.RegistrationFilter{From: &week, To: &today, Direction: &dir}},
		{"classification", procedo.RegistrationFilter{Classification: &cls}},
		{"words + classification", procedo.RegistrationFilter{Query: "permesso", Classification: &cls}},
	}
	fmt.Fprintf(m.Stdout, "database: %s with %d registrations; %d rounds per query (first page of 50, with total count)\n", db.Dialect(), total, *rounds)
	var all []time.Duration
	for _, q := range queries {
		var lat []time.Duration
		var n int
		for i := 0; i < *rounds; i++ {
			t0 := time.Now()
			_, c, err := regs.FindRegistrations(rctx, q.f)
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			n = c
		}
		all = append(all, lat...)
		fmt.Fprintf(m.Stdout, "%-24s %8d hits  p50 %8v  p99 %8v\n", q.name, n, percentile(lat, 0.5).Round(time.Microsecond), percentile(lat, 0.99).Round(time.Microsecond))
	}
	fmt.Fprintf(m.Stdout, "all queries: p99 %v (target < 100ms)\n", percentile(all, 0.99).Round(time.Microsecond))
	return nil
}
