// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// registryDailyPage lists the daily registers (registro giornaliero di protocollo).
type registryDailyPage struct {
	Rows       []registryDailyRow
	CanProduce bool
	Day        string // typed in the production form
	Error      string
	Yesterday  string // YYYY-MM-DD: the latest day that can be produced
}

// registryDailyRow is one daily register with the registration it got.
type registryDailyRow struct {
	*procedo.DailyRegister
	Registration *procedo.Registration // nil if not visible
}

// handleRegistryDailyList lists the daily registers of the last months, with
// the records manager's form to produce a missing one.
func (h *Handler) handleRegistryDailyList(w http.ResponseWriter, r *http.Request) error {
	u, err := requireRoles(r, "I registri giornalieri sono consultati dal protocollo e dal responsabile della gestione documentale.", deskRoles...)
	if err != nil {
		return err
	}
	return h.renderRegistryDaily(w, r, http.StatusOK, u, &registryDailyPage{})
}

func (h *Handler) renderRegistryDaily(w http.ResponseWriter, r *http.Request, status int, u *procedo.User, d *registryDailyPage) error {
	ctx := r.Context()
	list, err := h.DailyRegisters.FindDailyRegisters(ctx, 120)
	if err != nil {
		return err
	}
	for _, dr := range list {
		row := registryDailyRow{DailyRegister: dr}
		if row.Registration, err = h.Registrations.FindRegistrationByID(ctx, dr.RegistrationID); err != nil && !isCode(err, procedo.ENOTFOUND) {
			return err
		}
		d.Rows = append(d.Rows, row)
	}
	d.CanProduce = u.HasRole(procedo.RoleRecords)
	d.Yesterday = procedo.DateOf(timeNow()).AddDays(-1).String()
	title := "Registri giornalieri di protocollo"
	if status != http.StatusOK {
		title = "Errori: " + title
	}
	h.render(w, r, status, "registry_daily", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Protocollo", "/ufficio/protocollo"}, {"Registri giornalieri", ""}}, Data: d})
	return nil
}

// handleRegistryDailyProduce produces now the daily register of a past day
// that has none (records role); an existing one is left as it is.
func (h *Handler) handleRegistryDailyProduce(w http.ResponseWriter, r *http.Request) error {
	u, err := requireRoles(r, "Solo il responsabile della gestione documentale produce il registro giornaliero.", procedo.RoleRecords)
	if err != nil {
		return err
	}
	d := &registryDailyPage{Day: strings.TrimSpace(r.PostFormValue("day"))}
	day, perr := procedo.ParseDate(d.Day)
	switch {
	case d.Day == "":
		d.Error = "Indica la giornata."
	case perr != nil:
		d.Error = "Indica la data nel formato gg/mm/aaaa."
	case !day.Before(procedo.DateOf(timeNow())):
		d.Error = "Il registro giornaliero si produce a giornata conclusa: indica un giorno passato."
	}
	if d.Error == "" {
		if _, err := h.DailyRegisters.ProduceDailyRegister(r.Context(), day); err != nil {
			if !isCode(err, procedo.ECONFLICT) {
				return err
			}
			d.Error = procedo.ErrorMessage(err)
		}
	}
	if d.Error != "" {
		return h.renderRegistryDaily(w, r, http.StatusUnprocessableEntity, u, d)
	}
	h.redirect(w, r, "/ufficio/protocollo/giornalieri", "daily-produced")
	return nil
}
