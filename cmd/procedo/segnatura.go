// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
)

// segnaturaMaker builds the signed segnatura of a registration for the web
// UI, which may not import package segnatura (STYLE §1): it gathers what the
// segnatura describes and signs it with the tenant's key.
type segnaturaMaker struct {
	Tenants         procedo.TenantService
	Keys            procedo.SigningKeyService
	Classifications procedo.ClassificationService
}

// Build returns the signed segnatura XML of reg, whose documents are docs
// (the main one is reg.DocumentID), for the tenant in ctx. EINVALID when the
// registration lacks what Allegato 6 requires.
func (m *segnaturaMaker) Build(ctx context.Context, reg *procedo.Registration, docs []*procedo.Document) (_ []byte, err error) {
	defer procedo.Wrap(&err, "segnaturaMaker.Build(%d)", reg.ID)
	_, aoo, err := m.Tenants.FindRegister(ctx)
	if err != nil {
		return nil, err
	}
	classes, err := m.Classifications.FindClassifications(ctx)
	if err != nil {
		return nil, err
	}
	in := &segnatura.Input{Tenant: procedo.TenantFromContext(ctx), AOO: aoo, Registration: reg, Reserved: reg.Reserved}
	for _, c := range classes {
		if c.Code == reg.Classification {
			in.ClassificationTitle = c.Title
		}
	}
	for _, d := range docs {
		f := &segnatura.File{Name: d.Filename, MediaType: d.MediaType, SHA256: d.SHA256, Description: d.Description,
			Signed: d.MediaType == "application/pkcs7-mime"}
		if reg.DocumentID != nil && d.ID == *reg.DocumentID {
			in.Main = f
		} else {
			in.Attachments = append(in.Attachments, f)
		}
	}
	key, cert, err := m.Keys.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return segnatura.BuildSigned(in, key, cert)
}
