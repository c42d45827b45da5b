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

// searchCases matches the words, the last as a prefix, in the generated tsvector (GIN);
// PostgreSQL's planner has statistics, so it never needs steering.
func (postgresDialect) searchCases(ctx context.Context, db *DB, words []string) (string, []any, bool, error) {
	terms := make([]string, len(words))
	copy(terms, words)          // words hold only letters and digits
	terms[len(terms)-1] += ":*" // the word being typed; a prefix match costs more in GIN
	return "c.search @@ to_tsquery('simple', ?)", []any{strings.Join(terms, " & ")}, false, nil
}
