// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import "context"

// Classification is one entry of the tenant's titolario (classification
// scheme): a titolo such as "I" (ParentCode "") or a classe such as "I.6"
// (ParentCode "I"). Registrations and dossiers carry its Code.
type Classification struct {
	ID         int64
	Code       string // e.g. "VI.3"; unique in the tenant
	ParentCode string // the titolo of a classe; "" for a titolo
	Title      string // denominazione, e.g. "Edilizia privata"
}

// IsTitle reports whether c is a titolo (the top level), not a classe.
func (c *Classification) IsTitle() bool { return c.ParentCode == "" }

// ClassificationService reads the titolario of the tenant in ctx.
type ClassificationService interface {
	// FindClassifications returns every entry of the titolario in its order
	// (each titolo followed by its classi). Staff only: EUNAUTHORIZED or
	// EFORBIDDEN otherwise.
	FindClassifications(ctx context.Context) ([]*Classification, error)
}
