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
	ctx, _, day, err := tenantDay(ctx, d.Tenants, job)
	if err != nil {
		return err
	}
	_, err = d.DailyRegisters.ProduceDailyRegister(ctx, day)
	return err
}

// tenantDay reads the day of a daily tenant job (payload {"day": "YYYY-MM-DD"})
// and returns ctx acting as the system for the job's tenant. A payload that
// cannot be read is a PermanentError: retrying would not mend it.
func tenantDay(ctx context.Context, tenants procedo.TenantService, job *procedo.Job) (context.Context, *procedo.Tenant, procedo.Date, error) {
	var p struct {
		Day string `json:"day"`
	}
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return nil, nil, procedo.Date{}, &PermanentError{fmt.Errorf("bad payload %q", job.Payload)}
	}
	day, err := procedo.ParseDate(p.Day)
	if err != nil {
		return nil, nil, procedo.Date{}, &PermanentError{err}
	}
	tenant, err := tenants.FindTenantByID(ctx, job.TenantID)
	if err != nil {
		return nil, nil, procedo.Date{}, err
	}
	return procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, tenant), procedo.SystemActor), tenant, day, nil
}
