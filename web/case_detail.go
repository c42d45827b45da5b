// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// caseDetail is what both the citizen's and the operator's case pages show:
// the case, its clock, its form data, its dossier and its history.
type caseDetail struct {
	Case        *procedo.Case
	Def         *procedo.ProcedureDefinition // the case's own version (invariant 6)
	Receipt     *procedo.Receipt
	StatusLabel string
	Clock       *procedo.CaseClock
	Events      []eventView
	Documents   []docGroup
	Fields      []formValue
	Decision    *procedo.Registration
	Messages    []*procedo.CaseMessage
	Payments    []*procedo.PaymentNotice // the case's pagoPA notices the actor may see, oldest first
	PayLabel    string                   // the payment provider's button label, for the applicant; "" offers no online payment
	Opinions    *opinionPanel            // the opinions (pareri) and the request form; nil without CaseOpinions
	Today       procedo.Date

	// The form shown again with its errors: Form names it ("transition",
	// "assign", "note", "reply", "extend", "return", "answer", "message",
	// "substitute", "withdraw", "payment", "opinion"), Values holds what was typed, Alert a
	// message that is not about one field (a conflict).
	Form   string
	Errors procedo.FieldErrors
	Values map[string]string
	Alert  string

	// Reason is the motivation typed in the transitions' form (kept for
	// the error page of a decision).
	Reason string

	events []*procedo.CaseEvent // every event the actor may see, for the protocol list
}

// Err returns the error of field in form, if that form is the one shown
// again.
func (d *caseDetail) Err(form, field string) string {
	if d.Form != form {
		return ""
	}
	return d.Errors[field]
}

// Value returns what was typed in field of form, if that form is shown again.
func (d *caseDetail) Value(form, field string) string {
	if d.Form != form {
		return ""
	}
	return d.Values[field]
}

// formValue is one answer of the application form, as people read it.
type formValue struct{ Label, Value string }

// eventView is one line of the timeline.
type eventView struct {
	At         time.Time
	Kind       string
	Label      string
	Detail     string
	Actor      string
	DocumentID *int64
}

// docGroup is a part of the dossier: the application, the acts issued, what
// the applicant sent.
type docGroup struct {
	ID, Title string
	Documents []*procedo.Document
}

// citizenEvents are the kinds of event the applicant sees in their timeline;
// the others (assignments, reminders, drafts, alerts) are the office's.
var citizenEvents = []string{procedo.CaseEventSubmitted, procedo.CaseEventTransition, procedo.CaseEventClock, procedo.CaseEventAnswer,
	procedo.CaseEventExtension, procedo.CaseEventSilence, procedo.CaseEventAttestation, procedo.CaseEventSubstitute, procedo.CaseEventMessage,
	procedo.CaseEventPaymentRequest, procedo.CaseEventPaymentPaid}

// loadCase loads the case of the request's {id} with everything both pages
// show. Citizens get only what is addressed to them.
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
	d := &caseDetail{Case: cas, Today: procedo.DateOf(timeNow())}
	if d.Receipt, err = h.Applications.FindReceipt(ctx, cas.ApplicationID); err != nil {
		return nil, err
	}
	d.Def = &d.Receipt.Procedure.Definition
	d.StatusLabel = d.Def.StateLabel(cas.Status)
	if d.Clock, err = h.Cases.FindCaseClock(ctx, id, d.Today); err != nil {
		return nil, err
	}
	events, err := h.Cases.FindCaseEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	docs, err := h.Cases.FindCaseDocuments(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Documents = groupDocuments(d.Receipt, docs)
	citizen := procedo.CitizenFromContext(ctx) != nil
	for _, e := range events {
		if citizen && !slices.Contains(citizenEvents, e.Kind) {
			continue
		}
		v := d.eventView(e)
		// Link only documents the actor may open (citizens: those addressed to them).
		if v.DocumentID != nil && !slices.ContainsFunc(docs, func(x *procedo.Document) bool { return x.ID == *v.DocumentID }) {
			v.DocumentID = nil
		}
		d.Events = append(d.Events, v)
		d.events = append(d.events, e)
	}
	d.Fields = formValues(d.Def, d.Receipt.Application.Data)
	if cas.DecisionRegistrationID != nil {
		if d.Decision, err = h.Registrations.FindRegistrationByID(ctx, *cas.DecisionRegistrationID); err != nil {
			return nil, err
		}
	}
	if h.CaseMessages != nil {
		if d.Messages, err = h.CaseMessages.FindCaseMessages(ctx, id); err != nil {
			return nil, err
		}
	}
	if h.CasePayments != nil {
		if d.Payments, err = h.CasePayments.FindCasePayments(ctx, id); err != nil {
			return nil, err
		}
		if citizen && h.PaymentProvider != nil {
			d.PayLabel = h.PaymentProvider.Label()
		}
	}
	if h.CaseOpinions != nil {
		if d.Opinions, err = h.opinionPanel(r, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// eventView describes e in Italian.
func (d *caseDetail) eventView(e *procedo.CaseEvent) eventView {
	v := eventView{At: e.At, Kind: e.Kind, Label: procedo.CaseEventTitle(e.Kind), Detail: e.Reason, Actor: e.ActorName, DocumentID: e.DocumentID}
	switch e.Kind {
	case procedo.CaseEventSubmitted:
		v.Label = "Domanda presentata e protocollata"
	case procedo.CaseEventTransition:
		v.Label = d.Def.StateLabel(e.ToStatus)
		for _, t := range d.Def.Flow().Transitions {
			if t.Name == e.Transition && t.From == e.FromStatus {
				v.Label = t.Label + ": " + d.Def.StateLabel(e.ToStatus)
			}
		}
	}
	return v
}

// groupDocuments splits the case's documents into the application with its
// attachments, the acts the office issued and what the applicant sent later.
func groupDocuments(rec *procedo.Receipt, docs []*procedo.Document) []docGroup {
	app := docGroup{ID: "documenti-domanda", Title: "Domanda e allegati"}
	issued := docGroup{ID: "documenti-atti", Title: "Atti e comunicazioni dell'ufficio"}
	sent := docGroup{ID: "documenti-richiedente", Title: "Inviati dal richiedente dopo la domanda"}
	opinions := docGroup{ID: "documenti-pareri", Title: "Pareri resi"}
	// The application's documents are stored with the case, in one
	// transaction (one time); everything else comes later.
	for _, x := range docs {
		switch {
		case x.Kind == procedo.DocumentNotice || x.Kind == procedo.DocumentDecision:
			issued.Documents = append(issued.Documents, x)
		case x.Kind == procedo.DocumentOpinion:
			opinions.Documents = append(opinions.Documents, x)
		case x.Kind != procedo.DocumentAnswer && !x.CreatedAt.After(rec.Case.CreatedAt):
			app.Documents = append(app.Documents, x)
		default:
			sent.Documents = append(sent.Documents, x)
		}
	}
	var out []docGroup
	for _, g := range []docGroup{app, issued, opinions, sent} {
		if len(g.Documents) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// formValues lists the answers of the application form in form order;
// addresses and repeatable groups are written out in words.
func formValues(def *procedo.ProcedureDefinition, data map[string]string) []formValue {
	var out []formValue
	for _, sec := range def.Form.Sections {
		for _, f := range sec.Fields {
			switch f.Type {
			case procedo.FieldFile:
			case procedo.FieldAddress:
				out = append(out, formValue{f.Label, addressValue(data, f.Name)})
			case procedo.FieldGroup:
				for i := 0; i < f.Items(); i++ {
					var parts []string
					for _, sub := range f.Fields {
						if v := data[f.Name+"."+strconv.Itoa(i)+"."+sub.Name]; v != "" && sub.Type != procedo.FieldFile {
							parts = append(parts, sub.Label+": "+procedo.DisplayValue(sub, v))
						}
					}
					if len(parts) > 0 {
						out = append(out, formValue{fmt.Sprintf("%s (%d)", f.Label, i+1), strings.Join(parts, "; ")})
					}
				}
			default:
				out = append(out, formValue{f.Label, procedo.DisplayValue(f, data[f.Name])})
			}
		}
	}
	return out
}

func addressValue(data map[string]string, name string) string {
	via, civico, postcode, comune := data[name+".via"], data[name+".civico"], data[name+".cap"], data[name+".comune"]
	s := strings.TrimSpace(strings.TrimSpace(via+" "+civico) + ", " + strings.TrimSpace(postcode+" "+comune))
	s = strings.Trim(s, ", ")
	if s == "" {
		return "—"
	}
	return s
}

// Labels of the clock for lists: the badge of a case's due date.
type dueBadge struct{ Label, Class string }

// dueBadgeOf returns the badge of c's due date on today: concluded,
// suspended, overdue, expiring, or none.
func dueBadgeOf(c *procedo.Case, today procedo.Date) *dueBadge {
	switch {
	case c.Status.Closed() || c.ClockState == procedo.ClockStopped:
		if c.Late {
			return &dueBadge{"conclusa in ritardo", "bg-secondary"}
		}
		return nil
	case c.ClockState == procedo.ClockSuspended:
		return &dueBadge{"sospesa", "bg-info"}
	case c.DueDate.Before(today):
		return &dueBadge{"scaduta", "bg-danger"}
	case today.DaysUntil(c.DueDate) <= procedo.DefaultExpiringDays:
		return &dueBadge{"in scadenza", "bg-warning"}
	}
	return nil
}

// daysLeftText says how many days are left to a due date, or since when it passed.
func daysLeftText(c *procedo.Case, today procedo.Date) string {
	if c.Status.Closed() || c.ClockState != procedo.ClockRunning {
		return ""
	}
	n := today.DaysUntil(c.DueDate)
	switch {
	case n < 0:
		return "scaduta da " + procedo.FormatDays(-n)
	case n == 0:
		return "scade oggi"
	}
	return "mancano " + procedo.FormatDays(n)
}

// Template functions of the case pages.
func init() {
	funcs["clockKind"] = func(k procedo.ClockEventKind) string {
		switch k {
		case procedo.ClockStart:
			return "Avvio del termine"
		case procedo.ClockSuspend:
			return "Sospensione"
		case procedo.ClockResume:
			return "Ripresa"
		case procedo.ClockInterrupt:
			return "Interruzione (il termine riparte)"
		case procedo.ClockExtend:
			return "Proroga"
		}
		return string(k)
	}
	// clockBadge is the colour of a badge of CaseClock.Labels.
	funcs["clockBadge"] = func(label string) string {
		switch label {
		case "Scaduto":
			return "bg-danger"
		case "In scadenza", "Concluso in ritardo":
			return "bg-warning"
		case procedo.ClockSuspended.Label():
			return "bg-info"
		case procedo.ClockStopped.Label(), "Silenzio-assenso formato":
			return "bg-success"
		}
		return "bg-primary"
	}
}
