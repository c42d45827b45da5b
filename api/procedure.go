// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
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

// definitionCache loads the procedure definitions of cases, once per version
// within a request.
type definitionCache struct {
	s    *Server
	defs map[int64]*procedo.ProcedureDefinition
}

func (s *Server) definitions() *definitionCache {
	return &definitionCache{s: s, defs: map[int64]*procedo.ProcedureDefinition{}}
}

// of returns the definition of the version c runs on.
func (dc *definitionCache) of(ctx context.Context, c *procedo.Case) (*procedo.ProcedureDefinition, error) {
	if d, ok := dc.defs[c.ProcedureVersionID]; ok {
		return d, nil
	}
	v, err := dc.s.Procedures.FindProcedureVersionByID(ctx, c.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	dc.defs[c.ProcedureVersionID] = &v.Definition
	return &v.Definition, nil
}
