// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// indexRow: PostgreSQL computes the tsvector itself (a generated column).
func (postgresDialect) indexRow(r *procedo.Registration) []any { return nil }

// indexRegistrations: PostgreSQL keeps the tsvector in a generated column.
func (postgresDialect) indexRegistrations(ctx context.Context, tx *Tx, regs []*procedo.Registration) error {
	return nil
}

// reindexRegistration: the generated tsvector follows the row by itself.
func (postgresDialect) reindexRegistration(ctx context.Context, tx *Tx, old, r *procedo.Registration) error {
	return nil
}

// searchRegistrations matches the generated tsvector with the Italian
// configuration, every word present (as its stem), for the words of the query
// and for those of the correspondent; the planner picks the index (GIN on the
// tsvector, trigram on correspondents, B-tree on dates) from its statistics,
// and the primary key gives newest first.
func (postgresDialect) searchRegistrations(tid int64, f procedo.RegistrationFilter) registrationSearch {
	s := registrationSearch{from: "registrations r", order: "r.id DESC"}
	for _, q := range []string{f.Query, strings.TrimSpace(f.Correspondent)} {
		if words := plainWords(q); len(words) > 0 {
			s.where = append(s.where, "r.search @@ to_tsquery('italian', ?)")
			s.args = append(s.args, strings.Join(words, " & "))
		}
	}
	return s
}
