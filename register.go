// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	ID              int64
	TenantID        int64
	RegisterID      int64
	RegisterCode    string
	Year            int       // calendar year in Europe/Rome of RegisteredAt
	Number          int       // 1, 2, … within (register, year)
	RegisteredAt    time.Time // assigned by the system
	Direction       Direction
	Subject         string          // oggetto
	Correspondents  []Correspondent // sender (E) or recipients (U)
	DocumentID      *int64          // main document
	Fingerprint     string          // SHA-256 hex of the main document (impronta)
	AttachmentCount int
	Attachments     string // description of the attachments
	OrgUnitID       *int64 // office assigned for action
	Classification  string // titolario code
	Channel         string // means of receipt or sending, e.g. "online", "pec", "email"
	PrevHash        string // ChainHash of the previous entry of the register, "" for the first
	ChainHash       string // SHA-256 over the canonical content and PrevHash
	AnnulledAt      *time.Time
}

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
	Prev           string          `json:"prev"`
}

// ComputeChainHash returns the hex SHA-256 of r's canonical content chained to prev.
func (r *Registration) ComputeChainHash(prev string) string {
	c := canonicalRegistration{
		Register: r.RegisterCode, Year: r.Year, Number: r.Number,
		RegisteredAt: r.RegisteredAt.UTC().Format(time.RFC3339Nano),
		Direction:    r.Direction, Subject: r.Subject, Correspondents: r.Correspondents,
		Fingerprint: r.Fingerprint, Attachments: r.AttachmentCount, Prev: prev,
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

// RegistrationFilter selects registrations of the tenant in ctx.
type RegistrationFilter struct {
	Year      *int
	Number    *int
	Direction *Direction
	Offset    int
	Limit     int
}

// RegistrationService reads the protocol register of the tenant in ctx.
// Registrations are created by the domain verbs that cause them
// (SubmitApplication, TransitionCase) inside their transaction.
type RegistrationService interface {
	// FindRegistrationByID returns a registration visible to the actor, or ENOTFOUND.
	FindRegistrationByID(ctx context.Context, id int64) (*Registration, error)
	// FindRegistrations lists registrations, newest first. Staff only.
	FindRegistrations(ctx context.Context, f RegistrationFilter) ([]*Registration, int, error)
}
