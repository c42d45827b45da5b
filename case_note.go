// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxNoteLength bounds an internal note of a case, in characters.
const MaxNoteLength = 4000

// CaseNote is an internal note on a case (nota interna): what one member of
// staff writes for the others. Notes are never shown to the applicant, never
// registered in the protocol, and never edited or deleted.
type CaseNote struct {
	ID         int64
	TenantID   int64
	CaseID     int64
	Body       string // plain text, at most MaxNoteLength characters
	AuthorID   int64
	AuthorName string
	CreatedAt  time.Time
}

// CaseNoteService keeps the internal notes of cases of the tenant in ctx.
type CaseNoteService interface {
	// AddCaseNote adds a note to case caseID; every note is audited. Staff
	// who may view the case (CanViewCase). ENOTFOUND (no case, or citizens
	// and users who may not view it), EFORBIDDEN (a citizen on their own
	// case), EINVALID field "note" (empty or too long).
	AddCaseNote(ctx context.Context, caseID int64, body string) (*CaseNote, error)
	// FindCaseNotes lists the notes of case caseID, oldest first, with the
	// same checks as AddCaseNote.
	FindCaseNotes(ctx context.Context, caseID int64) ([]*CaseNote, error)
}

// CheckNote trims a note's text and checks its length; it returns
// FieldErrors{"note": …} when it is empty or too long.
func CheckNote(body string) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return "", FieldErrors{"note": "Scrivi il testo della nota."}
	case utf8.RuneCountInString(body) > MaxNoteLength:
		return "", FieldErrors{"note": "La nota non può superare 4000 caratteri."}
	}
	return body, nil
}
