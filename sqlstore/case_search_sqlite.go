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
// case id; the tokenizer lower-cases and folds accents).
func (sqliteDialect) indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error {
	rows := make([][]any, len(cases))
	for i, c := range cases {
		rows[i] = []any{c.ID, caseSearchText(c)}
	}
	return insertRows(ctx, tx, "cases_fts", []string{"rowid", "words"}, rows, "", nil)
}

// steerBelow is the number of matches under which the full-text index drives
// a case search: fetching a few thousand cases by id beats scanning an index
// of open cases, but not tens of thousands (SQLite keeps no statistics unless
// ANALYZE runs, so the planner cannot tell).
const steerBelow = 5000

// searchCases matches the words, the last as a prefix; the FTS5 count of the matches
// (fast: no case is read) decides whether to steer.
func (sqliteDialect) searchCases(ctx context.Context, db *DB, words []string) (string, []any, bool, error) {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"` // words hold only letters and digits
	}
	terms[len(terms)-1] += "*" // the word being typed
	match := strings.Join(terms, " AND ")
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases_fts WHERE cases_fts MATCH ? LIMIT ?)`, match, steerBelow).Scan(&n); err != nil {
		return "", nil, false, err
	}
	return "c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)", []any{match}, n < steerBelow, nil
}
