// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import "context"

// indexRegistrations: PostgreSQL keeps the tsvector in a generated column.
func (postgresDialect) indexRegistrations(ctx context.Context, tx *Tx, ids []int64, texts []string) error {
	return nil
}

// searchRegistrations matches the generated tsvector with the Italian
// configuration; every word must be present (as its stem).
func (postgresDialect) searchRegistrations(q string) (string, []any, bool) {
	words := plainWords(q)
	if len(words) == 0 {
		return "", nil, false
	}
	terms := ""
	for i, w := range words {
		if i > 0 {
			terms += " & "
		}
		terms += w
	}
	return "r.search @@ to_tsquery('italian', ?)", []any{terms}, true
}
