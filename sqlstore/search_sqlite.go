// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/procedo/procedo"
)

// indexRow returns what the FTS5 table holds for r besides its id: the
// stemmed words of the oggetto and correspondents, and the tokens of the
// classification (classificationTokens).
func (sqliteDialect) indexRow(r *procedo.Registration) []any {
	corr, err := json.Marshal(r.Correspondents)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return []any{strings.Join(indexWords(r.Subject+" "+string(corr)), " "), classificationTokens(r.Classification)}
}

// reindexAllRegistrations fills the full-text table of registrations again
// from the stored entries, inside tx: the Go part of migration 0016, which
// created the table empty (stems are computed in Go). Entries are read as
// FindRegistrationByID reads them, so a later correction removes exactly what
// is indexed here.
func reindexAllRegistrations(ctx context.Context, tx *Tx) error {
	if _, err := tx.exec(ctx, `INSERT INTO registrations_fts (registrations_fts) VALUES ('delete-all')`); err != nil {
		return err
	}
	var after int64
	for {
		rows, err := tx.query(ctx, `SELECT `+registrationColumns+registrationFrom+` WHERE r.id > ? ORDER BY r.id LIMIT 2000`, after)
		if err != nil {
			return err
		}
		var regs []*procedo.Registration
		for rows.Next() {
			r, err := scanRegistration(rows)
			if err != nil {
				rows.Close()
				return err
			}
			regs = append(regs, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(regs) == 0 {
			// One segment for all: searches read one b-tree per term.
			_, err := tx.exec(ctx, `INSERT INTO registrations_fts (registrations_fts) VALUES ('optimize')`)
			return err
		}
		if err := (sqliteDialect{}).indexRegistrations(ctx, tx, regs); err != nil {
			return err
		}
		after = regs[len(regs)-1].ID
	}
}

// indexRegistrations stores the indexRow of each registration in the FTS5
// table (rowid = registration id), as group commit computed it when it did.
func (d sqliteDialect) indexRegistrations(ctx context.Context, tx *Tx, regs []*procedo.Registration) error {
	rows := make([][]any, len(regs))
	for i, r := range regs {
		row := tx.index[r]
		if row == nil {
			row = d.indexRow(r)
		}
		rows[i] = []any{r.ID, row[0], row[1]}
	}
	return insertRows(ctx, tx, "registrations_fts", []string{"rowid", "words", "classes"}, rows, "", nil)
}

// reindexRegistration replaces the full-text entry of a corrected
// registration. The table keeps no copy of what it indexed (migration 0016), so
// the old entry is removed with FTS5's 'delete' command and the values it was
// indexed with, which indexRow computes again from old: they are a function of
// the immutable oggetto and correspondents and of the classification before
// the correction (the stemmer and the tokens are those the queries use, so they
// are also those of every stored entry).
func (d sqliteDialect) reindexRegistration(ctx context.Context, tx *Tx, old, r *procedo.Registration) error {
	was, now := d.indexRow(old), d.indexRow(r)
	if was[0] == now[0] && was[1] == now[1] {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO registrations_fts (registrations_fts, rowid, words, classes) VALUES ('delete', ?, ?, ?)`,
		old.ID, was[0], was[1]); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO registrations_fts (rowid, words, classes) VALUES (?, ?, ?)`, r.ID, now[0], now[1])
	return err
}

// classificationTokens returns the full-text tokens of a titolario code, as the
// view registration_class_tokens of migration 0010 computed them for the
// entries that existed then: "clse" and the hex of the code, then "clsa"
// and the hex of each prefix that ends before a dot, ASCII letters upper-cased
// (SQLite's upper() folds no other). Hex makes any code one token.
func classificationTokens(code string) string {
	if code == "" {
		return ""
	}
	up := asciiUpper(code)
	var b strings.Builder
	b.WriteString("clse" + hex.EncodeToString([]byte(up)))
	for i := 0; i < len(up); i++ {
		if up[i] == '.' {
			b.WriteString(" clsa" + hex.EncodeToString([]byte(up[:i])))
		}
	}
	return b.String()
}

// asciiUpper upper-cases ASCII letters only, as SQLite's upper() does.
func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// classificationTerm returns the FTS5 query finding code and its sub-classes:
// a superset of the SQL filter (r.classification = code OR r.classification
// LIKE code || '.%', ASCII case-insensitive), which stays and keeps the result
// exact. ok is false for a code with LIKE wildcards, whose SQL meaning the
// tokens do not follow.
func classificationTerm(code string) (string, bool) {
	if code == "" || strings.ContainsAny(code, `%_\`) {
		return "", false
	}
	h := hex.EncodeToString([]byte(asciiUpper(code)))
	return "classes : (clse" + h + " OR clsa" + h + ")", true
}

// searchRegistrations plans a search so that SQLite reads the rows newest first
// from an index and stops at the page (and at MaxSearchCount+1 when counting),
// instead of collecting and sorting every candidate:
//
//   - with words or a classification, the FTS5 table drives the scan in
//     descending rowid (= registration id) order, each match joined to its
//     registration by primary key (CROSS JOIN fixes that join order). Every
//     word must be present, as its stem; prefix queries are not used (without a
//     prefix index FTS5 would read every term sharing the prefix). A date range
//     or a year also bounds the rowids, so only that slice of the doclists is read;
//   - otherwise the index on (tenant_id, registered_at) is scanned backwards,
//     ordered by (registered_at, id), which is id order within a tenant (see
//     registrationTimeRange), and a year becomes a time range on it; annulled
//     entries have their own index in the same order. A number search uses the
//     unique key (register_id, year, number) instead, which finds at most one row per
//     year, so ordering by id costs nothing.
func (d sqliteDialect) searchRegistrations(tid int64, f procedo.RegistrationFilter) registrationSearch {
	var terms []string
	if words := stemWords(f.Query + " " + f.Correspondent); len(words) > 0 {
		for i, w := range words {
			words[i] = `"` + w + `"`
		}
		terms = append(terms, "words : ("+strings.Join(words, " AND ")+")")
	}
	if f.Classification != nil {
		if t, ok := classificationTerm(*f.Classification); ok {
			terms = append(terms, t)
		}
	}
	lo, hi, dated := registrationTimeRange(f)
	if len(terms) > 0 && f.Number != nil {
		// A number finds at most one row per year through its index: check the
		// words of those rows only.
		return registrationSearch{from: "registrations r", order: "r.id DESC",
			where: []string{"EXISTS (SELECT 1 FROM registrations_fts f WHERE f.rowid = r.id AND f.registrations_fts MATCH ?)"},
			args:  []any{strings.Join(terms, " AND ")}}
	}
	if len(terms) > 0 {
		s := registrationSearch{
			from:  "registrations_fts f CROSS JOIN registrations r ON r.id = f.rowid",
			where: []string{"f.registrations_fts MATCH ?"},
			args:  []any{strings.Join(terms, " AND ")},
			order: "f.rowid DESC",
		}
		if dated {
			// The first registration of the tenant at or after lo has the
			// smallest id of all those after lo, the last before hi the largest
			// of those before hi.
			s.where = append(s.where,
				`f.rowid >= (SELECT x.id FROM registrations x WHERE x.tenant_id = ? AND x.registered_at >= ?
					ORDER BY x.registered_at, x.id LIMIT 1)`,
				`f.rowid <= (SELECT x.id FROM registrations x WHERE x.tenant_id = ? AND x.registered_at < ?
					ORDER BY x.registered_at DESC, x.id DESC LIMIT 1)`)
			s.args = append(s.args, tid, d.ts(lo), tid, d.ts(hi))
		}
		return s
	}
	s := registrationSearch{from: "registrations r", order: "r.registered_at DESC, r.id DESC"}
	if f.Number != nil {
		s.order = "r.id DESC"
	} else if f.Year != nil {
		s.where = []string{"r.registered_at >= ?", "r.registered_at < ?"}
		s.args = []any{d.ts(lo), d.ts(hi)}
	}
	return s
}
