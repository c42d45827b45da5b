// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// dailyRegisterJSON is a daily register (schema DailyRegister).
type dailyRegisterJSON struct {
	Day             procedo.Date         `json:"day"`
	Entries         int                  `json:"entries"`
	Changes         int                  `json:"changes"`
	ChainHead       string               `json:"chain_head"`
	ConservationDue procedo.Date         `json:"conservation_due"`
	JSONDocumentID  int64                `json:"json_document_id"`
	PDFDocumentID   int64                `json:"pdf_document_id"`
	Registration    *registrationRefJSON `json:"registration"`
	CreatedAt       time.Time            `json:"created_at"`
}

// registrationRefJSON names an entry of the register.
type registrationRefJSON struct {
	ID           int64  `json:"id"`
	Year         int    `json:"year"`
	Number       int    `json:"number"`
	NumberString string `json:"number_string"`
}

// handleDailyRegisterView serves GET /api/v1/daily-registers/{date}: the daily
// register of that day of the caller's tenant (404 if not produced, or not a
// date), with its documents and its own registration. Registry desk, records
// managers and administrators only.
func (s *Server) handleDailyRegisterView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	day, err := procedo.ParseDate(r.PathValue("date"))
	if err != nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Registro giornaliero non trovato: indica il giorno come AAAA-MM-GG.")
	}
	d, err := s.DailyRegisters.FindDailyRegister(ctx, day)
	if err != nil {
		return err
	}
	// The daily register lists every entry, reserved ones included.
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleRegistry, procedo.RoleRecords, procedo.RoleAdmin); err != nil {
		return err
	}
	out := dailyRegisterJSON{Day: d.Day, Entries: d.Entries, Changes: d.Changes, ChainHead: d.ChainHead,
		ConservationDue: d.ConservationDue, JSONDocumentID: d.JSONDocumentID, PDFDocumentID: d.PDFDocumentID, CreatedAt: d.CreatedAt.UTC()}
	if d.RegistrationID != 0 {
		reg, err := s.Registrations.FindRegistrationByID(ctx, d.RegistrationID)
		if err != nil {
			return err
		}
		out.Registration = &registrationRefJSON{ID: reg.ID, Year: reg.Year, Number: reg.Number, NumberString: reg.NumberString()}
	}
	return writeJSON(w, http.StatusOK, out)
}
