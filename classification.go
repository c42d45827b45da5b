// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"strings"
)

// Classification is one entry of the tenant's titolario (classification
// scheme): a titolo such as "I" (ParentCode "") or a classe such as "I.6"
// (ParentCode "I"). Registrations and dossiers carry its Code.
type Classification struct {
	ID         int64
	Code       string // e.g. "VI.3"; unique in the tenant
	ParentCode string // the titolo of a classe; "" for a titolo
	Title      string // denominazione, e.g. "Edilizia privata"
	Active     bool   // false: kept for what is classified, not offered for new entries
}

// IsTitle reports whether c is a titolo (the top level), not a classe.
func (c *Classification) IsTitle() bool { return c.ParentCode == "" }

// ClassificationService reads the titolario of the tenant in ctx.
type ClassificationService interface {
	// FindClassifications returns every entry of the titolario in its order
	// (each titolo followed by its classi). Staff only: EUNAUTHORIZED or
	// EFORBIDDEN otherwise.
	FindClassifications(ctx context.Context) ([]*Classification, error)
	// CreateClassification adds a titolo (ParentCode "") or a classe under an
	// existing titolo; a classe code must start with its titolo's code and a
	// dot. Admins only. EINVALID, ECONFLICT for a code that exists.
	CreateClassification(ctx context.Context, c *Classification) error
	// UpdateClassification renames or (de)activates an entry; the code never
	// changes and entries are never deleted, so what is classified keeps its
	// meaning; the old value is kept. Admins only.
	UpdateClassification(ctx context.Context, code string, title *string, active *bool) (*Classification, error)
}

// Validate checks a new entry's code and title.
func (c *Classification) Validate() error {
	fe := FieldErrors{}
	code := strings.TrimSpace(c.Code)
	switch {
	case code == "" || len(code) > 40 || strings.ContainsAny(code, " /\\"):
		fe.Add("code", "Indica un codice, ad esempio VI.3 o VI.3.1.")
	case c.ParentCode != "" && !strings.HasPrefix(code, c.ParentCode+"."):
		fe.Add("code", "Il codice di una classe deve iniziare con quello del titolo seguito dal punto, ad esempio "+c.ParentCode+".1.")
	}
	if t := strings.TrimSpace(c.Title); t == "" || len([]rune(t)) > 300 {
		fe.Add("title", "Indica la denominazione (massimo 300 caratteri).")
	}
	return fe.Err()
}
