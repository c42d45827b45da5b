// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/procedo/procedo"
)

// MailSender delivers outbox messages (job kind procedo.JobSendMail). With no
// Mailer (demo without SMTP) messages are kept in the DEMO mailbox instead.
type MailSender struct {
	Tenants      procedo.TenantService
	Outbox       procedo.OutboxService
	Applications procedo.ApplicationService
	Documents    procedo.DocumentService
	Renderer     procedo.Renderer
	Mailer       procedo.Mailer
	From         string
}

// Handle implements Handler.
func (m *MailSender) Handle(ctx context.Context, job *procedo.Job) error {
	var p struct {
		MailID int64 `json:"mail_id"`
	}
	if err := json.Unmarshal(job.Payload, &p); err != nil || p.MailID == 0 {
		return &PermanentError{fmt.Errorf("bad payload %q", job.Payload)}
	}
	tenant, err := m.Tenants.FindTenantByID(ctx, job.TenantID)
	if err != nil {
		return err
	}
	ctx = procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, tenant), procedo.SystemActor)
	msg, err := m.Outbox.FindMailMessageByID(ctx, p.MailID)
	if err != nil {
		return err
	}
	if msg.Status == procedo.MailSent || msg.Status == procedo.MailKept {
		return nil // already done: a job may run twice after a crash
	}
	if m.Mailer == nil {
		return m.Outbox.MarkMailMessage(ctx, msg.ID, procedo.MailKept, "")
	}
	atts, err := m.attachments(ctx, msg)
	if err != nil {
		return err
	}
	if err := m.Mailer.Send(ctx, m.From, msg, atts); err != nil {
		status := procedo.MailQueued
		if job.Attempts >= job.MaxAttempts {
			status = procedo.MailFailed
		}
		if merr := m.Outbox.MarkMailMessage(ctx, msg.ID, status, err.Error()); merr != nil {
			return merr
		}
		return err
	}
	return m.Outbox.MarkMailMessage(ctx, msg.ID, procedo.MailSent, "")
}

// attachments resolves the attachment references of msg.
func (m *MailSender) attachments(ctx context.Context, msg *procedo.MailMessage) ([]procedo.MailAttachment, error) {
	var out []procedo.MailAttachment
	for _, ref := range msg.Attachments {
		switch ref.Kind {
		case "receipt":
			b, err := ReceiptPDF(ctx, m.Applications, m.Renderer, ref.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, procedo.MailAttachment{Filename: ref.Filename, MediaType: "application/pdf", Content: b})
		case "document":
			d, rc, err := m.Documents.OpenDocument(ctx, ref.ID)
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(io.LimitReader(rc, 25<<20))
			rc.Close()
			if err != nil {
				return nil, err
			}
			out = append(out, procedo.MailAttachment{Filename: ref.Filename, MediaType: d.MediaType, Content: b})
		default:
			return nil, &PermanentError{fmt.Errorf("unknown attachment kind %q", ref.Kind)}
		}
	}
	return out, nil
}

// ReceiptPDF renders the receipt of an application the actor in ctx may see.
func ReceiptPDF(ctx context.Context, apps procedo.ApplicationService, r procedo.Renderer, applicationID int64) ([]byte, error) {
	rec, err := apps.FindReceipt(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	return r.RenderPDF(ctx, rec.PrintDocument())
}
