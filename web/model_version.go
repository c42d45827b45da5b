// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

func versionURL(v *procedo.ProcedureVersion) string {
	return fmt.Sprintf("%s/%s/versioni/%d", modelsPath, v.Key, v.Version)
}

type modelViewPage struct {
	Key      string
	Title    string
	Versions []*procedo.ProcedureVersion
	Newest   *procedo.ProcedureVersion
	Draft    *procedo.ProcedureVersion
	Diagram  *diagramView
}

// handleModelView shows a procedure type: its versions with the cases running
// on each, the workflow of the newest version and the forms to compare
// versions and to start a new draft.
func (h *Handler) handleModelView(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	versions, err := h.Procedures.FindProcedureVersions(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	data := &modelViewPage{Key: r.PathValue("key"), Versions: versions, Newest: versions[len(versions)-1]}
	for _, v := range versions {
		if v.Status == procedo.ProcedureDraft {
			data.Draft = v
		}
	}
	data.Title = data.Newest.Definition.Title
	data.Diagram = newDiagram("flusso", &data.Newest.Definition)
	h.render(w, r, http.StatusOK, "model_view", &page{Title: data.Title, Section: "office",
		Breadcrumbs: []crumb{modelsCrumb, {data.Title, ""}}, Data: data})
	return nil
}

// modelEditPage is the editor of a model's YAML, with its problems and the
// preview of the service page, the form and the workflow.
type modelEditPage struct {
	New      bool                      // a model not yet stored
	Version  *procedo.ProcedureVersion // the version shown; nil when New
	Source   string                    // the YAML in the editor
	Problems []procedo.ModelProblem    // what is wrong with Source
	Preview  *procedo.ProcedureDefinition
	Diagram  *diagramView
	Cases    int // cases running on Version (published versions)
}

// Editable reports whether the page edits a draft (or a new model).
func (p *modelEditPage) Editable() bool {
	return p.New || (p.Version != nil && p.Version.Status == procedo.ProcedureDraft)
}

// addError records a store error about the model as a problem; false if err
// is not about the model.
func (p *modelEditPage) addError(err error) bool {
	switch procedo.ErrorCode(err) {
	case procedo.EINVALID:
		for k, msg := range procedo.FieldErrorsOf(err) {
			p.Problems = append(p.Problems, procedo.ModelProblem{Path: k, Message: msg})
		}
	case procedo.ECONFLICT:
		p.Problems = append(p.Problems, procedo.ModelProblem{Message: procedo.ErrorMessage(err)})
	default:
		return false
	}
	return true
}

// parseModel parses the editor's YAML into one model, recording problems.
func (h *Handler) parseModel(p *modelEditPage) (*procedo.ProcedureDefinition, bool) {
	defs, err := h.Models.ParseModels("modello", []byte(p.Source))
	var ps procedo.ModelProblems
	switch {
	case errors.As(err, &ps):
		p.Problems = ps
		return nil, false
	case err != nil:
		p.Problems = []procedo.ModelProblem{{Message: procedo.ErrorMessage(err)}}
		return nil, false
	case len(defs) != 1:
		p.Problems = []procedo.ModelProblem{{Line: 1, Message: "qui si modifica un solo modello: per un pacchetto usa «Importa modelli»"}}
		return nil, false
	}
	p.Preview = defs[0]
	p.Diagram = newDiagram("anteprima-flusso", defs[0])
	return defs[0], true
}

func (h *Handler) renderModelEdit(w http.ResponseWriter, r *http.Request, status int, data *modelEditPage) error {
	title := "Nuovo modello di procedimento"
	crumbs := []crumb{modelsCrumb, {"Nuovo modello", ""}}
	if v := data.Version; v != nil {
		title = fmt.Sprintf("%s, versione %d", v.Definition.Title, v.Version)
		crumbs = []crumb{modelsCrumb, {v.Definition.Title, modelsPath + "/" + v.Key}, {fmt.Sprintf("Versione %d", v.Version), ""}}
	}
	if len(data.Problems) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "model_edit", &page{Title: title, Section: "office", Breadcrumbs: crumbs, Data: data})
	return nil
}

// findVersion loads version {n} of procedure {key}.
func (h *Handler) findVersion(r *http.Request) (*procedo.ProcedureVersion, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return nil, errNotFound
	}
	return h.Procedures.FindProcedureVersion(r.Context(), r.PathValue("key"), n)
}

// sourceOf returns the YAML of a version: the text it was written in, or its
// model written out.
func (h *Handler) sourceOf(v *procedo.ProcedureVersion) (string, error) {
	if v.Source != "" {
		return v.Source, nil
	}
	b, err := h.Models.FormatModels(&v.Definition)
	return string(b), err
}

// versionCases returns the number of cases running on v.
func (h *Handler) versionCases(r *http.Request, v *procedo.ProcedureVersion) (int, error) {
	versions, err := h.Procedures.FindProcedureVersions(r.Context(), v.Key)
	if err != nil {
		return 0, err
	}
	for _, x := range versions {
		if x.ID == v.ID {
			return x.Cases, nil
		}
	}
	return 0, nil
}

// handleModelVersion shows a version: the editor for a draft, the read-only
// model for a published one, with the preview.
func (h *Handler) handleModelVersion(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	src, err := h.sourceOf(v)
	if err != nil {
		return err
	}
	data := &modelEditPage{Version: v, Source: src, Preview: &v.Definition, Diagram: newDiagram("anteprima-flusso", &v.Definition)}
	if data.Cases, err = h.versionCases(r, v); err != nil {
		return err
	}
	return h.renderModelEdit(w, r, http.StatusOK, data)
}

// handleModelVersionSave previews or saves the posted YAML of a draft.
func (h *Handler) handleModelVersionSave(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	data := &modelEditPage{Version: v, Source: r.PostFormValue("source")}
	if v.Status != procedo.ProcedureDraft {
		return procedo.Errorf(procedo.ECONFLICT, "La versione %d è pubblicata e non si può modificare: crea una nuova bozza.", v.Version)
	}
	def, ok := h.parseModel(data)
	if !ok || r.PostFormValue("azione") == "anteprima" {
		return h.renderModelEdit(w, r, statusOf422(ok), data)
	}
	if _, err := h.Procedures.UpdateDraft(r.Context(), v.ID, def, data.Source); err != nil {
		if !data.addError(err) {
			return err
		}
		return h.renderModelEdit(w, r, http.StatusUnprocessableEntity, data)
	}
	h.redirect(w, r, versionURL(v), "model-draft")
	return nil
}

// handleModelVersionPublish publishes a draft.
func (h *Handler) handleModelVersionPublish(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	if _, err := h.Procedures.PublishDraft(r.Context(), v.ID); err != nil {
		if procedo.ErrorCode(err) != procedo.EINVALID {
			return err
		}
		src, serr := h.sourceOf(v)
		if serr != nil {
			return serr
		}
		data := &modelEditPage{Version: v, Source: src, Preview: &v.Definition, Diagram: newDiagram("anteprima-flusso", &v.Definition)}
		data.addError(err)
		return h.renderModelEdit(w, r, http.StatusUnprocessableEntity, data)
	}
	h.redirect(w, r, modelsPath+"/"+v.Key, "model-published")
	return nil
}

// handleModelVersionDelete deletes a draft.
func (h *Handler) handleModelVersionDelete(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	if err := h.Procedures.DeleteDraft(r.Context(), v.ID); err != nil {
		return err
	}
	if v.Version == 1 {
		h.redirect(w, r, modelsPath, "model-deleted")
	} else {
		h.redirect(w, r, modelsPath+"/"+v.Key, "model-deleted")
	}
	return nil
}

// handleModelDraftCreate starts a new draft from the newest version of a
// procedure, to change it without touching the published one.
func (h *Handler) handleModelDraftCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	versions, err := h.Procedures.FindProcedureVersions(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	newest := versions[len(versions)-1]
	src, err := h.sourceOf(newest)
	if err != nil {
		return err
	}
	v, err := h.Procedures.CreateDraft(r.Context(), &newest.Definition, src)
	if err != nil {
		return err
	}
	h.redirect(w, r, versionURL(v), "model-draft")
	return nil
}

// handleModelVersionBPMN downloads the workflow of a version as BPMN 2.0.
func (h *Handler) handleModelVersionBPMN(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	b, err := h.Models.WorkflowBPMN(&v.Definition)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.bpmn"`, v.Key, v.Version))
	_, _ = w.Write(b) // a write error means the client has gone
	return nil
}

// handleModelVersionExport downloads the YAML of a version.
func (h *Handler) handleModelVersionExport(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.findVersion(r)
	if err != nil {
		return err
	}
	src, err := h.sourceOf(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.yaml"`, v.Key, v.Version))
	_, _ = w.Write([]byte(src)) // a write error means the client has gone
	return nil
}

type modelDiffPage struct {
	Key      string
	Title    string
	Versions []*procedo.ProcedureVersion
	From, To *procedo.ProcedureVersion
	Changes  []procedo.Change
}

// handleModelDiff compares two versions of a procedure (?da=N&a=M).
func (h *Handler) handleModelDiff(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	versions, err := h.Procedures.FindProcedureVersions(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	pick := func(param string, def *procedo.ProcedureVersion) *procedo.ProcedureVersion {
		n, _ := strconv.Atoi(r.URL.Query().Get(param))
		for _, v := range versions {
			if v.Version == n {
				return v
			}
		}
		return def
	}
	data := &modelDiffPage{Key: r.PathValue("key"), Versions: versions, Title: versions[len(versions)-1].Definition.Title}
	data.To = pick("a", versions[len(versions)-1])
	prev := versions[0]
	if len(versions) > 1 {
		prev = versions[len(versions)-2]
	}
	data.From = pick("da", prev)
	data.Changes = procedo.DiffDefinitions(&data.From.Definition, &data.To.Definition)
	h.render(w, r, http.StatusOK, "model_diff", &page{Title: "Differenze tra versioni: " + data.Title, Section: "office",
		Breadcrumbs: []crumb{modelsCrumb, {data.Title, modelsPath + "/" + data.Key}, {"Differenze", ""}}, Data: data})
	return nil
}
