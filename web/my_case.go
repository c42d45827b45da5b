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
	Cases []*procedo.Case
	Total int
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
	h.render(w, r, http.StatusOK, "my_case_list", &page{Title: "Le mie pratiche", Breadcrumbs: []crumb{{"Le mie pratiche", ""}},
		Data: &myCaseListPage{Cases: cases, Total: total}})
	return nil
}

// caseDetail is what both the citizen's and the operator's case pages show.
type caseDetail struct {
	Case        *procedo.Case
	Receipt     *procedo.Receipt
	Events      []*procedo.CaseEvent
	Documents   []*procedo.Document
	Fields      []formValue
	Decision    *procedo.Registration
	Transitions []procedo.Transition
	Errors      procedo.FieldErrors
	Reason      string
	DaysLeft    int
	Overdue     bool
}

type formValue struct{ Label, Value string }

func (h *Handler) loadCase(r *http.Request) (*caseDetail, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	cas, err := h.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &caseDetail{Case: cas}
	if d.Receipt, err = h.Applications.FindReceipt(ctx, cas.ApplicationID); err != nil {
		return nil, err
	}
	if d.Events, err = h.Cases.FindCaseEvents(ctx, id); err != nil {
		return nil, err
	}
	if d.Documents, err = h.Cases.FindCaseDocuments(ctx, id); err != nil {
		return nil, err
	}
	for _, sec := range d.Receipt.Procedure.Definition.Form.Sections {
		for _, f := range sec.Fields {
			if f.Type != procedo.FieldFile {
				d.Fields = append(d.Fields, formValue{f.Label, procedo.DisplayValue(f, d.Receipt.Application.Data[f.Name])})
			}
		}
	}
	if cas.DecisionRegistrationID != nil {
		if d.Decision, err = h.Registrations.FindRegistrationByID(ctx, *cas.DecisionRegistrationID); err != nil {
			return nil, err
		}
	}
	today := procedo.DateOf(timeNow())
	d.DaysLeft = today.DaysUntil(cas.DueDate)
	d.Overdue = !cas.Status.Closed() && d.DaysLeft < 0
	return d, nil
}

// handleMyCaseView shows one of the citizen's cases with its history and documents.
func (h *Handler) handleMyCaseView(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	d, err := h.loadCase(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "my_case_view", &page{Title: fmt.Sprintf("Pratica n. %d", d.Case.ID),
		Breadcrumbs: []crumb{{"Le mie pratiche", "/pratiche"}, {fmt.Sprintf("Pratica n. %d", d.Case.ID), ""}}, Data: d})
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
