// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/procedo/procedo"
)

// outboxPageSize is the number of messages on one page of the outbox.
const outboxPageSize = 50

// outboxPage is the administrators' view of the outgoing mail.
type outboxPage struct {
	Entries  []*procedo.OutboxEntry
	Total    int
	Page     int
	Pages    int
	Status   string
	Statuses []option
	PrevURL  string
	NextURL  string
	Errors   procedo.FieldErrors
}

// outboxStatuses are the delivery states of the filter.
var outboxStatuses = []option{{"", "Tutti"}, {string(procedo.MailQueued), procedo.MailQueued.Label()},
	{string(procedo.MailSent), procedo.MailSent.Label()}, {string(procedo.MailFailed), procedo.MailFailed.Label()},
	{string(procedo.MailKept), procedo.MailKept.Label()}}

// handleOutbox lists the tenant's outgoing e-mail with its delivery state,
// attempts, last error and next try (read-only; administrators).
func (h *Handler) handleOutbox(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireRoles(r, "La posta in uscita è riservata agli amministratori.", procedo.RoleAdmin); err != nil {
		return err
	}
	q := r.URL.Query()
	d := &outboxPage{Page: 1, Status: q.Get("stato"), Statuses: outboxStatuses, Errors: procedo.FieldErrors{}}
	f := procedo.OutboxFilter{Limit: outboxPageSize}
	switch d.Status {
	case "":
	case string(procedo.MailQueued), string(procedo.MailSent), string(procedo.MailFailed), string(procedo.MailKept):
		st := procedo.MailStatus(d.Status)
		f.Status = &st
	default:
		d.Errors.Add("stato", "Stato di consegna sconosciuto.")
		d.Status = ""
	}
	if s := q.Get("pagina"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			d.Errors.Add("pagina", "Numero di pagina non valido.")
		} else {
			d.Page = n
		}
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		f.Offset = (d.Page - 1) * outboxPageSize
		var err error
		if d.Entries, d.Total, err = h.OutboxList.FindOutbox(r.Context(), f); err != nil {
			return err
		}
	}
	d.Pages = max(1, (d.Total+outboxPageSize-1)/outboxPageSize)
	link := func(page int) string {
		v := url.Values{}
		if d.Status != "" {
			v.Set("stato", d.Status)
		}
		if page > 1 {
			v.Set("pagina", strconv.Itoa(page))
		}
		return "/ufficio/admin/posta?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = link(d.Page + 1)
	}
	title := "Posta in uscita"
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "admin_outbox", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Amministrazione", "/ufficio/admin/uffici"}, {"Posta in uscita", ""}}, Data: d})
	return nil
}
