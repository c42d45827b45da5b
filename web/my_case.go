// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/procedo/procedo"
)

type myCaseListPage struct {
	Cases  []*procedo.Case
	Total  int
	Drafts []*procedo.ApplicationDraft // applications being filled, to resume or delete
}

// handleMyCaseList is "Le mie pratiche": the citizen's applications.
func (h *Handler) handleMyCaseList(w http.ResponseWriter, r *http.Request) error {
	z, err := requireCitizen(r)
	if err != nil {
		http.Redirect(w, r, "/accedi?next=/pratiche", http.StatusSeeOther)
		return nil
	}
	cases, total, err := h.Cases.FindCases(r.Context(), procedo.CaseFilter{ApplicantFiscalCode: &z.FiscalCode, Limit: 200})
	if err != nil {
		return err
	}
	data := &myCaseListPage{Cases: cases, Total: total}
	if h.Drafts != nil {
		if data.Drafts, _, err = h.Drafts.FindDrafts(r.Context(), procedo.DraftFilter{Limit: 100}); err != nil {
			return err
		}
	}
	h.render(w, r, http.StatusOK, "my_case_list", &page{Title: "Le mie pratiche", Breadcrumbs: []crumb{{"Le mie pratiche", ""}},
		Data: data})
	return nil
}

// handleDocumentDownload sends a document the actor may read.
func (h *Handler) handleDocumentDownload(w http.ResponseWriter, r *http.Request) error {
	if st := requestFrom(r); st.actor == nil {
		return procedo.Errorf(procedo.EUNAUTHORIZED, "Per scaricare i documenti devi accedere.")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, rc, err := h.Documents.OpenDocument(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	w.Header().Set("Content-Length", fmt.Sprint(d.Size))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = io.Copy(w, rc)
	if err != nil {
		h.Logger.Warn("document download interrupted", "document_id", id, "error", err)
	}
	return nil
}
