// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

type adminClassificationsPage struct {
	Entries []*procedo.Classification
	Titles  []*procedo.Classification
	New     *procedo.Classification
	Errors  procedo.FieldErrors
	Edit    string // code whose edit failed
}

// handleAdminClassifications shows the titolario with forms to add, rename and
// (de)activate entries.
func (h *Handler) handleAdminClassifications(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	return h.renderClassifications(w, r, http.StatusOK, &adminClassificationsPage{New: &procedo.Classification{}})
}

func (h *Handler) renderClassifications(w http.ResponseWriter, r *http.Request, status int, d *adminClassificationsPage) error {
	list, err := h.Classifications.FindClassifications(r.Context())
	if err != nil {
		return err
	}
	d.Entries = list
	for _, c := range list {
		if c.IsTitle() {
			d.Titles = append(d.Titles, c)
		}
	}
	title := "Titolario"
	if len(d.Errors) > 0 {
		title = "Errori: Titolario"
	}
	h.render(w, r, status, "admin_classifications", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Amministrazione", ""}, {"Titolario", ""}}, Data: d})
	return nil
}

// handleAdminClassificationCreate adds a titolo or a classe.
func (h *Handler) handleAdminClassificationCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	c := &procedo.Classification{Code: r.PostFormValue("code"), ParentCode: r.PostFormValue("parent_code"), Title: r.PostFormValue("title")}
	err := h.Classifications.CreateClassification(r.Context(), c)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		return h.renderClassifications(w, r, http.StatusUnprocessableEntity, &adminClassificationsPage{New: c, Errors: fe})
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/admin/titolario", "classification-new")
	return nil
}

// handleAdminClassificationUpdate renames or (de)activates an entry.
func (h *Handler) handleAdminClassificationUpdate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	code, title := r.PostFormValue("code"), r.PostFormValue("title")
	active := r.PostFormValue("active") == "1"
	_, err := h.Classifications.UpdateClassification(r.Context(), code, &title, &active)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		return h.renderClassifications(w, r, http.StatusUnprocessableEntity, &adminClassificationsPage{New: &procedo.Classification{}, Errors: fe, Edit: code})
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/admin/titolario", "classification-save")
	return nil
}
