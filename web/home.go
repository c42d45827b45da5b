// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"sort"

	"github.com/procedo/procedo"
)

type homePage struct {
	Categories []serviceCategory
	Count      int
}

type serviceCategory struct {
	Name     string
	Services []*procedo.ProcedureVersion
}

// handleHome shows the front-office home: the catalogue of services by category.
func (h *Handler) handleHome(w http.ResponseWriter, r *http.Request) error {
	versions, err := h.Procedures.FindPublishedProcedures(r.Context())
	if err != nil {
		return err
	}
	byCat := map[string][]*procedo.ProcedureVersion{}
	for _, v := range versions {
		c := v.Definition.Category
		if c == "" {
			c = "Altri servizi"
		}
		byCat[c] = append(byCat[c], v)
	}
	data := &homePage{Count: len(versions)}
	for name, list := range byCat {
		data.Categories = append(data.Categories, serviceCategory{Name: name, Services: list})
	}
	sort.Slice(data.Categories, func(i, j int) bool { return data.Categories[i].Name < data.Categories[j].Name })
	h.render(w, r, http.StatusOK, "home", &page{Title: "Servizi online", Data: data})
	return nil
}

type servicePage struct {
	Version *procedo.ProcedureVersion
	Def     *procedo.ProcedureDefinition
	Office  *procedo.OrgUnit
}

// handleServiceView shows a service sheet (D.Lgs. 33/2013 art. 35; Modello Comuni).
func (h *Handler) handleServiceView(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Procedures.FindPublishedProcedure(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	ou, err := h.OrgUnits.FindOrgUnitByCode(r.Context(), v.Definition.OfficeCode)
	if err != nil && !isCode(err, procedo.ENOTFOUND) {
		return err
	}
	h.render(w, r, http.StatusOK, "service_view", &page{Title: v.Definition.Title,
		Breadcrumbs: []crumb{{"Servizi", "/"}, {v.Definition.Title, ""}},
		Data:        &servicePage{Version: v, Def: &v.Definition, Office: ou}})
	return nil
}
