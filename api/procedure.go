// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/procedo/procedo"
)

// maxModelBytes bounds the body of a model or package upload.
const maxModelBytes = 4 << 20

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

// versionJSON is one version of a procedure (schema ProcedureVersion); the
// model is included only in the detail answer.
type versionJSON struct {
	ID          int64                        `json:"id"`
	Key         string                       `json:"key"`
	Version     int                          `json:"version"`
	Status      procedo.ProcedureStatus      `json:"status"`
	Title       string                       `json:"title"`
	PublishedAt *time.Time                   `json:"published_at"`
	CreatedAt   time.Time                    `json:"created_at"`
	Cases       *int                         `json:"cases,omitempty"`
	OpenCases   *int                         `json:"open_cases,omitempty"`
	Definition  *procedo.ProcedureDefinition `json:"definition,omitempty"`
}

func newVersionJSON(v *procedo.ProcedureVersion, withCounts, withDefinition bool) versionJSON {
	out := versionJSON{ID: v.ID, Key: v.Key, Version: v.Version, Status: v.Status, Title: v.Definition.Title,
		PublishedAt: optTime(v.PublishedAt), CreatedAt: v.CreatedAt.UTC()}
	if withCounts {
		out.Cases, out.OpenCases = &v.Cases, &v.OpenCases
	}
	if withDefinition {
		out.Definition = &v.Definition
	}
	return out
}

// procedureTypeJSON is a procedure with its versions (schema ProcedureDetail).
type procedureTypeJSON struct {
	Key       string        `json:"key"`
	Title     string        `json:"title"`
	Published *versionJSON  `json:"published"`
	Draft     *versionJSON  `json:"draft"`
	Versions  []versionJSON `json:"versions"`
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

// handleProcedureView serves GET /api/v1/procedures/{id}: a procedure with its
// newest published version and, for administrators, every version with the
// number of cases running on it and the draft.
func (s *Server) handleProcedureView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	key := r.PathValue("id")
	out := procedureTypeJSON{Key: key, Versions: []versionJSON{}}
	versions, err := s.Procedures.FindProcedureVersions(ctx, key)
	switch procedo.ErrorCode(err) {
	case "":
		for _, v := range versions {
			vj := newVersionJSON(v, true, false)
			out.Versions = append(out.Versions, vj)
			out.Title = v.Definition.Title
			switch v.Status {
			case procedo.ProcedurePublished:
				out.Published = &vj
			case procedo.ProcedureDraft:
				out.Draft = &vj
			}
		}
		if out.Published != nil {
			out.Title = out.Published.Title
		}
	case procedo.EFORBIDDEN:
		// Not an administrator: the published catalogue only.
		v, err := s.Procedures.FindPublishedProcedure(ctx, key)
		if err != nil {
			return err
		}
		vj := newVersionJSON(v, false, false)
		out.Title, out.Published, out.Versions = v.Definition.Title, &vj, []versionJSON{vj}
	default:
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// version loads the version {n} of procedure {id}.
func (s *Server) version(r *http.Request) (*procedo.ProcedureVersion, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Versione del procedimento non trovata.")
	}
	return s.Procedures.FindProcedureVersion(r.Context(), r.PathValue("id"), n)
}

// handleProcedureVersionView serves GET /api/v1/procedures/{id}/versions/{n}:
// the version with its whole model. Drafts are for administrators only.
func (s *Server) handleProcedureVersionView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.version(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newVersionJSON(v, false, true))
}

// handleProcedureVersionBPMN serves GET /api/v1/procedures/{id}/versions/{n}/bpmn:
// the workflow as BPMN 2.0 XML with its diagram.
func (s *Server) handleProcedureVersionBPMN(w http.ResponseWriter, r *http.Request) error {
	v, err := s.version(r)
	if err != nil {
		return err
	}
	b, err := s.Models.WorkflowBPMN(&v.Definition)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+v.Key+"-v"+strconv.Itoa(v.Version)+`.bpmn"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // a write error means the client has gone
	return nil
}

// readModels reads a model or package body (YAML or JSON) and parses it; the
// problems come back as fields keyed by path, each message with its line.
func (s *Server) readModels(w http.ResponseWriter, r *http.Request) ([]*procedo.ProcedureDefinition, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxModelBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &procedo.Error{Code: procedo.ETOOLARGE, Message: "Il modello è troppo grande (massimo 4 MB).", Err: err}
	} else if err != nil {
		return nil, newBadRequest(err)
	}
	return s.Models.ParseModels("body", b)
}

// handleProcedureCreate serves POST /api/v1/procedures: the model in the body
// (YAML or JSON) becomes a new draft version of its procedure. 201 with the
// draft; 422 with every problem of the model.
func (s *Server) handleProcedureCreate(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.readModels(w, r)
	if err != nil {
		return err
	}
	if len(defs) != 1 {
		return procedo.FieldErrors{"models": "Invia un solo modello, oppure usa POST /api/v1/procedures/import per un pacchetto."}
	}
	v, err := s.Procedures.CreateDraft(r.Context(), defs[0], "")
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"procedures/"+v.Key+"/versions/"+strconv.Itoa(v.Version))
	return writeJSON(w, http.StatusCreated, newVersionJSON(v, false, true))
}

// importItemJSON is the plan for one model of a package (schema ImportItem).
type importItemJSON struct {
	Key          string       `json:"key"`
	Title        string       `json:"title"`
	ModelVersion string       `json:"model_version"`
	Action       string       `json:"action"`
	Version      int          `json:"version"`
	Current      *versionJSON `json:"current"`
	Draft        *versionJSON `json:"draft"`
	Changes      []changeJSON `json:"changes"`
	Localise     []string     `json:"localise"`
}

// changeJSON is one difference between two versions (schema Change).
type changeJSON struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// handleProcedureImport serves POST /api/v1/procedures/import: a package (or a
// single model) becomes drafts to localise and publish; with dry_run=true
// nothing is stored and the plan is returned. A package with any problem is
// refused whole (422).
func (s *Server) handleProcedureImport(w http.ResponseWriter, r *http.Request) error {
	dryRun := false
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return procedo.FieldErrors{"dry_run": "dry_run deve essere true o false."}
	}
	defs, err := s.readModels(w, r)
	if err != nil {
		return err
	}
	plan, err := s.Procedures.ImportProcedures(r.Context(), defs, dryRun)
	if err != nil {
		return err
	}
	items := make([]importItemJSON, len(plan.Items))
	for i, it := range plan.Items {
		items[i] = importItemJSON{Key: it.Definition.ID, Title: it.Definition.Title, ModelVersion: it.Definition.ModelVersion,
			Action: string(it.Action), Version: it.Version, Changes: []changeJSON{}, Localise: it.Localise}
		for _, c := range it.Changes {
			items[i].Changes = append(items[i].Changes, changeJSON{Path: c.Path, Kind: c.Kind(), Old: c.Old, New: c.New})
		}
		if items[i].Localise == nil {
			items[i].Localise = []string{}
		}
		if it.Current != nil {
			c := newVersionJSON(it.Current, false, false)
			items[i].Current = &c
		}
		if it.Draft != nil {
			d := newVersionJSON(it.Draft, false, false)
			items[i].Draft = &d
		}
	}
	status := http.StatusCreated
	if dryRun {
		status = http.StatusOK
	}
	return writeJSON(w, status, struct {
		DryRun bool             `json:"dry_run"`
		Items  []importItemJSON `json:"items"`
	}{dryRun, items})
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
