// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

var _ caseSearch = postgresDialect{}

// indexCases: PostgreSQL keeps the tsvector of cases in a generated column.
func (postgresDialect) indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error {
	return nil
}

// searchCases matches every word, the last as a prefix, in the generated
// column search; the planner, which has statistics, combines its GIN index
// with those of the worklists as it sees fit. When only open cases are wanted
// the match is on strip(search) (the same lexemes), which only the GIN index
// of open cases (migration 0014) holds, so the planner reads the small index.
func (postgresDialect) searchCases(words []string, open bool) caseTextSearch {
	terms := make([]string, len(words))
	copy(terms, words)          // words hold only letters and digits
	terms[len(terms)-1] += ":*" // the word being typed
	cond := "c.search @@ to_tsquery('simple', ?)"
	if open {
		cond = "strip(c.search) @@ to_tsquery('simple', ?)"
	}
	// Counting the worklists in one scan reads every matching row: past a
	// few thousand, each is counted alone through its own index.
	return caseTextSearch{from: "cases c", cond: cond, indexCond: cond, args: []any{strings.Join(terms, " & ")}, newest: "c.id DESC", oldest: "c.id",
		oneScanMax: 2000}
}
