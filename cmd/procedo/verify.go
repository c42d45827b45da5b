// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"fmt"

	"github.com/procedo/procedo/sqlstore"
)

// runVerify implements `procedo verify [--tenant SLUG]`: exit 0 when clean,
// 1 with a report of every difference.
func (m *Main) runVerify(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("verify")
	var tenant string
	fs.StringVar(&tenant, "tenant", "", "check only this tenant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		problems, err := db.Verify(ctx, tenant)
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			fmt.Fprintln(m.Stdout, "verify: registers, hash chains and documents are intact")
			return nil
		}
		fmt.Fprintf(m.Stdout, "verify: %d problem(s) found\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(m.Stdout, "  "+p.String())
		}
		return &exitError{1, fmt.Errorf("verify: %d problem(s): the register or the documents were altered", len(problems))}
	})
}
