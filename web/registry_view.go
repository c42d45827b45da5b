// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// deskRoles may use the registry desk's pages beyond search and detail
// (daily registers); registering also needs registry or admin, annulling records.
var deskRoles = []procedo.Role{procedo.RoleRegistry, procedo.RoleRecords, procedo.RoleAdmin}

// requireRoles returns the operator of the request if they have one of roles:
// EUNAUTHORIZED without an operator, EFORBIDDEN with msg otherwise.
func requireRoles(r *http.Request, msg string, roles ...procedo.Role) (*procedo.User, error) {
	u, err := requireUser(r)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(roles, u.HasRole) {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "%s", msg)
	}
	return u, nil
}

// registrationURL is the detail page of a registration.
func registrationURL(reg *procedo.Registration) string {
	return fmt.Sprintf("/ufficio/protocollo/%d/%d", reg.Year, reg.Number)
}

// findRegistration returns the registration of the path ({year}/{number}) if
// the actor may read it; ENOTFOUND otherwise, also for another tenant's.
func (h *Handler) findRegistration(r *http.Request) (*procedo.Registration, error) {
	year, err1 := strconv.Atoi(r.PathValue("year"))
	number, err2 := strconv.Atoi(r.PathValue("number"))
	if err1 != nil || err2 != nil || year < 1 || number < 1 {
		return nil, errNotFound
	}
	return h.Registrations.FindRegistrationByNumber(r.Context(), year, number)
}

// selectView is a labelled select of the staff pages: plain options, or
// options in groups (the titolario).
type selectView struct {
	ID, Name, Label, Hint, Error string
	Selected                     string
	Empty                        string // label of the empty option; "" for none
	Options                      []option
	Groups                       []optGroup
}

type option struct{ Value, Label string }

type optGroup struct {
	Label   string
	Options []option
}

// titolario is the tenant's classification scheme for pickers and labels.
type titolario struct {
	Groups []optGroup        // one group per titolo, the titolo itself first
	Titles map[string]string // code → title
}

// Label returns "VI.3 – Edilizia privata", or the bare code if unknown.
func (t *titolario) Label(code string) string {
	if code == "" {
		return ""
	}
	if title, ok := t.Titles[code]; ok {
		return code + " – " + title
	}
	return code
}

func (h *Handler) loadTitolario(ctx context.Context) (*titolario, error) {
	list, err := h.Classifications.FindClassifications(ctx)
	if err != nil {
		return nil, err
	}
	t := &titolario{Titles: map[string]string{}}
	for _, c := range list {
		t.Titles[c.Code] = c.Title
		if c.IsTitle() {
			t.Groups = append(t.Groups, optGroup{Label: "Titolo " + c.Code + " – " + c.Title,
				Options: []option{{c.Code, c.Code + " – " + c.Title + " (intero titolo)"}}})
			continue
		}
		if n := len(t.Groups); n > 0 {
			t.Groups[n-1].Options = append(t.Groups[n-1].Options, option{c.Code, c.Code + " – " + c.Title})
		}
	}
	return t, nil
}

// channelOptions are the means of receipt or sending.
func channelOptions() []option {
	out := make([]option, len(procedo.Channels))
	for i, c := range procedo.Channels {
		out[i] = option{c.Code, c.Label}
	}
	return out
}

// channelLabel returns the Italian name of a channel code.
func channelLabel(code string) string {
	for _, c := range procedo.Channels {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func officeOptions(units []*procedo.OrgUnit) []option {
	out := make([]option, len(units))
	for i, u := range units {
		out[i] = option{strconv.FormatInt(u.ID, 10), u.Name}
	}
	return out
}

// assignmentKindLabel and assignmentStatusLabel name an assignment in Italian.
func assignmentKindLabel(kind string) string {
	switch kind {
	case procedo.AssignmentAction:
		return "Per competenza"
	case procedo.AssignmentInfo:
		return "Per conoscenza"
	}
	return kind
}

func assignmentStatusLabel(status string) string {
	switch status {
	case procedo.AssignmentPending:
		return "Da prendere in carico"
	case procedo.AssignmentAccepted:
		return "Accettata"
	case procedo.AssignmentReturned:
		return "Restituita al protocollo"
	}
	return status
}

// registryDocument is a document of a registration with its role.
type registryDocument struct {
	*procedo.Document
	Main bool
}

// registryEvent is one line of a registration's history, in words.
type registryEvent struct {
	At     time.Time
	Actor  string
	Text   string
	Reason string
}

var correctedFields = map[string]string{"classification": "classificazione", "channel": "mezzo di ricezione o invio", "reserved": "riservatezza"}

func describeEvent(e *procedo.RegistrationEvent, offices map[string]string, t *titolario) registryEvent {
	ev := registryEvent{At: e.At, Actor: e.ActorName, Reason: e.Reason}
	office := offices[e.NewValue]
	if office == "" {
		office = "ufficio n. " + e.NewValue
	}
	switch e.Kind {
	case "registered":
		ev.Text = "Registrato al protocollo con il numero " + e.NewValue
	case "assigned":
		ev.Text = "Assegnato " + strings.ToLower(assignmentKindLabel(e.Field)) + " a " + office
	case "accepted":
		ev.Text = "Assegnazione accettata da " + office
	case "returned":
		ev.Text = "Restituito al protocollo da " + office
	case "annulled":
		ev.Text = "Registrazione annullata; provvedimento: " + e.NewValue
	case "corrected":
		field := correctedFields[e.Field]
		if field == "" {
			field = e.Field
		}
		value := func(v string) string {
			switch {
			case e.Field == "classification":
				v = t.Label(v)
			case e.Field == "channel":
				v = channelLabel(v)
			case e.Field == "reserved" && v == "true":
				v = "riservato"
			case e.Field == "reserved" && v == "false":
				v = "non riservato"
			}
			if v == "" {
				return "(vuoto)"
			}
			return "«" + v + "»"
		}
		ev.Text = "Corretto il campo " + field + ": da " + value(e.OldValue) + " a " + value(e.NewValue)
	default:
		ev.Text = e.Kind
	}
	return ev
}

// registryViewPage is the detail of a registration with its forms.
type registryViewPage struct {
	Reg          *procedo.Registration
	Classifica   string // "VI.3 – Edilizia privata"
	Channel      string
	Office       string // office for action
	Documents    []registryDocument
	Assignments  []*procedo.Assignment
	History      []registryEvent
	HasSegnatura bool
	CanCorrect   bool
	CanAnnul     bool
	Correction   correctionForm
	Annulment    annulmentForm
	// Returned is the assignment for action the office sent back, when it is
	// the current one and the entry is not annulled; CanReassign when the
	// user is the registry desk, who may give it to another office.
	Returned    *procedo.Assignment
	CanReassign bool
	Reassign    reassignForm
}

// registryForms are the forms of the detail page sent back with errors; nil
// ones are drawn empty.
type registryForms struct {
	corr     *correctionForm
	annul    *annulmentForm
	reassign *reassignForm
}

// correctionForm is the form that changes the fields outside art. 53.
type correctionForm struct {
	Classification selectView
	Channel        selectView
	Reserved       bool
	Reason         string
	Errors         procedo.FieldErrors
	Summary        []fieldError
}

// annulmentForm is the records manager's annulment form (art. 54).
type annulmentForm struct {
	Reason, Act string
	Errors      procedo.FieldErrors
	Summary     []fieldError
}

// handleRegistryView shows a registration: every art. 53 field, documents,
// assignments, history and the correction and annulment forms.
func (h *Handler) handleRegistryView(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	reg, err := h.findRegistration(r)
	if err != nil {
		return err
	}
	return h.renderRegistryView(w, r, http.StatusOK, u, reg, registryForms{})
}

// renderRegistryView draws the detail page with forms, those in f sent back
// with errors.
func (h *Handler) renderRegistryView(w http.ResponseWriter, r *http.Request, status int, u *procedo.User, reg *procedo.Registration,
	f registryForms) error {
	ctx := r.Context()
	t, err := h.loadTitolario(ctx)
	if err != nil {
		return err
	}
	units, err := h.OrgUnits.FindOrgUnits(ctx)
	if err != nil {
		return err
	}
	offices := map[string]string{}
	for _, o := range units {
		offices[strconv.FormatInt(o.ID, 10)] = o.Name
	}
	d := &registryViewPage{Reg: reg, Classifica: t.Label(reg.Classification), Channel: channelLabel(reg.Channel)}
	if reg.OrgUnitID != nil {
		d.Office = offices[strconv.FormatInt(*reg.OrgUnitID, 10)]
	}
	docs, err := h.Registrations.FindRegistrationDocuments(ctx, reg.ID)
	if err != nil {
		return err
	}
	for _, doc := range docs {
		d.Documents = append(d.Documents, registryDocument{doc, reg.DocumentID != nil && *reg.DocumentID == doc.ID})
	}
	if d.Assignments, err = h.Registrations.FindAssignments(ctx, reg.ID, nil, ""); err != nil {
		return err
	}
	events, err := h.Registrations.FindRegistrationHistory(ctx, reg.ID)
	if err != nil {
		return err
	}
	for _, e := range events {
		d.History = append(d.History, describeEvent(e, offices, t))
	}
	d.HasSegnatura = slices.ContainsFunc(deskRoles, u.HasRole) && h.segnaturaAvailable(r, reg) == nil
	d.CanCorrect = !reg.Annulled() && (u.HasRole(procedo.RoleRegistry) || u.HasRole(procedo.RoleRecords))
	d.CanAnnul = !reg.Annulled() && u.HasRole(procedo.RoleRecords)
	if f.corr != nil {
		d.Correction = *f.corr
	} else {
		d.Correction = correctionForm{Reserved: reg.Reserved}
		d.Correction.Classification.Selected, d.Correction.Channel.Selected = reg.Classification, reg.Channel
	}
	d.Correction.Classification = selectView{ID: "f-corr-classification", Name: "classification", Label: "Classificazione",
		Empty: "Nessuna classificazione", Groups: t.Groups, Selected: d.Correction.Classification.Selected,
		Error: d.Correction.Errors["classification"]}
	d.Correction.Channel = selectView{ID: "f-corr-channel", Name: "channel", Label: "Mezzo di ricezione o di invio",
		Empty: "Non indicato", Options: channelOptions(), Selected: d.Correction.Channel.Selected, Error: d.Correction.Errors["channel"]}
	if f.annul != nil {
		d.Annulment = *f.annul
	}
	d.Returned = returnedAssignment(reg, d.Assignments)
	if d.CanReassign = d.Returned != nil && u.HasRole(procedo.RoleRegistry); d.CanReassign {
		if f.reassign != nil {
			d.Reassign = *f.reassign
		}
		// Offices that had the document, for action or information, are not offered.
		had := map[int64]bool{}
		for _, x := range d.Assignments {
			had[x.OrgUnitID] = true
		}
		var free []*procedo.OrgUnit
		for _, o := range units {
			if !had[o.ID] {
				free = append(free, o)
			}
		}
		d.Reassign.Office = selectView{ID: "f-reassign-office", Name: "office", Label: "Nuovo ufficio competente",
			Empty: "Scegli un ufficio", Options: officeOptions(free), Selected: d.Reassign.Office.Selected,
			Error: d.Reassign.Errors["office"], Hint: "Gli uffici che hanno già avuto il documento non sono elencati."}
	}
	title := "Protocollo n. " + reg.NumberString() + "/" + strconv.Itoa(reg.Year)
	crumbTitle := title
	if status != http.StatusOK {
		title = "Errori: " + title
	}
	h.render(w, r, status, "registry_view", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Protocollo", "/ufficio/protocollo"}, {crumbTitle, ""}}, Data: d})
	return nil
}
