// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

// CaseStatus is the state of a case in its workflow.
type CaseStatus string

const (
	CaseSubmitted CaseStatus = "submitted" // presentata: registered, waiting for the office
	CaseAccepted  CaseStatus = "accepted"  // accolta: closed with a favourable decision
	CaseRejected  CaseStatus = "rejected"  // respinta: closed with an unfavourable decision
)

// Label returns the Italian name of the status.
func (s CaseStatus) Label() string {
	switch s {
	case CaseSubmitted:
		return "Presentata"
	case CaseAccepted:
		return "Accolta"
	case CaseRejected:
		return "Respinta"
	}
	return string(s)
}

// Closed reports whether s is a final state.
func (s CaseStatus) Closed() bool { return s == CaseAccepted || s == CaseRejected }

// Transition is an allowed move of a case from one state to another.
type Transition struct {
	Name            string     // stable name used in URLs and the API, e.g. "accept"
	Label           string     // Italian button label
	From            CaseStatus //
	To              CaseStatus //
	Roles           []Role     // who may fire it
	NeedsReason     bool       // a motivation must be given
	Decision        bool       // produces a decision document registered as outgoing
	NotifyApplicant bool       // the applicant is told by e-mail
}

// Workflow is the table of allowed transitions. Procedure models will bring
// their own; this is the default for a procedure decided by one act.
var Workflow = []Transition{
	{Name: "accept", Label: "Accogli", From: CaseSubmitted, To: CaseAccepted,
		Roles: []Role{RoleOperator, RoleManager}, Decision: true, NotifyApplicant: true},
	{Name: "reject", Label: "Respingi", From: CaseSubmitted, To: CaseRejected,
		Roles: []Role{RoleOperator, RoleManager}, NeedsReason: true, Decision: true, NotifyApplicant: true},
}

// FindTransition returns the transition named name that starts from status.
// ENOTFOUND for an unknown name, ECONFLICT when it does not apply in status.
func FindTransition(status CaseStatus, name string) (Transition, error) {
	known := false
	for _, t := range Workflow {
		if t.Name != name {
			continue
		}
		known = true
		if t.From == status {
			return t, nil
		}
	}
	if !known {
		return Transition{}, Errorf(ENOTFOUND, "Azione sconosciuta.")
	}
	return Transition{}, Errorf(ECONFLICT, "L'azione non è consentita: la pratica è nello stato «%s».", status.Label())
}

// TransitionsFrom lists the transitions available in status.
func TransitionsFrom(status CaseStatus) []Transition {
	var out []Transition
	for _, t := range Workflow {
		if t.From == status {
			out = append(out, t)
		}
	}
	return out
}

// MaxReasonLength bounds the motivation of a decision.
const MaxReasonLength = 4000
