// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

// sheetPath is where the art. 35 sheets live in "Amministrazione trasparente".
const sheetPath = "/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento"

// sheetCrumb is the breadcrumb of the sheet list.
var sheetCrumb = crumb{"Amministrazione trasparente: Tipologie di procedimento", sheetPath}

type procedureSheetListPage struct {
	Procedures []*procedo.ProcedureVersion
	Offices    map[string]string // office code → name
}

// handleProcedureSheetList lists the procedure types of the tenant
// (D.Lgs. 33/2013 art. 35, "Tipologie di procedimento").
func (h *Handler) handleProcedureSheetList(w http.ResponseWriter, r *http.Request) error {
	versions, err := h.Procedures.FindPublishedProcedures(r.Context())
	if err != nil {
		return err
	}
	units, err := h.OrgUnits.FindOrgUnits(r.Context())
	if err != nil {
		return err
	}
	data := &procedureSheetListPage{Procedures: versions, Offices: map[string]string{}}
	for _, u := range units {
		data.Offices[u.Code] = u.Name
	}
	h.render(w, r, http.StatusOK, "procedure_sheet_list", &page{Title: "Tipologie di procedimento",
		Breadcrumbs: []crumb{{sheetCrumb.Label, ""}}, Data: data})
	return nil
}

type procedureSheetPage struct {
	Version        *procedo.ProcedureVersion
	Def            *procedo.ProcedureDefinition
	Office         *procedo.OrgUnit // nil when the office code is unknown
	DecisionOffice *procedo.OrgUnit // nil when the same office decides
	Diagram        *diagramView
}

// handleProcedureSheet shows the sheet of one procedure type with every item
// of art. 35 c.1 a)-m) and its workflow.
func (h *Handler) handleProcedureSheet(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Procedures.FindPublishedProcedure(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	data := &procedureSheetPage{Version: v, Def: &v.Definition, Diagram: newDiagram("flusso", &v.Definition)}
	// An office the tenant lacks is left out of the sheet, not an error.
	if data.Office, err = h.OrgUnits.FindOrgUnitByCode(r.Context(), v.Definition.OfficeCode); err != nil && !isCode(err, procedo.ENOTFOUND) {
		return err
	}
	if c := v.Definition.DecisionOffice; c != "" && c != v.Definition.OfficeCode {
		if data.DecisionOffice, err = h.OrgUnits.FindOrgUnitByCode(r.Context(), c); err != nil && !isCode(err, procedo.ENOTFOUND) {
			return err
		}
	}
	h.render(w, r, http.StatusOK, "procedure_sheet", &page{Title: v.Definition.Title + ": scheda del procedimento",
		Breadcrumbs: []crumb{sheetCrumb, {v.Definition.Title, ""}}, Data: data})
	return nil
}

// handleProcedureSchema serves the JSON Schema of the model format, for
// editors and validators.
func (h *Handler) handleProcedureSchema(w http.ResponseWriter, r *http.Request) error {
	if h.Models == nil {
		return errNotFound
	}
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(h.Models.JSONSchema()) // a write error means the client has gone
	return nil
}
