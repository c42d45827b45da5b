// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/procedo/procedo"
)

// BenchRaw measures the raw write limit of the database with procedo's
// durability settings: n single-row inserts committed batch rows at a time
// (batch 1 = one commit per row), on one connection. It returns the elapsed time.
func (db *DB) BenchRaw(ctx context.Context, n, batch int) (time.Duration, error) {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM bench_raw`); err != nil {
		return 0, err
	}
	payload := fmt.Sprintf("%0200d", 0)
	q := db.dialect.rebind(`INSERT INTO bench_raw (id, payload) VALUES (?, ?)`)
	start := time.Now()
	for i := 0; i < n; i += batch {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for j := i; j < min(i+batch, n); j++ {
			if _, err := tx.ExecContext(ctx, q, j+1, payload); err != nil {
				_ = tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	_, err := db.write.ExecContext(ctx, `DROP TABLE bench_raw`)
	return d, err
}

var benchWords = []string{"richiesta", "autorizzazione", "accesso", "atti", "permesso", "costruire", "contributo", "scuola",
	"mensa", "suolo", "pubblico", "occupazione", "esposto", "rumore", "segnalazione", "verbale", "commissione", "edilizia",
	"tributi", "rimborso", "residenza", "anagrafe", "certificato", "manifestazione", "parcheggio", "disabilità", "passo",
	"carrabile", "concessione", "voltura", "ricorso", "diffida", "fattura", "pagamento", "convenzione", "contratto"}

var benchNames = []string{"Mario Rossi", "Lucia Verdi", "Giuseppe Bianchi", "Anna Esposito", "Francesco Romano", "Giulia Colombo",
	"Ditta Edil Sud S.r.l.", "Studio Tecnico Ferri", "Regione", "Prefettura", "Agenzia delle Entrate", "ASL", "Soprintendenza"}

// GenerateRegistrations adds n synthetic registrations to the ordinary register
// of the tenant in ctx, spread over the past days, chained and numbered like
// real ones, in large transactions (a data generator for benchmarks). progress,
// if set, is called after each transaction with the count so far.
func (db *DB) GenerateRegistrations(ctx context.Context, n int, progress func(int)) (err error) {
	defer procedo.Wrap(&err, "sqlstore.GenerateRegistrations(%d)", n)
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	const chunk = 5000
	start := db.Now().Add(-time.Duration(n) * 20 * time.Second) // ~4,300 a day
	done := 0
	for done < n {
		size := min(chunk, n-done)
		err := db.transact(ctx, func(tx *Tx) error {
			regs := make([]*procedo.Registration, size)
			for i := range regs {
				words := make([]string, 3+rnd.IntN(6))
				for j := range words {
					words[j] = benchWords[rnd.IntN(len(benchWords))]
				}
				dir := []procedo.Direction{procedo.DirectionIncoming, procedo.DirectionOutgoing, procedo.DirectionInternal}[rnd.IntN(3)]
				var corr []procedo.Correspondent
				if dir != procedo.DirectionInternal {
					corr = []procedo.Correspondent{{Name: benchNames[rnd.IntN(len(benchNames))]}}
				}
				regs[i] = &procedo.Registration{TenantID: tid, Direction: dir, Subject: fmt.Sprint(words), Correspondents: corr,
					Classification: fmt.Sprintf("%s.%d", []string{"I", "IV", "VI", "VII", "IX", "XI"}[rnd.IntN(6)], 1+rnd.IntN(8)),
					Channel:        "posta", CreatedBy: "system", Fingerprint: fmt.Sprintf("%064x", rnd.Uint64())}
				if corr == nil {
					regs[i].Correspondents = []procedo.Correspondent{}
				}
			}
			return generateChunk(ctx, tx, regs, start.Add(time.Duration(done)*20*time.Second))
		})
		if err != nil {
			return err
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// generateChunk stores pre-dated registrations, numbered per year and chained.
func generateChunk(ctx context.Context, tx *Tx, regs []*procedo.Registration, at time.Time) error {
	reg, _, err := findRegister(ctx, tx.queryRow, regs[0].TenantID)
	if err != nil {
		return err
	}
	var prev string
	var year, last int
	_ = tx.queryRow(ctx, `SELECT chain_hash, year, number FROM registrations WHERE register_id = ? ORDER BY year DESC, number DESC LIMIT 1`, reg.ID).
		Scan(&prev, &year, &last)
	stmt, err := tx.tx.PrepareContext(ctx, tx.db.dialect.rebind(`INSERT INTO registrations (tenant_id, register_id, year, number,
		registered_at, direction, subject, correspondents, fingerprint, classification, channel, prev_hash, chain_hash, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	lastOf := map[int]int{}
	for i, r := range regs {
		r.RegisteredAt = at.Add(time.Duration(i) * 20 * time.Second).UTC().Truncate(time.Microsecond)
		y := procedo.DateOf(r.RegisteredAt).Year
		if y != year {
			year, last = y, 0
		}
		last++
		lastOf[year] = last
		r.RegisterID, r.RegisterCode, r.Year, r.Number, r.PrevHash = reg.ID, reg.Code, year, last, prev
		r.ChainHash = r.ComputeChainHash(prev)
		prev = r.ChainHash
		corr, _ := json.Marshal(r.Correspondents)
		if err := stmt.QueryRowContext(ctx, r.TenantID, reg.ID, r.Year, r.Number, tx.db.ts(r.RegisteredAt), r.Direction, r.Subject,
			string(corr), r.Fingerprint, r.Classification, r.Channel, r.PrevHash, r.ChainHash, r.CreatedBy).Scan(&r.ID); err != nil {
			return err
		}
		if err := tx.db.dialect.indexRegistrations(ctx, tx, []*procedo.Registration{r}); err != nil {
			return err
		}
	}
	for y, l := range lastOf {
		if _, err := tx.exec(ctx, `INSERT INTO register_counters (tenant_id, register_id, year, last_number) VALUES (?, ?, ?, ?)
			ON CONFLICT (register_id, year) DO UPDATE SET last_number = ?`, regs[0].TenantID, reg.ID, y, l, l); err != nil {
			return err
		}
	}
	return nil
}
