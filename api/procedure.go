// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// procedureJSON is the newest published version of a procedure (schema Procedure).
type procedureJSON struct {
	ID          int64      `json:"id"`
	Key         string     `json:"key"`
	Version     int        `json:"version"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	TermDays    int        `json:"term_days"`
	Silence     string     `json:"silence"`
	Office      string     `json:"office"`
	PublishedAt *time.Time `json:"published_at"`
}

func newProcedureJSON(v *procedo.ProcedureVersion) procedureJSON {
	silence := v.Definition.Silence
	if silence == "" {
		silence = procedo.SilenceNone
	}
	return procedureJSON{ID: v.ID, Key: v.Key, Version: v.Version, Title: v.Definition.Title, Summary: v.Definition.Summary,
		TermDays: v.Definition.TermDays, Silence: silence, Office: v.Definition.OfficeCode, PublishedAt: optTime(v.PublishedAt)}
}

// handleProcedureList serves GET /api/v1/procedures: the newest published
// version of each procedure of the caller's tenant, by title.
func (s *Server) handleProcedureList(w http.ResponseWriter, r *http.Request) error {
	versions, err := s.Procedures.FindPublishedProcedures(r.Context())
	if err != nil {
		return err
	}
	items := make([]procedureJSON, len(versions))
	for i, v := range versions {
		items[i] = newProcedureJSON(v)
	}
	return writeJSON(w, http.StatusOK, struct {
		Items []procedureJSON `json:"items"`
	}{items})
}
