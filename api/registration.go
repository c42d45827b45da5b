// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/procedo/procedo"
)

// registrationJSON is an entry of the protocol register (schema Registration).
type registrationJSON struct {
	ID              int64                   `json:"id"`
	Register        string                  `json:"register"`
	Year            int                     `json:"year"`
	Number          int                     `json:"number"`
	NumberString    string                  `json:"number_string"`
	RegisteredAt    time.Time               `json:"registered_at"`
	Direction       procedo.Direction       `json:"direction"`
	Subject         string                  `json:"subject"`
	Correspondents  []procedo.Correspondent `json:"correspondents"`
	DocumentID      *int64                  `json:"document_id"`
	Fingerprint     string                  `json:"fingerprint"`
	AttachmentCount int                     `json:"attachment_count"`
	OfficeID        *int64                  `json:"office_id"`
	Classification  string                  `json:"classification"`
	Channel         string                  `json:"channel"`
	ChainHash       string                  `json:"chain_hash"`
	PrevHash        string                  `json:"prev_hash"`
	AnnulledAt      *time.Time              `json:"annulled_at"`
}

func newRegistrationJSON(r *procedo.Registration) registrationJSON {
	out := registrationJSON{
		ID: r.ID, Register: r.RegisterCode, Year: r.Year, Number: r.Number, NumberString: r.NumberString(),
		RegisteredAt: r.RegisteredAt.UTC(), Direction: r.Direction, Subject: r.Subject, Correspondents: r.Correspondents,
		DocumentID: r.DocumentID, Fingerprint: r.Fingerprint, AttachmentCount: r.AttachmentCount, OfficeID: r.OrgUnitID,
		Classification: r.Classification, Channel: r.Channel, ChainHash: r.ChainHash, PrevHash: r.PrevHash,
		AnnulledAt: optTime(r.AnnulledAt),
	}
	if out.Correspondents == nil {
		out.Correspondents = []procedo.Correspondent{}
	}
	return out
}

// handleRegistrationList serves GET /api/v1/registrations: the register of the
// caller's tenant, newest first, filtered by year, number and direction.
func (s *Server) handleRegistrationList(w http.ResponseWriter, r *http.Request) error {
	fe := procedo.FieldErrors{}
	p := parsePagination(r, fe)
	f := procedo.RegistrationFilter{Offset: p.Offset(), Limit: p.PerPage}
	if n, ok := queryInt(r, "year", fe, "L'anno deve essere un numero."); ok {
		f.Year = &n
	}
	if n, ok := queryInt(r, "number", fe, "Il numero di protocollo deve essere un numero."); ok {
		f.Number = &n
	}
	if v := r.URL.Query().Get("direction"); v != "" {
		d := procedo.Direction(v)
		switch d {
		case procedo.DirectionIncoming, procedo.DirectionOutgoing, procedo.DirectionInternal:
			f.Direction = &d
		default:
			fe.Add("direction", "La direzione deve essere E (entrata), U (uscita) o I (interno).")
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

// handleRegistrationView serves GET /api/v1/registrations/{year}/{number}: the
// entry with that number in the caller's tenant's register; 404 if none.
func (s *Server) handleRegistrationView(w http.ResponseWriter, r *http.Request) error {
	notFound := procedo.Errorf(procedo.ENOTFOUND, "Registrazione non trovata.")
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1 {
		return notFound
	}
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || number < 1 {
		return notFound
	}
	regs, _, err := s.Registrations.FindRegistrations(r.Context(), procedo.RegistrationFilter{Year: &year, Number: &number, Limit: 1})
	if err != nil {
		return err
	}
	if len(regs) == 0 {
		return notFound
	}
	return writeJSON(w, http.StatusOK, newRegistrationJSON(regs[0]))
}
