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
func (postgresDialect) indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error { return nil }

// searchCases matches every word as a prefix in the generated tsvector (GIN).
func (postgresDialect) searchCases(words []string) (string, []any) {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = w + ":*" // words hold only letters and digits
	}
	return "c.search @@ to_tsquery('simple', ?)", []any{strings.Join(terms, " & ")}
}
