// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"errors"
	"io"
	"net/http"
	"sort"

	"github.com/procedo/procedo"
)

// maxPackageBytes bounds an uploaded or pasted package.
const maxPackageBytes = 4 << 20

type modelImportPage struct {
	Library  bool   // the standard library is offered
	Source   string // the package, carried to the confirmation
	Problems []procedo.ModelProblem
	Plan     *procedo.ImportPlan
}

// handleModelImportForm shows the form to upload or paste a package.
func (h *Handler) handleModelImportForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	return h.renderModelImport(w, r, http.StatusOK, &modelImportPage{Library: h.StandardModels != nil})
}

func (h *Handler) renderModelImport(w http.ResponseWriter, r *http.Request, status int, data *modelImportPage) error {
	title := "Importa modelli di procedimento"
	if len(data.Problems) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "model_import", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{modelsCrumb, {"Importa", ""}}, Data: data})
	return nil
}

// handleModelImport reads the package (uploaded file or pasted text) and shows
// the plan: what will be created, the differences and what to localise. With
// conferma=si it imports: every new or newer model becomes a draft. A package
// with any problem is refused whole.
func (h *Handler) handleModelImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	data := &modelImportPage{Source: r.PostFormValue("source"), Library: h.StandardModels != nil}
	if r.PostFormValue("libreria") == "si" && h.StandardModels != nil {
		b, err := h.StandardModels()
		if err != nil {
			return err
		}
		data.Source = string(b)
	}
	if r.MultipartForm != nil && len(r.MultipartForm.File["file"]) > 0 && r.MultipartForm.File["file"][0].Size > 0 {
		f, err := r.MultipartForm.File["file"][0].Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, maxPackageBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		data.Source = string(b)
	}
	if data.Source == "" {
		data.Problems = []procedo.ModelProblem{{Message: "scegli un file oppure incolla il pacchetto"}}
		return h.renderModelImport(w, r, http.StatusUnprocessableEntity, data)
	}
	if len(data.Source) > maxPackageBytes {
		data.Problems, data.Source = []procedo.ModelProblem{{Message: "il pacchetto supera 4 MB"}}, ""
		return h.renderModelImport(w, r, http.StatusUnprocessableEntity, data)
	}
	defs, err := h.Models.ParseModels("pacchetto", []byte(data.Source))
	var ps procedo.ModelProblems
	if errors.As(err, &ps) {
		data.Problems = ps
		return h.renderModelImport(w, r, http.StatusUnprocessableEntity, data)
	} else if err != nil {
		return err
	}
	confirm := r.PostFormValue("conferma") == "si"
	plan, err := h.Procedures.ImportProcedures(r.Context(), defs, !confirm)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		keys := make([]string, 0, len(fe))
		for k := range fe {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			data.Problems = append(data.Problems, procedo.ModelProblem{Path: k, Message: fe[k]})
		}
		return h.renderModelImport(w, r, http.StatusUnprocessableEntity, data)
	} else if err != nil {
		return err
	}
	if confirm {
		h.redirect(w, r, modelsPath, "model-imported")
		return nil
	}
	data.Plan = plan
	return h.renderModelImport(w, r, http.StatusOK, data)
}
