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

// searchCases matches every word as a prefix.
func (sqliteDialect) searchCases(words []string) (string, []any) {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"*` // words hold only letters and digits
	}
	return "c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)", []any{strings.Join(terms, " AND ")}
}
