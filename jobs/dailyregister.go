// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/procedo/procedo"
)

// DailyRegisterMaker produces daily registers (job kind procedo.JobDailyRegister).
type DailyRegisterMaker struct {
	Tenants        procedo.TenantService
	DailyRegisters procedo.DailyRegisterService
}

// Handle implements Handler.
func (d *DailyRegisterMaker) Handle(ctx context.Context, job *procedo.Job) error {
	var p struct {
		Day string `json:"day"`
	}
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return &PermanentError{fmt.Errorf("bad payload %q", job.Payload)}
	}
	day, err := procedo.ParseDate(p.Day)
	if err != nil {
		return &PermanentError{err}
	}
	tenant, err := d.Tenants.FindTenantByID(ctx, job.TenantID)
	if err != nil {
		return err
	}
	ctx = procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, tenant), procedo.SystemActor)
	_, err = d.DailyRegisters.ProduceDailyRegister(ctx, day)
	return err
}
