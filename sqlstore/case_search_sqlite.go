// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

var _ caseSearch = sqliteDialect{}

// indexCases adds the words of cases to the FTS5 table cases_fts (rowid =
// case id; the tokenizer lower-cases and folds accents). Open cases also go
// into cases_open_fts, by the triggers of migration 0014.
func (sqliteDialect) indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error {
	rows := make([][]any, len(cases))
	for i, c := range cases {
		rows[i] = []any{c.ID, caseSearchText(c)}
	}
	return insertRows(ctx, tx, "cases_fts", []string{"rowid", "words"}, rows, "", nil)
}

// searchCases matches every word, the last as a prefix, in the full-text table
// of open cases (cases_open_fts) when only open cases are wanted, else in that
// of every case. The table drives the scan in descending rowid (= case id)
// order (CROSS JOIN fixes that order: SQLite keeps no statistics to choose
// it), so a listing newest first stops at its page and the matches are
// collected newest first. Each match of an open case is checked in the index
// cases_open_probe, which holds what worklists filter on and is small enough
// to stay in memory; one of a closed case in its row.
func (sqliteDialect) searchCases(words []string, open bool) caseTextSearch {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"` // words hold only letters and digits
	}
	terms[len(terms)-1] += "*" // the word being typed
	table, probe := "cases_fts", ""
	if open {
		table, probe = "cases_open_fts", " INDEXED BY cases_open_probe"
	}
	return caseTextSearch{
		from:      table + " f CROSS JOIN cases c" + probe + " ON c.id = f.rowid",
		cond:      "f." + table + " MATCH ?",
		indexCond: "c.id IN (SELECT rowid FROM " + table + " WHERE " + table + " MATCH ?)",
		args:      []any{strings.Join(terms, " AND ")},
		newest:    "f.rowid DESC",
		oldest:    "f.rowid",
		collect:   "f.rowid DESC",
	}
}
