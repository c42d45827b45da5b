// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import "context"

// WithdrawalTransition returns the transition of def's workflow that leads
// from status to CaseWithdrawn (the applicant's withdrawal, rinuncia
// all'istanza), and false when the workflow offers none in status.
func WithdrawalTransition(def *ProcedureDefinition, status CaseStatus) (Transition, bool) {
	for _, t := range TransitionsFrom(def, status) {
		if t.To == CaseWithdrawn {
			return t, true
		}
	}
	return Transition{}, false
}

// WithdrawalTitle is the title of the applicant's declaration of withdrawal.
const WithdrawalTitle = "Rinuncia all'istanza"

// CaseWithdrawalService lets applicants withdraw their applications.
type CaseWithdrawalService interface {
	// WithdrawCase withdraws the applicant's case id with reason (optional
	// unless the model's transition needs one): the declaration is rendered
	// to PDF and registered as incoming, then the workflow's transition to
	// withdrawn (WithdrawalTransition) is fired in the same transaction on
	// the applicant's behalf, stopping the clock; the office is told. The
	// applicant only: ENOTFOUND for another citizen's case, EFORBIDDEN for
	// staff; ECONFLICT when the workflow allows no withdrawal in the case's
	// state; EINVALID field "reason".
	WithdrawCase(ctx context.Context, id int64, reason string) (*Case, error)
}
