// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CaseStatus is the state of a case in its workflow. Models may name their own
// states; the standard names below have Italian labels everywhere, and the four
// final ones are the only states that close a case.
type CaseStatus string

const (
	CaseSubmitted    CaseStatus = "submitted"    // presentata: registered, waiting for the office; every workflow starts here
	CaseInReview     CaseStatus = "in_review"    // in istruttoria
	CaseSuspended    CaseStatus = "suspended"    // sospesa: waiting for integrations (art. 2 c.7)
	CaseNotice10bis  CaseStatus = "notice_10bis" // preavviso di rigetto sent (art. 10-bis)
	CaseConsultation CaseStatus = "consultation" // waiting for opinions (pareri, art. 16-17)
	CaseEffective    CaseStatus = "effective"    // SCIA effective, under control (art. 19)
	CaseAccepted     CaseStatus = "accepted"     // accolta: closed with a favourable decision
	CaseRejected     CaseStatus = "rejected"     // respinta: closed with an unfavourable decision
	CaseArchived     CaseStatus = "archived"     // archiviata: closed without a decision on the merits
	CaseWithdrawn    CaseStatus = "withdrawn"    // ritirata: withdrawn by the applicant
)

// Label returns the Italian name of a standard status; other names are
// returned as they are (use ProcedureDefinition.StateLabel for model states).
func (s CaseStatus) Label() string {
	switch s {
	case CaseSubmitted:
		return "Presentata"
	case CaseInReview:
		return "In istruttoria"
	case CaseSuspended:
		return "Sospesa per integrazioni"
	case CaseNotice10bis:
		return "Preavviso di rigetto inviato"
	case CaseConsultation:
		return "In attesa di pareri"
	case CaseEffective:
		return "Efficace, in controllo"
	case CaseAccepted:
		return "Accolta"
	case CaseRejected:
		return "Respinta"
	case CaseArchived:
		return "Archiviata"
	case CaseWithdrawn:
		return "Ritirata"
	}
	return string(s)
}

// Closed reports whether s is a final state.
func (s CaseStatus) Closed() bool { return s.Outcome() != "" }

// Outcome returns the outcome (accolta, respinta, archiviata, ritirata) of a
// final state, or "".
func (s CaseStatus) Outcome() string {
	switch s {
	case CaseAccepted:
		return OutcomeAccepted
	case CaseRejected:
		return OutcomeRejected
	case CaseArchived:
		return OutcomeArchived
	case CaseWithdrawn:
		return OutcomeWithdrawn
	}
	return ""
}

// Allegato 5 phases of a procedure (ProcedimentoAmministrativo.Fasi).
const (
	PhasePreparatory = "preparatoria"
	PhaseInquiry     = "istruttoria"
	PhaseConsultive  = "consultiva"
	PhaseDecision    = "decisoria"
	PhaseEfficacy    = "integrazione-efficacia"
)

// Phases lists the Allegato 5 phases in order.
var Phases = []string{PhasePreparatory, PhaseInquiry, PhaseConsultive, PhaseDecision, PhaseEfficacy}

// ClockEffect is what a transition does to the legal clock (L. 241/1990);
// the clock itself is computed by Term from the ClockEvents it records.
type ClockEffect string

const (
	ClockEffectNone      ClockEffect = ""          // no effect
	ClockEffectStart     ClockEffect = "start"     // the term starts
	ClockEffectSuspend   ClockEffect = "suspend"   // the term stands still (integrations, 10-bis, pareri)
	ClockEffectResume    ClockEffect = "resume"    // the term runs again
	ClockEffectInterrupt ClockEffect = "interrupt" // the term restarts in full
	ClockEffectStop      ClockEffect = "stop"      // the procedure is concluded: no more term
)

var clockEffects = []ClockEffect{ClockEffectNone, ClockEffectStart, ClockEffectSuspend, ClockEffectResume, ClockEffectInterrupt, ClockEffectStop}

// EventKind returns the ClockEvent kind the effect records, and false for
// none and stop (which record no clock event).
func (c ClockEffect) EventKind() (ClockEventKind, bool) {
	switch c {
	case ClockEffectStart:
		return ClockStart, true
	case ClockEffectSuspend:
		return ClockSuspend, true
	case ClockEffectResume:
		return ClockResume, true
	case ClockEffectInterrupt:
		return ClockInterrupt, true
	}
	return "", false
}

// Label returns the Italian description of the effect.
func (c ClockEffect) Label() string {
	switch c {
	case ClockEffectStart:
		return "avvia il termine"
	case ClockEffectSuspend:
		return "sospende il termine"
	case ClockEffectResume:
		return "riprende il termine"
	case ClockEffectInterrupt:
		return "interrompe il termine"
	case ClockEffectStop:
		return "conclude il procedimento"
	}
	return ""
}

// Transition is an allowed move of a case from one state to another.
type Transition struct {
	Name            string      `json:"name"`                       // stable name used in URLs and the API, e.g. "accept"
	Label           string      `json:"label"`                      // Italian button label
	From            CaseStatus  `json:"from"`                       // state it starts from
	To              CaseStatus  `json:"to"`                         // state it leads to
	Roles           []Role      `json:"roles"`                      // who may fire it
	NeedsReason     bool        `json:"needs_reason,omitempty"`     // a motivation must be given
	Document        string      `json:"document,omitempty"`         // the document it produces: DocDecision, a Doc… key or a key of Documents
	Register        bool        `json:"register,omitempty"`         // the document is registered in the protocol (outgoing)
	NotifyApplicant bool        `json:"notify_applicant,omitempty"` // the applicant is told by e-mail
	Clock           ClockEffect `json:"clock,omitempty"`            // effect on the legal clock

	// Decision is set when the transition produces the decision (Document is
	// DocDecision): the store renders it, registers it as outgoing and closes
	// the case. It is derived, not written in models.
	Decision bool `json:"-"`
	// Outcome is the outcome of the target state, if final (derived).
	Outcome string `json:"-"`
}

// WorkflowState is a state of a model's workflow.
type WorkflowState struct {
	Name  CaseStatus `json:"name"`  // identifier; final states use the standard names accepted, rejected, archived, withdrawn
	Label string     `json:"label"` // Italian name shown to operators and citizens
	Phase string     `json:"phase"` // Allegato 5 phase (Phases)
}

// ProcedureWorkflow is a model's workflow: its states and the transitions
// between them, as a table. Every workflow starts in CaseSubmitted.
type ProcedureWorkflow struct {
	States      []WorkflowState `json:"states"`
	Transitions []Transition    `json:"transitions"`
}

// Workflow is the default table of transitions, for models without a workflow:
// a procedure decided by one act.
var Workflow = []Transition{
	{Name: "accept", Label: "Accogli", From: CaseSubmitted, To: CaseAccepted,
		Roles: []Role{RoleOperator, RoleManager}, Document: DocDecision, Register: true, NotifyApplicant: true, Clock: ClockEffectStop,
		Decision: true, Outcome: OutcomeAccepted},
	{Name: "reject", Label: "Respingi", From: CaseSubmitted, To: CaseRejected,
		Roles: []Role{RoleOperator, RoleManager}, NeedsReason: true, Document: DocDecision, Register: true, NotifyApplicant: true,
		Clock: ClockEffectStop, Decision: true, Outcome: OutcomeRejected},
}

// DefaultWorkflow returns the workflow used by models that define none.
func DefaultWorkflow() *ProcedureWorkflow {
	return &ProcedureWorkflow{
		States: []WorkflowState{
			{Name: CaseSubmitted, Label: CaseSubmitted.Label(), Phase: PhaseInquiry},
			{Name: CaseAccepted, Label: CaseAccepted.Label(), Phase: PhaseDecision},
			{Name: CaseRejected, Label: CaseRejected.Label(), Phase: PhaseDecision},
		},
		Transitions: slices.Clone(Workflow),
	}
}

// Flow returns the workflow of the model, or the default one. def may be nil.
func (d *ProcedureDefinition) Flow() *ProcedureWorkflow {
	if d == nil || d.Workflow == nil {
		return DefaultWorkflow()
	}
	return d.Workflow
}

// State returns the state named name of the workflow.
func (w *ProcedureWorkflow) State(name CaseStatus) (WorkflowState, bool) {
	for _, s := range w.States {
		if s.Name == name {
			return s, true
		}
	}
	return WorkflowState{}, false
}

// Final reports whether no transition leaves state name.
func (w *ProcedureWorkflow) Final(name CaseStatus) bool {
	for _, t := range w.Transitions {
		if t.From == name {
			return false
		}
	}
	return true
}

// StateLabel returns the Italian label of a state of the model's workflow.
func (d *ProcedureDefinition) StateLabel(s CaseStatus) string {
	if st, ok := d.Flow().State(s); ok && st.Label != "" {
		return st.Label
	}
	return s.Label()
}

// derive fills the derived fields of a transition.
func derive(t Transition) Transition {
	t.Decision = t.Document == DocDecision
	t.Outcome = t.To.Outcome()
	t.Roles = slices.Clone(t.Roles)
	return t
}

// FindTransition returns the transition named name that starts from status in
// the workflow of def (the default workflow when def is nil or has none).
// ENOTFOUND for an unknown name, ECONFLICT when it does not apply in status.
func FindTransition(def *ProcedureDefinition, status CaseStatus, name string) (Transition, error) {
	known := false
	for _, t := range def.Flow().Transitions {
		if t.Name != name {
			continue
		}
		known = true
		if t.From == status {
			return derive(t), nil
		}
	}
	if !known {
		return Transition{}, Errorf(ENOTFOUND, "Azione sconosciuta.")
	}
	return Transition{}, Errorf(ECONFLICT, "L'azione non è consentita: la pratica è nello stato «%s».", def.StateLabel(status))
}

// TransitionsFrom lists the transitions available in status in the workflow of
// def (the default workflow when def is nil or has none).
func TransitionsFrom(def *ProcedureDefinition, status CaseStatus) []Transition {
	var out []Transition
	for _, t := range def.Flow().Transitions {
		if t.From == status {
			out = append(out, derive(t))
		}
	}
	return out
}

// MaxReasonLength bounds the motivation of a decision.
const MaxReasonLength = 4000

var stateNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// staffRoles may fire transitions.
var staffRoles = []Role{RoleOperator, RoleManager, RoleRegistry, RoleRecords, RoleAdmin}

// standardDocuments are the document keys every model may use without defining
// a template (a default text is used).
var standardDocuments = []string{DocDecision, DocStartNotice, DocIntegrationRequest, DocNotice10bis}

// problems checks the workflow table of def; keys are paths below "workflow".
func (w *ProcedureWorkflow) problems(def *ProcedureDefinition) FieldErrors {
	fe := FieldErrors{}
	if len(w.States) == 0 {
		fe.Add("states", "il flusso deve avere almeno gli stati submitted e uno stato finale")
	}
	seen := map[CaseStatus]bool{}
	for i, s := range w.States {
		path := fmt.Sprintf("states[%d]", i)
		switch {
		case !stateNameRE.MatchString(string(s.Name)):
			fe.Add(path+".name", "nome dello stato non valido: lettere minuscole, cifre e trattini bassi")
		case seen[s.Name]:
			fe.Add(path+".name", "stato duplicato")
		}
		seen[s.Name] = true
		if strings.TrimSpace(s.Label) == "" {
			fe.Add(path+".label", "etichetta obbligatoria")
		}
		if !slices.Contains(Phases, s.Phase) {
			fe.Add(path+".phase", "fase sconosciuta: usa "+strings.Join(Phases, ", "))
		}
		final := w.Final(s.Name)
		switch {
		case final && !s.Name.Closed() && s.Name != CaseSubmitted:
			fe.Add(path+".name", "nessuna transizione esce da questo stato: uno stato finale deve chiamarsi accepted, rejected, archived o withdrawn")
		case !final && s.Name.Closed():
			fe.Add(path+".name", "uno stato finale (accepted, rejected, archived, withdrawn) non può avere transizioni in uscita")
		}
	}
	if len(w.States) > 0 && !seen[CaseSubmitted] {
		fe.Add("states", "manca lo stato submitted, in cui inizia ogni pratica")
	}
	if len(w.Transitions) == 0 {
		fe.Add("transitions", "il flusso deve avere almeno una transizione")
	}
	type key struct {
		name string
		from CaseStatus
	}
	pairs := map[key]bool{}
	for i, t := range w.Transitions {
		path := fmt.Sprintf("transitions[%d]", i)
		if !stateNameRE.MatchString(t.Name) {
			fe.Add(path+".name", "nome dell'azione non valido: lettere minuscole, cifre e trattini bassi")
		}
		if pairs[key{t.Name, t.From}] {
			fe.Add(path+".name", "azione duplicata per lo stesso stato di partenza")
		}
		pairs[key{t.Name, t.From}] = true
		if strings.TrimSpace(t.Label) == "" {
			fe.Add(path+".label", "etichetta obbligatoria")
		}
		if !seen[t.From] {
			fe.Add(path+".from", fmt.Sprintf("stato %q non definito in states", t.From))
		}
		if !seen[t.To] {
			fe.Add(path+".to", fmt.Sprintf("stato %q non definito in states", t.To))
		}
		if len(t.Roles) == 0 {
			fe.Add(path+".roles", "indica chi può eseguire l'azione")
		}
		for j, r := range t.Roles {
			if !slices.Contains(staffRoles, r) {
				fe.Add(fmt.Sprintf("%s.roles[%d]", path, j), "ruolo sconosciuto: usa operator, manager, registry, records o admin")
			}
		}
		if t.To == CaseRejected && !t.NeedsReason {
			fe.Add(path+".needs_reason", "un diniego deve essere motivato (L. 241/1990, art. 3): imposta needs_reason: true")
		}
		if !slices.Contains(clockEffects, t.Clock) {
			fe.Add(path+".clock", "effetto sul termine sconosciuto: usa start, suspend, resume, interrupt o stop")
		}
		if t.Clock == ClockEffectStop && !t.To.Closed() {
			fe.Add(path+".clock", "il termine si ferma solo con la conclusione (stato finale)")
		}
		if t.To.Closed() && t.Clock != ClockEffectStop {
			fe.Add(path+".clock", "un'azione che conclude la pratica deve fermare il termine: clock: stop")
		}
		switch {
		case t.Document == "":
			if t.Register {
				fe.Add(path+".register", "si protocolla un documento: indica document")
			}
		case t.Document == DocDecision:
			if !t.To.Closed() {
				fe.Add(path+".document", "il provvedimento conclude la pratica: lo stato di arrivo deve essere finale")
			}
			if !t.Register {
				fe.Add(path+".register", "il provvedimento va protocollato in uscita: imposta register: true")
			}
		case slices.Contains(standardDocuments, t.Document):
		default:
			if _, ok := def.Documents[t.Document]; !ok {
				fe.Add(path+".document", fmt.Sprintf("documento %q non definito in documents", t.Document))
			}
		}
		if t.Document == DocIntegrationRequest && t.Clock == ClockEffectSuspend && !def.SuspensionAllowed {
			fe.Add(path+".clock", "la sospensione per integrazioni non è prevista: imposta suspension_allowed: true")
		}
	}
	if len(fe) == 0 {
		for _, name := range w.unreachable() {
			i := slices.IndexFunc(w.States, func(s WorkflowState) bool { return s.Name == name })
			fe.Add(fmt.Sprintf("states[%d].name", i), "stato non raggiungibile da submitted")
		}
	}
	return fe
}

// unreachable returns the states no path from CaseSubmitted reaches.
func (w *ProcedureWorkflow) unreachable() []CaseStatus {
	reached := map[CaseStatus]bool{CaseSubmitted: true}
	for changed := true; changed; {
		changed = false
		for _, t := range w.Transitions {
			if reached[t.From] && !reached[t.To] {
				reached[t.To], changed = true, true
			}
		}
	}
	var out []CaseStatus
	for _, s := range w.States {
		if !reached[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out
}
