// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"
)

// indexRegistration stores the stemmed words of a registration in the FTS5
// table (rowid = registration id).
func (sqliteDialect) indexRegistration(ctx context.Context, tx *Tx, id int64, text string) error {
	_, err := tx.exec(ctx, `INSERT INTO registrations_fts (rowid, words) VALUES (?, ?)`, id, strings.Join(stemWords(text), " "))
	return err
}

// searchRegistrations returns the condition matching registrations r whose
// words contain every stemmed word of q (prefix match on the last one).
func (sqliteDialect) searchRegistrations(q string) (string, []any, bool) {
	words := stemWords(q)
	if len(words) == 0 {
		return "", nil, false
	}
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"`
	}
	terms[len(terms)-1] += "*"
	return "r.id IN (SELECT rowid FROM registrations_fts WHERE registrations_fts MATCH ?)", []any{strings.Join(terms, " AND ")}, true
}
