// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"
)

// indexRegistrations stores the stemmed words of registrations in the FTS5
// table (rowid = registration id).
func (sqliteDialect) indexRegistrations(ctx context.Context, tx *Tx, ids []int64, texts []string) error {
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{id, strings.Join(stemWords(texts[i]), " ")}
	}
	return insertRows(ctx, tx, "registrations_fts", []string{"rowid", "words"}, rows, "", nil)
}

// searchRegistrations returns the condition matching registrations r whose
// words contain every stemmed word of q. Stems already match the other forms of
// a word; prefix queries are not used: without a prefix index FTS5 would scan
// every term sharing the prefix.
func (sqliteDialect) searchRegistrations(q string) (string, []any, bool) {
	words := stemWords(q)
	if len(words) == 0 {
		return "", nil, false
	}
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + w + `"`
	}
	return "r.id IN (SELECT rowid FROM registrations_fts WHERE registrations_fts MATCH ?)", []any{strings.Join(terms, " AND ")}, true
}
