// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/procedo/procedo"
)

// registrationJSON is an entry of the protocol register (schema Registration).
type registrationJSON struct {
	ID                     int64                   `json:"id"`
	Register               string                  `json:"register"`
	Year                   int                     `json:"year"`
	Number                 int                     `json:"number"`
	NumberString           string                  `json:"number_string"`
	RegisteredAt           time.Time               `json:"registered_at"`
	Direction              procedo.Direction       `json:"direction"`
	Subject                string                  `json:"subject"`
	Correspondents         []procedo.Correspondent `json:"correspondents"`
	DocumentID             *int64                  `json:"document_id"`
	Fingerprint            string                  `json:"fingerprint"`
	AttachmentCount        int                     `json:"attachment_count"`
	AttachmentsDescription string                  `json:"attachments_description"`
	OfficeID               *int64                  `json:"office_id"`
	Classification         string                  `json:"classification"`
	Channel                string                  `json:"channel"`
	SenderProtocol         string                  `json:"sender_protocol"`
	SenderProtocolDate     *procedo.Date           `json:"sender_protocol_date"`
	Reserved               bool                    `json:"reserved"`
	Emergency              *emergencyJSON          `json:"emergency"`
	ChainHash              string                  `json:"chain_hash"`
	PrevHash               string                  `json:"prev_hash"`
	AnnulledAt             *time.Time              `json:"annulled_at"`
	AnnulledBy             string                  `json:"annulled_by"`
	AnnulReason            string                  `json:"annul_reason"`
	AnnulAct               string                  `json:"annul_act"`
}

// emergencyJSON is the emergency register entry (art. 63) an entry came from.
type emergencyJSON struct {
	Number string    `json:"number"`
	At     time.Time `json:"at"`
}

func newRegistrationJSON(r *procedo.Registration) registrationJSON {
	out := registrationJSON{
		ID: r.ID, Register: r.RegisterCode, Year: r.Year, Number: r.Number, NumberString: r.NumberString(),
		RegisteredAt: r.RegisteredAt.UTC(), Direction: r.Direction, Subject: r.Subject, Correspondents: r.Correspondents,
		DocumentID: r.DocumentID, Fingerprint: r.Fingerprint, AttachmentCount: r.AttachmentCount,
		AttachmentsDescription: r.Attachments, OfficeID: r.OrgUnitID, Classification: r.Classification, Channel: r.Channel,
		SenderProtocol: r.SenderProtocol, SenderProtocolDate: optDate(r.SenderProtocolDate), Reserved: r.Reserved,
		ChainHash: r.ChainHash, PrevHash: r.PrevHash,
		AnnulledAt: optTime(r.AnnulledAt), AnnulledBy: r.AnnulledBy, AnnulReason: r.AnnulReason, AnnulAct: r.AnnulAct,
	}
	if out.Correspondents == nil {
		out.Correspondents = []procedo.Correspondent{}
	}
	if r.EmergencyNumber != "" && r.EmergencyAt != nil {
		out.Emergency = &emergencyJSON{Number: r.EmergencyNumber, At: r.EmergencyAt.UTC()}
	}
	return out
}

// registrationViewJSON is an entry with its documents and history (schema
// RegistrationDetail).
type registrationViewJSON struct {
	registrationJSON
	Documents []registrationDocumentJSON `json:"documents"`
	History   []registrationEventJSON    `json:"history"`
}

// registrationDocumentJSON is a document of an entry: the main one or an
// attachment (schema RegistrationDocument).
type registrationDocumentJSON struct {
	ID        int64  `json:"id"`
	Filename  string `json:"filename"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Role      string `json:"role"` // "main" or "attachment"
}

// registrationEventJSON is an entry of a registration's history (schema
// RegistrationEvent).
type registrationEventJSON struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	ActorName string    `json:"actor_name"`
	Field     string    `json:"field"`
	OldValue  string    `json:"old_value"`
	NewValue  string    `json:"new_value"`
	Reason    string    `json:"reason"`
}

// Limits of the text filters of the register search.
const maxFilterLen = 200

// handleRegistrationList serves GET /api/v1/registrations: the register of the
// caller's tenant, newest first, filtered by year, number, direction, date
// range, words of the oggetto (q), correspondent, classification, office and
// annulment. Bad filter values are 422 with the field.
func (s *Server) handleRegistrationList(w http.ResponseWriter, r *http.Request) error {
	fe := procedo.FieldErrors{}
	p := parsePagination(r, fe)
	query := r.URL.Query()
	f := procedo.RegistrationFilter{Offset: p.Offset(), Limit: p.PerPage}
	if n, ok := queryInt(r, "year", fe, "L'anno deve essere un numero."); ok {
		f.Year = &n
	}
	if n, ok := queryInt(r, "number", fe, "Il numero di protocollo deve essere un numero."); ok {
		f.Number = &n
	}
	if v := query.Get("direction"); v != "" {
		d := procedo.Direction(v)
		switch d {
		case procedo.DirectionIncoming, procedo.DirectionOutgoing, procedo.DirectionInternal:
			f.Direction = &d
		default:
			fe.Add("direction", "La direzione deve essere E (entrata), U (uscita) o I (interno).")
		}
	}
	f.From = queryDate(r, "from", fe)
	f.To = queryDate(r, "to", fe)
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		fe.Add("to", "La data finale precede quella iniziale.")
	}
	f.Query = queryText(r, "q", fe)
	f.Correspondent = queryText(r, "correspondent", fe)
	if c := queryText(r, "classification", fe); c != "" {
		f.Classification = &c
	}
	if v := query.Get("office"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			fe.Add("office", "L'ufficio deve essere indicato con il suo id numerico.")
		} else {
			f.OrgUnitID = &id
		}
	}
	if v := query.Get("annulled"); v != "" {
		switch v {
		case "true":
			f.Annulled = new(true)
		case "false":
			f.Annulled = new(false)
		default:
			fe.Add("annulled", "annulled deve essere true o false.")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	regs, total, err := s.Registrations.FindRegistrations(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]registrationJSON, len(regs))
	for i, reg := range regs {
		items[i] = newRegistrationJSON(reg)
	}
	return writeJSON(w, http.StatusOK, newList(items, total, p))
}

// queryDate parses query parameter name as YYYY-MM-DD; nil when absent or bad
// (then the problem is recorded in fe).
func queryDate(r *http.Request, name string, fe procedo.FieldErrors) *procedo.Date {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil
	}
	d, err := procedo.ParseDate(v)
	if err != nil {
		fe.Add(name, "La data deve essere nel formato AAAA-MM-GG.")
		return nil
	}
	return &d
}

// queryText returns the trimmed query parameter name, recording in fe a value
// longer than maxFilterLen characters or not valid UTF-8.
func queryText(r *http.Request, name string, fe procedo.FieldErrors) string {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxFilterLen {
		fe.Add(name, "Il filtro è troppo lungo o contiene caratteri non validi (massimo 200 caratteri).")
		return ""
	}
	return v
}

// findRegistration returns the entry named by the path values year and number
// in the caller's tenant's register; any other value is 404.
func (s *Server) findRegistration(r *http.Request) (*procedo.Registration, error) {
	notFound := procedo.Errorf(procedo.ENOTFOUND, "Registrazione non trovata.")
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1 {
		return nil, notFound
	}
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || number < 1 {
		return nil, notFound
	}
	return s.Registrations.FindRegistrationByNumber(r.Context(), year, number)
}

// handleRegistrationView serves GET /api/v1/registrations/{year}/{number}: the
// entry with that number in the caller's tenant's register, with its documents
// and history; 404 if none.
func (s *Server) handleRegistrationView(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.findRegistration(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	docs, err := s.Registrations.FindRegistrationDocuments(ctx, reg.ID)
	if err != nil {
		return err
	}
	events, err := s.Registrations.FindRegistrationHistory(ctx, reg.ID)
	if err != nil {
		return err
	}
	out := registrationViewJSON{registrationJSON: newRegistrationJSON(reg),
		Documents: make([]registrationDocumentJSON, len(docs)), History: make([]registrationEventJSON, len(events))}
	for i, d := range docs {
		role := "attachment"
		if reg.DocumentID != nil && *reg.DocumentID == d.ID {
			role = "main"
		}
		out.Documents[i] = registrationDocumentJSON{ID: d.ID, Filename: d.Filename, MediaType: d.MediaType, Size: d.Size,
			SHA256: d.SHA256, Role: role}
	}
	for i, e := range events {
		out.History[i] = registrationEventJSON{ID: e.ID, At: e.At.UTC(), Kind: e.Kind, ActorName: e.ActorName, Field: e.Field,
			OldValue: e.OldValue, NewValue: e.NewValue, Reason: e.Reason}
	}
	return writeJSON(w, http.StatusOK, out)
}
