// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"strings"
	"time"
)

// ProcedureStatus is the life-cycle state of a procedure version.
type ProcedureStatus string

const (
	ProcedureDraft     ProcedureStatus = "draft"     // being edited; not offered to citizens
	ProcedurePublished ProcedureStatus = "published" // immutable; new cases use the newest one
	ProcedureRetired   ProcedureStatus = "retired"   // no new cases
)

// Silence rules of Law 241/1990.
const (
	SilenceNone    = "none"             // the administration must decide expressly
	SilenceAssent  = "silenzio-assenso" // art. 20: silence means acceptance
	SilenceRefusal = "silenzio-rigetto" // silence means refusal
)

// ProcedureDefinition is a procedure model: everything that drives a procedure
// type (service page, form, terms, office, classification). It is stored as
// JSON with its version; published versions never change (invariant 6).
type ProcedureDefinition struct {
	ID              string            `json:"id"`               // stable identifier across tenants, e.g. "accesso-documentale"
	Title           string            `json:"title"`            // ≤ 60 characters
	Summary         string            `json:"summary"`          // ≤ 160 characters
	Description     string            `json:"description"`      // what the service is (art. 35 a)
	LegalReferences []string          `json:"legal_references"` // art. 35 a
	Audience        string            `json:"audience"`         // who may apply
	Category        string            `json:"category"`         // catalogue category
	HowTo           string            `json:"how_to"`           // "Come fare"
	Requirements    []string          `json:"requirements"`     // documents to attach (art. 35 d)
	Costs           string            `json:"costs"`            // "Quanto costa"
	OfficeCode      string            `json:"office"`           // responsible office code (art. 35 b)
	TermDays        int               `json:"term_days"`        // legal term for an express decision (art. 35 f)
	Silence         string            `json:"silence"`          // SilenceNone, SilenceAssent, SilenceRefusal (art. 35 g)
	Remedies        string            `json:"remedies"`         // art. 35 h
	SubstitutePower string            `json:"substitute_power"` // art. 35 m: holder of the substitute power
	Classification  string            `json:"classification"`   // titolario code, e.g. "I.6"
	RetentionYears  int               `json:"retention_years"`  // 0 = permanent
	Form            Form              `json:"form"`
	Decisions       map[string]string `json:"decisions"` // outcome → decision template text (placeholders {{.Name}})
}

// Validate checks the rules that need no database.
func (d *ProcedureDefinition) Validate() error {
	fe := FieldErrors{}
	if !slugRE.MatchString(d.ID) {
		fe.Add("id", "identificativo non valido: lettere minuscole, cifre e trattini")
	}
	if t := strings.TrimSpace(d.Title); t == "" || len([]rune(t)) > 60 {
		fe.Add("title", "il titolo è obbligatorio e non può superare 60 caratteri")
	}
	if len([]rune(d.Summary)) > 160 {
		fe.Add("summary", "la descrizione breve non può superare 160 caratteri")
	}
	if d.TermDays <= 0 || d.TermDays > 3650 {
		fe.Add("term_days", "il termine deve essere tra 1 e 3650 giorni")
	}
	switch d.Silence {
	case "", SilenceNone, SilenceAssent, SilenceRefusal:
	default:
		fe.Add("silence", "regola del silenzio sconosciuta")
	}
	if d.OfficeCode == "" {
		fe.Add("office", "l'ufficio responsabile è obbligatorio")
	}
	if err := d.Form.Validate(); err != nil {
		for k, v := range FieldErrorsOf(err) {
			fe.Add("form."+k, v)
		}
	}
	return fe.Err()
}

// SilenceLabel explains in Italian what silence means for this procedure.
func (d *ProcedureDefinition) SilenceLabel() string {
	switch d.Silence {
	case SilenceAssent:
		return "Silenzio-assenso: se l'amministrazione non risponde entro il termine, la domanda si intende accolta (L. 241/1990, art. 20)."
	case SilenceRefusal:
		return "Silenzio-rigetto: se l'amministrazione non risponde entro il termine, la domanda si intende respinta."
	default:
		return "L'amministrazione deve concludere il procedimento con un provvedimento espresso entro il termine (L. 241/1990, art. 2). In caso di inerzia puoi rivolgerti al titolare del potere sostitutivo."
	}
}

// ProcedureType is a procedure offered by a tenant; its versions hold the model.
type ProcedureType struct {
	ID        int64
	TenantID  int64
	Key       string // = ProcedureDefinition.ID
	Title     string
	CreatedAt time.Time
}

// ProcedureVersion is one version of a procedure type's model.
type ProcedureVersion struct {
	ID              int64
	TenantID        int64
	ProcedureTypeID int64
	Key             string
	Version         int
	Status          ProcedureStatus
	Definition      ProcedureDefinition
	PublishedAt     *time.Time
	CreatedAt       time.Time
}

// ProcedureService manages the procedure catalogue of the tenant in ctx.
type ProcedureService interface {
	// FindPublishedProcedures lists the newest published version of each
	// procedure type, by title. Anyone may call it.
	FindPublishedProcedures(ctx context.Context) ([]*ProcedureVersion, error)
	// FindPublishedProcedure returns the newest published version of key, or ENOTFOUND.
	FindPublishedProcedure(ctx context.Context, key string) (*ProcedureVersion, error)
	// FindProcedureVersionByID returns a version, or ENOTFOUND.
	FindProcedureVersionByID(ctx context.Context, id int64) (*ProcedureVersion, error)
	// PublishProcedure stores def as a new published version of its procedure type
	// (creating the type if needed) and returns it. Admins (or system) only.
	// EINVALID for a bad definition.
	PublishProcedure(ctx context.Context, def *ProcedureDefinition) (*ProcedureVersion, error)
}
