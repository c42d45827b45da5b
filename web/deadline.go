// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

type deadlinePage struct {
	From, Days  string
	Suspensions [3][2]string // from, to as typed
	Errors      procedo.FieldErrors
	Result      *procedo.TermState
	Patron      string
}

// handleDeadline is the officials' "calcolo scadenze": the legal due date of a
// term (L. 241/1990, c.c. art. 2963) with suspensions, explained step by step.
// It is a GET form: it changes nothing.
func (h *Handler) handleDeadline(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	q := r.URL.Query()
	t := requestFrom(r).tenant
	d := &deadlinePage{From: q.Get("dal"), Days: q.Get("giorni"), Errors: procedo.FieldErrors{}, Patron: t.PatronDay}
	status := http.StatusOK
	if d.From != "" || d.Days != "" {
		start, err := procedo.ParseDate(d.From)
		if err != nil {
			d.Errors.Add("dal", "Indica la data di inizio nel formato aaaa-mm-gg.")
		}
		days, err := strconv.Atoi(d.Days)
		if err != nil || days < 1 || days > 3650 {
			d.Errors.Add("giorni", "Indica un termine tra 1 e 3650 giorni.")
		}
		var ranges []procedo.DateRange
		for i := range d.Suspensions {
			a, b := q.Get("sosp_dal_"+strconv.Itoa(i)), q.Get("sosp_al_"+strconv.Itoa(i))
			d.Suspensions[i] = [2]string{a, b}
			if a == "" && b == "" {
				continue
			}
			f, err1 := procedo.ParseDate(a)
			to, err2 := procedo.ParseDate(b)
			if err1 != nil || err2 != nil || to.Before(f) {
				d.Errors.Add("sosp_dal_"+strconv.Itoa(i), "Indica inizio e fine della sospensione (aaaa-mm-gg), la fine non prima dell'inizio.")
				continue
			}
			ranges = append(ranges, procedo.DateRange{From: f, To: to})
		}
		if len(d.Errors) == 0 {
			st, err := procedo.ComputeWithSuspensions(start, days, procedo.Calendar{PatronDay: t.PatronDay}, ranges...)
			if err != nil {
				d.Errors.Add("dal", procedo.ErrorMessage(err))
			} else {
				d.Result = &st
			}
		}
		if len(d.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	title := "Calcolo delle scadenze"
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "deadline", &page{Title: title, Section: "office", Breadcrumbs: []crumb{{"Calcolo delle scadenze", ""}}, Data: d})
	return nil
}
