// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// JobDailyRegister produces one daily register; payload {"day": "YYYY-MM-DD"}.
const JobDailyRegister = "register.daily"

// DailyRegister is the registro giornaliero di protocollo (DPR 445/2000 art. 53
// c.2; DPCM 3/12/2013 art. 7): the day's registrations and the day's changes to
// earlier ones, produced as an immutable document (JSON with every art. 53
// field, and PDF), itself registered, and due to conservation by the next
// working day.
type DailyRegister struct {
	ID              int64
	TenantID        int64
	Day             Date
	Entries         int    // registrations of the day
	Changes         int    // annulments and corrections made that day
	ChainHead       string // chain hash of the day's last registration ("" if none)
	JSONDocumentID  int64
	PDFDocumentID   int64
	RegistrationID  int64 // its own registration in the register
	ConservationDue Date  // next working day after Day
	CreatedAt       time.Time
}

// DailyRegisterService produces and reads daily registers of the tenant in ctx.
type DailyRegisterService interface {
	// ProduceDailyRegister builds the daily register of day (a past day) unless
	// it exists, and returns it. System actor or records role. ECONFLICT for
	// today or a future day.
	ProduceDailyRegister(ctx context.Context, day Date) (*DailyRegister, error)
	// FindDailyRegister returns the daily register of day, or ENOTFOUND.
	FindDailyRegister(ctx context.Context, day Date) (*DailyRegister, error)
	// FindDailyRegisters lists daily registers, newest first.
	FindDailyRegisters(ctx context.Context, limit int) ([]*DailyRegister, error)
}
