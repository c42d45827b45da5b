// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Direction is the flow of a registered document (Allegato 5 TipologiaDiFlusso).
type Direction string

const (
	DirectionIncoming Direction = "E" // entrata
	DirectionOutgoing Direction = "U" // uscita
	DirectionInternal Direction = "I" // interno
)

// Label returns the Italian name of the direction.
func (d Direction) Label() string {
	switch d {
	case DirectionIncoming:
		return "In entrata"
	case DirectionOutgoing:
		return "In uscita"
	case DirectionInternal:
		return "Interno"
	}
	return string(d)
}

// Correspondent is a sender or recipient of a registered document.
type Correspondent struct {
	Name       string `json:"name"`
	FiscalCode string `json:"fiscal_code,omitempty"`
	Email      string `json:"email,omitempty"`
	IPACode    string `json:"ipa_code,omitempty"`
}

// Registration is one numbered entry of a protocol register (DPR 445/2000 art. 53).
// The art. 53 fields never change after creation (invariant 2); the number is
// gap-free per register and calendar year in Europe/Rome (invariant 1); each entry
// is chained to the previous one of its register (invariant 3).
type Registration struct {
	ID                 int64
	TenantID           int64
	RegisterID         int64
	RegisterCode       string
	Year               int       // calendar year in Europe/Rome of RegisteredAt
	Number             int       // 1, 2, … within (register, year)
	RegisteredAt       time.Time // assigned by the system
	Direction          Direction
	Subject            string          // oggetto
	Correspondents     []Correspondent // sender (E) or recipients (U)
	DocumentID         *int64          // main document
	Fingerprint        string          // SHA-256 hex of the main document (impronta)
	AttachmentCount    int
	Attachments        string // description of the attachments
	OrgUnitID          *int64 // office assigned for action
	Classification     string // titolario code
	Channel            string // means of receipt or sending, e.g. "online", "pec", "email"
	SenderProtocol     string // number of the sender's own protocol, if any
	SenderProtocolDate Date   // date of the sender's own protocol, if any
	Reserved           bool   // riservato: visible only to the registry desk, records and assigned offices
	EmergencyNumber    string // number in the emergency register (art. 63), e.g. "E-2026-0003"; "" if none
	EmergencyAt        *time.Time
	CreatedBy          string // Actor.Ref() of who registered it
	PrevHash           string // ChainHash of the previous entry of the register, "" for the first
	ChainHash          string // SHA-256 over the canonical content and PrevHash
	AnnulledAt         *time.Time
	AnnulledBy         string // name of the records manager who annulled it
	AnnulReason        string
	AnnulAct           string // reference of the authorising act (art. 54)
}

// Annulled reports whether the registration was annulled (art. 54).
func (r *Registration) Annulled() bool { return r.AnnulledAt != nil }

// NumberString returns the number with at least 7 digits, e.g. "0000042".
func (r *Registration) NumberString() string { return FormatProtocolNumber(r.Number) }

// FormatProtocolNumber pads n to 7 digits (DPR 445/2000 art. 57).
func FormatProtocolNumber(n int) string { return fmt.Sprintf("%07d", n) }

// Signature returns "PG 0000042/2026 del 25/11/2026", the printed reference.
func (r *Registration) Signature() string {
	return fmt.Sprintf("%s %s/%d del %s", r.RegisterCode, r.NumberString(), r.Year,
		r.RegisteredAt.In(Rome).Format("02/01/2006 15:04"))
}

// canonicalRegistration is the hashed content: every art. 53 field, in a fixed
// order and format, so the hash can be recomputed from the stored row.
type canonicalRegistration struct {
	Register       string          `json:"register"`
	Year           int             `json:"year"`
	Number         int             `json:"number"`
	RegisteredAt   string          `json:"registered_at"`
	Direction      Direction       `json:"direction"`
	Subject        string          `json:"subject"`
	Correspondents []Correspondent `json:"correspondents"`
	Fingerprint    string          `json:"fingerprint"`
	Attachments    int             `json:"attachments"`
	AttachmentsDes string          `json:"attachments_description"`
	SenderProtocol string          `json:"sender_protocol"`
	SenderDate     string          `json:"sender_protocol_date"`
	Emergency      string          `json:"emergency_number"`
	Prev           string          `json:"prev"`
}

// ComputeChainHash returns the hex SHA-256 of r's canonical content chained to prev.
func (r *Registration) ComputeChainHash(prev string) string {
	c := canonicalRegistration{
		Register: r.RegisterCode, Year: r.Year, Number: r.Number,
		RegisteredAt: r.RegisteredAt.UTC().Format(time.RFC3339Nano),
		Direction:    r.Direction, Subject: r.Subject, Correspondents: r.Correspondents,
		Fingerprint: r.Fingerprint, Attachments: r.AttachmentCount, AttachmentsDes: r.Attachments,
		SenderProtocol: r.SenderProtocol, SenderDate: r.SenderProtocolDate.String(), Emergency: r.EmergencyNumber, Prev: prev,
	}
	if c.Correspondents == nil {
		c.Correspondents = []Correspondent{}
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Validate checks the fields the registry desk supplies.
func (r *Registration) Validate() error {
	fe := FieldErrors{}
	switch r.Direction {
	case DirectionIncoming, DirectionOutgoing, DirectionInternal:
	default:
		fe.Add("direction", "La direzione deve essere E (entrata), U (uscita) o I (interno).")
	}
	if l := len([]rune(r.Subject)); l == 0 || l > 1000 {
		fe.Add("subject", "L'oggetto è obbligatorio (massimo 1000 caratteri).")
	}
	if len(r.Correspondents) == 0 && r.Direction != DirectionInternal {
		fe.Add("correspondents", "Indica almeno un mittente o destinatario.")
	}
	for _, c := range r.Correspondents {
		if c.Name == "" {
			fe.Add("correspondents", "Ogni corrispondente deve avere un nome.")
		}
	}
	return fe.Err()
}

// Assignment kinds: the office that must act, and those informed.
const (
	AssignmentAction = "competenza"
	AssignmentInfo   = "conoscenza"
)

// Assignment statuses.
const (
	AssignmentPending  = "pending"  // waiting for the office
	AssignmentAccepted = "accepted" // the office took it
	AssignmentReturned = "returned" // sent back to the registry desk with a reason
)

// Assignment gives a registration to an office, for action or for information.
type Assignment struct {
	ID             int64
	RegistrationID int64
	OrgUnitID      int64
	OrgUnitName    string
	Kind           string // AssignmentAction or AssignmentInfo
	Status         string
	Reason         string // why it was returned
	CreatedAt      time.Time
	DecidedAt      *time.Time
	DecidedBy      string
	// Registration is set when listing an office's assignments.
	Registration *Registration
}

// RegistrationEvent is one entry of a registration's history.
type RegistrationEvent struct {
	ID        int64
	At        time.Time
	Actor     string
	ActorName string
	Kind      string // "registered", "corrected", "assigned", "accepted", "returned", "annulled"
	Field     string // for corrections
	OldValue  string
	NewValue  string
	Reason    string
}

// RegistrationInput is what the registry desk (or an integrator) supplies to
// register a document; the system assigns number, date, time and hash.
type RegistrationInput struct {
	Direction          Direction
	Subject            string
	Correspondents     []Correspondent
	SenderProtocol     string
	SenderProtocolDate Date
	Classification     string
	Channel            string // "mano", "posta", "email", "pec", "online", "interno"
	Reserved           bool
	ActionOffice       *int64  // office assigned for action (competenza)
	InfoOffices        []int64 // offices assigned for information (conoscenza)
	Main               *Upload // main document (its SHA-256 is the impronta); may be nil for paper-only internal notes
	Attachments        []*Upload
	AttachmentsNote    string // description of the attachments; defaults to their file names
	// Emergency, when set, records an entry first made in the emergency register
	// during an outage (art. 63), now registered in the ordinary register.
	Emergency *EmergencyEntry
	// Sender, when set, is the sender's own registration of a document received
	// from another AOO (segnatura import): each is registered only once
	// (ECONFLICT otherwise). Incoming entries only.
	Sender *SenderEntry
}

// SenderEntry identifies an entry of another AOO's protocol register.
type SenderEntry struct {
	IPACode  string // the sending administration's IPA code
	AOOCode  string // the sending AOO's IPA code
	Register string // the register's code, e.g. "PG"
	Number   int    // the sender's protocol number, ≥ 1
	Date     Date   // the sender's registration date
}

// EmergencyEntry is the number, date and time an entry got in the emergency register.
type EmergencyEntry struct {
	Number string    // as written in the emergency register, e.g. "E-2026-0003"
	At     time.Time // date and time of the emergency registration
}

// Channels lists the accepted means of receipt or sending, with Italian labels.
var Channels = []struct{ Code, Label string }{
	{"mano", "Consegna a mano"}, {"posta", "Posta ordinaria o raccomandata"}, {"email", "Posta elettronica"},
	{"pec", "PEC"}, {"online", "Servizio online"}, {"interno", "Interno"}, {"interoperabilita", "Interoperabilità tra AOO"},
}

// Validate checks the input fields that need no database.
func (in *RegistrationInput) Validate() error {
	r := &Registration{Direction: in.Direction, Subject: strings.TrimSpace(in.Subject), Correspondents: in.Correspondents}
	fe := FieldErrors{}
	if err := r.Validate(); err != nil {
		fe = FieldErrorsOf(err)
	}
	if in.Channel != "" {
		ok := false
		for _, c := range Channels {
			ok = ok || c.Code == in.Channel
		}
		if !ok {
			fe.Add("channel", "Mezzo di ricezione o di invio sconosciuto.")
		}
	}
	if len(in.SenderProtocol) > 100 {
		fe.Add("sender_protocol", "Il numero di protocollo del mittente è troppo lungo.")
	}
	if in.SenderProtocol != "" && in.Direction != DirectionIncoming {
		fe.Add("sender_protocol", "Il protocollo del mittente si indica solo per i documenti in entrata.")
	}
	if in.Emergency != nil {
		if strings.TrimSpace(in.Emergency.Number) == "" || len(in.Emergency.Number) > 40 {
			fe.Add("emergency_number", "Indica il numero del registro di emergenza.")
		}
		if in.Emergency.At.IsZero() {
			fe.Add("emergency_at", "Indica data e ora della registrazione di emergenza.")
		}
	}
	if e := in.Sender; e != nil {
		switch {
		case in.Direction != DirectionIncoming:
			fe.Add("sender_protocol", "Il protocollo del mittente si indica solo per i documenti in entrata.")
		case e.IPACode == "" || e.AOOCode == "" || e.Register == "" || len(e.IPACode)+len(e.AOOCode)+len(e.Register) > 200:
			fe.Add("sender_protocol", "Indica i codici IPA dell'amministrazione e dell'AOO mittenti e il codice del loro registro.")
		case e.Number < 1 || e.Date.IsZero():
			fe.Add("sender_protocol", "Indica numero e data della registrazione del mittente.")
		}
	}
	if len(in.Correspondents) > 500 {
		fe.Add("correspondents", "Troppi corrispondenti (massimo 500).")
	}
	for _, c := range in.Correspondents {
		if len(c.Name) > 300 {
			fe.Add("correspondents", "Nome del corrispondente troppo lungo.")
		}
		if c.FiscalCode != "" && len(c.FiscalCode) != 16 && len(c.FiscalCode) != 11 {
			fe.Add("correspondents", "Codice fiscale o partita IVA del corrispondente non valido.")
		}
	}
	return fe.Err()
}

// RegistrationCorrection changes fields that are not art. 53 fields; the old
// values are kept in the history with who and when.
type RegistrationCorrection struct {
	Classification *string
	Channel        *string
	Reserved       *bool
	Reason         string // why (required)
}

// MaxSearchCount bounds how far a search counts its results: over millions of
// entries an exact count would cost more than the search itself.
const MaxSearchCount = 500

// RegistrationFilter selects registrations of the tenant in ctx.
type RegistrationFilter struct {
	Year           *int
	Number         *int
	Direction      *Direction
	From, To       *Date   // registration date range, both included
	Query          string  // words of the oggetto and correspondents (full text, Italian stemming)
	Correspondent  string  // part of a correspondent's name or codice fiscale
	Classification *string // titolario code, with its sub-classes
	OrgUnitID      *int64  // assigned to this office
	Annulled       *bool
	Offset         int
	Limit          int
}

// RegistrationService is the protocol register of the tenant in ctx.
// Registrations of online applications and case communications are created by
// the domain verbs that cause them (SubmitApplication, TransitionCase) inside
// their transaction; the registry desk uses RegisterEntry.
type RegistrationService interface {
	// RegisterEntry registers a document: number, date and time are assigned by
	// the system in the transaction that stores it, and returned only once
	// durable. Roles registry or admin. EINVALID, EFORBIDDEN, ECONFLICT (an
	// emergency number registered twice).
	RegisterEntry(ctx context.Context, in *RegistrationInput) (*Registration, error)
	// FindRegistrationByID returns a registration visible to the actor, or ENOTFOUND.
	FindRegistrationByID(ctx context.Context, id int64) (*Registration, error)
	// FindRegistrationByNumber returns the registration (year, number), or ENOTFOUND.
	FindRegistrationByNumber(ctx context.Context, year, number int) (*Registration, error)
	// FindRegistrations lists registrations, newest first. Staff only; reserved
	// entries only for registry, records and the assigned offices. The total is
	// exact up to MaxSearchCount; above it, MaxSearchCount+1 means "more".
	FindRegistrations(ctx context.Context, f RegistrationFilter) ([]*Registration, int, error)
	// FindRegistrationDocuments returns the main document and the attachments.
	FindRegistrationDocuments(ctx context.Context, id int64) ([]*Document, error)
	// FindRegistrationHistory returns the history, oldest first.
	FindRegistrationHistory(ctx context.Context, id int64) ([]*RegistrationEvent, error)
	// FindAssignments lists the assignments of a registration (registrationID > 0),
	// or of an office with a status (registrationID == 0).
	FindAssignments(ctx context.Context, registrationID int64, orgUnitID *int64, status string) ([]*Assignment, error)
	// AnnulRegistration annuls a registration (art. 54): role records only; the
	// number and data stay readable. reason and act are required. ECONFLICT if
	// already annulled.
	AnnulRegistration(ctx context.Context, id int64, reason, act string) (*Registration, error)
	// CorrectRegistration changes non-art. 53 fields, keeping the old values.
	// Roles registry or records.
	CorrectRegistration(ctx context.Context, id int64, c RegistrationCorrection) (*Registration, error)
	// AcceptAssignment and ReturnAssignment are an office's answer to an
	// assignment: operators and managers of that office.
	AcceptAssignment(ctx context.Context, assignmentID int64) error
	ReturnAssignment(ctx context.Context, assignmentID int64, reason string) error
	// ReassignRegistration gives a registration that its office for action
	// (competenza) sent back to the desk to another office for action: the
	// returned assignment stays as history, a new pending one is created and
	// orgUnitID becomes the office for action; note, optional, goes into the
	// history. Registry desk only (EFORBIDDEN). EINVALID (field "office") for an
	// unknown office or one already assigned the registration; ECONFLICT when
	// the assignment for action is not returned, or the entry is annulled.
	ReassignRegistration(ctx context.Context, registrationID, orgUnitID int64, note string) error
}
