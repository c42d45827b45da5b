// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
)

// handleRegistrationSegnatura serves GET
// /api/v1/registrations/{year}/{number}/segnatura.xml: the segnatura
// informatica of the entry (AgID Linee guida 2021, Allegato 6, schema 3.0.0),
// signed with the tenant's key as an enveloped XML signature. Registry desk,
// records managers and administrators only. An entry that cannot have one
// (annulled, without main document or classification, a tenant without IPA
// code) is 409 with the reason.
func (s *Server) handleRegistrationSegnatura(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.findRegistration(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleRegistry, procedo.RoleRecords, procedo.RoleAdmin); err != nil {
		return err
	}
	if reg.Annulled() {
		return procedo.Errorf(procedo.ECONFLICT, "La registrazione è annullata: non ha una segnatura da inviare.")
	}
	_, aoo, err := s.Tenants.FindRegister(ctx)
	if err != nil {
		return err
	}
	docs, err := s.Registrations.FindRegistrationDocuments(ctx, reg.ID)
	if err != nil {
		return err
	}
	title, err := s.classificationTitle(ctx, reg.Classification)
	if err != nil {
		return err
	}
	in := &segnatura.Input{Tenant: procedo.TenantFromContext(ctx), AOO: aoo, Registration: reg, Reserved: reg.Reserved,
		ClassificationTitle: title}
	for _, d := range docs {
		f := &segnatura.File{Name: d.Filename, MediaType: d.MediaType, SHA256: d.SHA256, Description: d.Description,
			Signed: d.MediaType == "application/pkcs7-mime"}
		if reg.DocumentID != nil && *reg.DocumentID == d.ID {
			in.Main = f
		} else {
			in.Attachments = append(in.Attachments, f)
		}
	}
	key, cert, err := s.Keys.SigningKey(ctx)
	if err != nil {
		return err
	}
	b, err := segnatura.BuildSigned(in, key, cert)
	if procedo.ErrorCode(err) == procedo.EINVALID {
		// The entry or the tenant lacks what the schema requires: not the
		// request's fault, but the state of the data.
		return &procedo.Error{Code: procedo.ECONFLICT, Message: procedo.ErrorMessage(err), Err: err}
	} else if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Disposition", contentDisposition(fmt.Sprintf("segnatura-%s-%d-%s.xml", reg.RegisterCode, reg.Year, reg.NumberString()), reg.ID))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// classificationTitle returns the title of the tenant's titolario entry code,
// or "" when code is empty or not in the titolario. Without a
// ClassificationService the code stands for its own title.
func (s *Server) classificationTitle(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	if s.Classifications == nil {
		return code, nil
	}
	classes, err := s.Classifications.FindClassifications(ctx)
	if err != nil {
		return "", err
	}
	for _, c := range classes {
		if c.Code == code {
			return c.Title, nil
		}
	}
	return "", nil
}
