// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// correspondentRows is how many correspondent rows the register form offers:
// several senders or recipients without JavaScript.
const correspondentRows = 3

// maxRegistryAttachments bounds the attachments of one registration made at the desk.
const maxRegistryAttachments = 5

// registryForm holds the values of the register form, as typed.
type registryForm struct {
	Direction       string
	Subject         string
	Correspondents  []procedo.Correspondent // correspondentRows rows, maybe empty
	SenderProtocol  string
	SenderDate      string // YYYY-MM-DD
	Channel         string
	Classification  string
	ActionOffice    string
	InfoOffices     map[string]bool
	Reserved        bool
	AttachmentsNote string
	EmergencyNumber string
	EmergencyDate   string // YYYY-MM-DD
	EmergencyTime   string // HH:MM
}

// registryNewPage is the register form.
type registryNewPage struct {
	Form           *registryForm
	Errors         procedo.FieldErrors
	Summary        []fieldError
	Directions     []option
	Channel        selectView
	Classification selectView
	ActionOffice   selectView
	Offices        []option // for the "conoscenza" checkboxes
	Rows           []correspondentRow
	MaxMB          int64
}

// correspondentRow is one numbered row of correspondent fields.
type correspondentRow struct {
	N string // 1, 2, …: the suffix of the field names
	procedo.Correspondent
}

// registryFields lists the form's fields in order, for the error summary:
// the domain's error key, the id (without "f-") of the element to focus and
// the label.
var registryFields = []struct{ Key, Anchor, Label string }{
	{"direction", "direction-E", "Direzione"},
	{"subject", "subject", "Oggetto"},
	{"correspondents", "corr_name_1", "Corrispondenti"},
	{"sender_protocol", "sender_protocol", "Protocollo del mittente"},
	{"sender_protocol_date", "sender_protocol_date", "Data del protocollo del mittente"},
	{"channel", "channel", "Mezzo di ricezione o di invio"},
	{"classification", "classification", "Classificazione"},
	{"offices", "action_office", "Uffici assegnatari"},
	{"main", "main", "Documento principale"},
	{"attachments", "attachments", "Allegati"},
	{"emergency_number", "emergency_number", "Numero del registro di emergenza"},
	{"emergency_at", "emergency_date", "Data e ora della registrazione di emergenza"},
}

func newRegistryForm() *registryForm {
	return &registryForm{Direction: string(procedo.DirectionIncoming), Correspondents: make([]procedo.Correspondent, correspondentRows),
		InfoOffices: map[string]bool{}}
}

// handleRegistryNew shows the register form to the registry desk.
func (h *Handler) handleRegistryNew(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireRoles(r, "Solo il protocollo registra i documenti.", procedo.RoleRegistry, procedo.RoleAdmin); err != nil {
		return err
	}
	return h.renderRegistryNew(w, r, http.StatusOK, newRegistryForm(), nil)
}

func (h *Handler) renderRegistryNew(w http.ResponseWriter, r *http.Request, status int, f *registryForm, fe procedo.FieldErrors) error {
	ctx := r.Context()
	t, err := h.loadTitolario(ctx)
	if err != nil {
		return err
	}
	units, err := h.OrgUnits.FindOrgUnits(ctx)
	if err != nil {
		return err
	}
	d := &registryNewPage{Form: f, Errors: fe, Offices: officeOptions(units), MaxMB: h.MaxUpload >> 20,
		Directions: []option{{"E", procedo.DirectionIncoming.Label()}, {"U", procedo.DirectionOutgoing.Label()}, {"I", procedo.DirectionInternal.Label()}},
		Channel: selectView{ID: "f-channel", Name: "channel", Label: "Mezzo di ricezione o di invio", Empty: "Non indicato",
			Options: channelOptions(), Selected: f.Channel, Error: fe["channel"]},
		Classification: selectView{ID: "f-classification", Name: "classification", Label: "Classificazione (titolario)",
			Empty: "Da classificare", Groups: t.Groups, Selected: f.Classification, Error: fe["classification"],
			Hint: "Scegli la classe del titolario; il titolo intero solo se nessuna classe è adatta."},
		ActionOffice: selectView{ID: "f-action_office", Name: "action_office", Label: "Ufficio competente (per competenza)",
			Empty: "Nessuno", Options: officeOptions(units), Selected: f.ActionOffice, Error: fe["offices"]},
	}
	for i, c := range f.Correspondents {
		d.Rows = append(d.Rows, correspondentRow{strconv.Itoa(i + 1), c})
	}
	known := map[string]bool{}
	for _, fl := range registryFields {
		known[fl.Key] = true
		if msg, ok := fe[fl.Key]; ok {
			d.Summary = append(d.Summary, fieldError{fl.Anchor, fl.Label, msg})
		}
	}
	for k, msg := range fe {
		if !known[k] {
			d.Summary = append(d.Summary, fieldError{"subject", k, msg})
		}
	}
	title := "Nuova registrazione di protocollo"
	if len(fe) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "registry_new", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Protocollo", "/ufficio/protocollo"}, {"Nuova registrazione", ""}}, Data: d})
	return nil
}

// handleRegistryCreate registers a document: it checks the typed fields
// first, then stores the files in the blob store, then registers. On success
// it shows the new registration (303); on errors the form again (422), with
// the values kept and the files to attach again.
func (h *Handler) handleRegistryCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireRoles(r, "Solo il protocollo registra i documenti.", procedo.RoleRegistry, procedo.RoleAdmin); err != nil {
		return err
	}
	f, in, fe := parseRegistryForm(r)
	if err := in.Validate(); err != nil {
		for k, msg := range procedo.FieldErrorsOf(err) {
			fe.Add(k, msg)
		}
	}
	var mainFH *multipart.FileHeader
	var attFHs []*multipart.FileHeader
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["main"]; len(fhs) > 1 {
			fe.Add("main", "Allega un solo documento principale.")
		} else if len(fhs) == 1 {
			mainFH = fhs[0]
		}
		attFHs = r.MultipartForm.File["attachments"]
	}
	if len(attFHs) > maxRegistryAttachments {
		fe.Add("attachments", "Puoi allegare al massimo 5 file.")
	}
	for _, fh := range append([]*multipart.FileHeader{mainFH}, attFHs...) {
		if fh != nil && fh.Size == 0 {
			key := "attachments"
			if fh == mainFH {
				key = "main"
			}
			fe.Add(key, "Il file «"+cleanFilename(fh.Filename)+"» è vuoto.")
		}
	}
	if len(attFHs) > 0 && mainFH == nil {
		fe.Add("main", "Gli allegati accompagnano un documento principale: allega anche quello.")
	}
	if len(fe) > 0 {
		return h.renderRegistryNew(w, r, http.StatusUnprocessableEntity, f, fe)
	}
	// The typed fields are valid: store the files, then register.
	if mainFH != nil {
		u, err := h.storeUpload(r, procedo.FormField{Name: "main", Type: procedo.FieldFile}, mainFH)
		if fe2 := procedo.FieldErrorsOf(err); fe2 != nil {
			return h.renderRegistryNew(w, r, http.StatusUnprocessableEntity, f, fe2)
		} else if err != nil {
			return err
		}
		in.Main = u
	}
	for _, fh := range attFHs {
		u, err := h.storeUpload(r, procedo.FormField{Name: "attachments", Type: procedo.FieldFile}, fh)
		if fe2 := procedo.FieldErrorsOf(err); fe2 != nil {
			return h.renderRegistryNew(w, r, http.StatusUnprocessableEntity, f, fe2)
		} else if err != nil {
			return err
		}
		in.Attachments = append(in.Attachments, u)
	}
	reg, err := h.Registrations.RegisterEntry(r.Context(), in)
	if fe2 := procedo.FieldErrorsOf(err); fe2 != nil {
		return h.renderRegistryNew(w, r, http.StatusUnprocessableEntity, f, fe2)
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, registrationURL(reg), "registered")
	return nil
}

// parseRegistryForm reads the typed fields into the form (to show again) and
// the input (to register), with the errors of values that do not parse.
func parseRegistryForm(r *http.Request) (*registryForm, *procedo.RegistrationInput, procedo.FieldErrors) {
	fe := procedo.FieldErrors{}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := &registryForm{Direction: v("direction"), Subject: v("subject"), SenderProtocol: v("sender_protocol"),
		SenderDate: v("sender_protocol_date"), Channel: v("channel"), Classification: v("classification"),
		ActionOffice: v("action_office"), InfoOffices: map[string]bool{}, Reserved: v("reserved") != "",
		AttachmentsNote: v("attachments_note"), EmergencyNumber: v("emergency_number"), EmergencyDate: v("emergency_date"),
		EmergencyTime: v("emergency_time")}
	in := &procedo.RegistrationInput{Direction: procedo.Direction(f.Direction), Subject: f.Subject, SenderProtocol: f.SenderProtocol,
		Channel: f.Channel, Classification: f.Classification, Reserved: f.Reserved, AttachmentsNote: f.AttachmentsNote}
	for i := 1; i <= correspondentRows; i++ {
		n := strconv.Itoa(i)
		c := procedo.Correspondent{Name: v("corr_name_" + n), FiscalCode: strings.ToUpper(v("corr_cf_" + n)), Email: v("corr_email_" + n)}
		f.Correspondents = append(f.Correspondents, c)
		if c != (procedo.Correspondent{}) {
			in.Correspondents = append(in.Correspondents, c)
		}
	}
	if f.SenderDate != "" {
		d, err := procedo.ParseDate(f.SenderDate)
		if err != nil {
			fe.Add("sender_protocol_date", "Indica la data nel formato gg/mm/aaaa.")
		}
		in.SenderProtocolDate = d
	}
	office := func(s string) (int64, bool) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("offices", "Ufficio sconosciuto.")
			return 0, false
		}
		return id, true
	}
	if f.ActionOffice != "" {
		if id, ok := office(f.ActionOffice); ok {
			in.ActionOffice = &id
		}
	}
	for _, s := range r.PostForm["info_offices"] {
		if s == f.ActionOffice || f.InfoOffices[s] { // the office for action is informed anyway
			continue
		}
		f.InfoOffices[s] = true
		if id, ok := office(s); ok {
			in.InfoOffices = append(in.InfoOffices, id)
		}
	}
	if f.EmergencyNumber != "" || f.EmergencyDate != "" || f.EmergencyTime != "" {
		e := &procedo.EmergencyEntry{Number: f.EmergencyNumber}
		if f.EmergencyDate != "" {
			clock := f.EmergencyTime
			if clock == "" {
				fe.Add("emergency_at", "Indica anche l'ora della registrazione di emergenza.")
				clock = "00:00"
			}
			at, err := time.ParseInLocation("2006-01-02 15:04", f.EmergencyDate+" "+clock, procedo.Rome)
			switch {
			case err != nil:
				fe.Add("emergency_at", "Indica data (gg/mm/aaaa) e ora (hh:mm) della registrazione di emergenza.")
			case at.After(timeNow()):
				fe.Add("emergency_at", "La registrazione di emergenza non può essere nel futuro.")
			}
			e.At = at
		}
		in.Emergency = e
	}
	return f, in, fe
}
