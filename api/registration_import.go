// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
)

// receivedFile is a file part of an import, already in the blob store.
type receivedFile struct {
	name    string // cleaned file name, compared with the segnatura's nomeFile
	upload  *procedo.Upload
	matched bool
}

// handleRegistrationImport serves POST /api/v1/registrations/import: a
// document received from another AOO — a multipart body with the signed
// segnatura (part "segnatura") and the files it describes (file parts named as
// in the segnatura, any field name) — becomes an incoming registration: sender,
// oggetto, the sender's number and date and, when the tenant's titolario has
// it, the classification come from the segnatura; the channel is
// "interoperabilita". The segnatura is untrusted input: at most
// segnatura.MaxSize bytes, no DTD, signature checked. One of its Destinatari
// must be this tenant's AOO (422). Every file's SHA-256 must match its Impronta,
// every file must be described and sent: otherwise 422 naming the file, and
// nothing is registered. A document already imported (the same sender AOO,
// register, number and date) is refused with 409. Registry desk and
// administrators only.
func (s *Server) handleRegistrationImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleRegistry, procedo.RoleAdmin); err != nil {
		return err
	}
	limit := s.maxUploadBody() + segnatura.MaxSize
	mr, err := multipartReader(w, r, limit)
	if err != nil {
		return err
	}
	if mr == nil {
		return badRequest("Invia la segnatura e i file come multipart/form-data.", nil)
	}
	var xml []byte
	var files []*receivedFile
	for n := 0; ; n++ {
		part, err := nextPart(mr, limit)
		if err != nil {
			return err
		}
		if part == nil {
			break
		}
		if n > maxFiles {
			return procedo.Errorf(procedo.EINVALID, "Troppi file in una sola richiesta (massimo %d).", maxFiles)
		}
		switch {
		case part.FormName() == "segnatura":
			if xml != nil {
				return badRequest("La parte segnatura è ripetuta.", nil)
			}
			if xml, err = io.ReadAll(io.LimitReader(bodyReader{part}, segnatura.MaxSize+1)); err != nil {
				return bodyError(err, limit)
			}
			if len(xml) > segnatura.MaxSize {
				return procedo.Errorf(procedo.ETOOLARGE, "La segnatura è troppo grande (massimo %s).", formatSize(segnatura.MaxSize))
			}
		case part.FileName() != "":
			name := cleanFilename(part.FileName(), "")
			up, err := s.storeFile(ctx, "files", cleanFilename(part.FileName(), "documento"), part.Header.Get("Content-Type"), part)
			if err != nil {
				return bodyError(err, limit)
			}
			files = append(files, &receivedFile{name: name, upload: up})
		default:
			return badRequest(fmt.Sprintf("Parte %q sconosciuta: invia la parte segnatura e i file descritti dalla segnatura.", shortName(part.FormName())), nil)
		}
	}
	if xml == nil {
		return procedo.FieldErrors{"segnatura": "Manca la segnatura (parte segnatura)."}
	}
	p, err := segnatura.Parse(bytes.NewReader(xml))
	if err != nil {
		return err
	}
	if !p.Signed {
		return procedo.Errorf(procedo.EINVALID, "La segnatura non è firmata: lo schema AgID 3.0.0 richiede la firma dell'AOO mittente (ds:Signature).")
	}
	if err := s.checkAddressedToUs(ctx, p); err != nil {
		return err
	}
	main, err := matchFile(files, p.Main)
	if err != nil {
		return err
	}
	// The sender's titolario may not be ours: a code we do not have is left
	// out, for the registry desk to classify.
	classification := p.ClassificationCode
	if title, err := s.classificationTitle(ctx, classification); err != nil {
		return err
	} else if title == "" {
		classification = ""
	}
	in := &procedo.RegistrationInput{Direction: procedo.DirectionIncoming, Subject: p.Subject,
		Correspondents: []procedo.Correspondent{p.Sender}, SenderProtocol: procedo.FormatProtocolNumber(p.Number),
		SenderProtocolDate: procedo.DateOf(p.Date), Classification: classification, Channel: "interoperabilita",
		Reserved: p.Reserved, Main: main, Sender: &procedo.SenderEntry{IPACode: p.SenderIPA, AOOCode: p.SenderAOO,
			Register: p.Register, Number: p.Number, Date: procedo.DateOf(p.Date)}}
	for _, a := range p.Attachments {
		up, err := matchFile(files, a)
		if err != nil {
			return err
		}
		in.Attachments = append(in.Attachments, up)
	}
	for _, f := range files {
		if !f.matched {
			return procedo.Errorf(procedo.EINVALID, "Il file %q non è descritto nella segnatura: invia solo i file che la segnatura elenca.", f.name)
		}
	}
	reg, err := s.Registrations.RegisterEntry(ctx, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", registrationURL(reg))
	return writeJSON(w, http.StatusCreated, newRegistrationJSON(reg))
}

// checkAddressedToUs refuses a segnatura none of whose Destinatari is this
// tenant's AOO (its administration's IPA code and the AOO's code; a Destinatario
// naming our administration without an AOO is ours too).
func (s *Server) checkAddressedToUs(ctx context.Context, p *segnatura.Parsed) error {
	t := procedo.TenantFromContext(ctx)
	if t == nil || t.IPACode == "" {
		return procedo.Errorf(procedo.ECONFLICT, "Il codice IPA dell'ente non è configurato: non si può verificare che la segnatura sia indirizzata a questa AOO. Nulla è stato protocollato.")
	}
	_, aoo, err := s.Tenants.FindRegister(ctx)
	if err != nil {
		return err
	}
	if !p.AddressedTo(t.IPACode, aoo.Code) {
		return procedo.Errorf(procedo.EINVALID, "La segnatura non è indirizzata a questa AOO: tra i destinatari non c'è %s (codice IPA %s, AOO %s). Nulla è stato protocollato.",
			t.Name, t.IPACode, aoo.Code)
	}
	return nil
}

// matchFile returns the received file that the segnatura describes as want,
// marking it used: the first unused one with its name and fingerprint. A file
// with the name but another fingerprint, or no file with the name, is 422.
func matchFile(files []*receivedFile, want *segnatura.File) (*procedo.Upload, error) {
	name := cleanFilename(want.Name, "")
	var sameName *receivedFile
	for _, f := range files {
		if f.matched || f.name != name {
			continue
		}
		if f.upload.SHA256 == want.SHA256 {
			f.matched = true
			return f.upload, nil
		}
		sameName = f
	}
	if sameName != nil {
		return nil, procedo.Errorf(procedo.EINVALID, "L'impronta SHA-256 del file %q non corrisponde a quella indicata nella segnatura: il file è stato alterato o non è quello inviato. Nulla è stato protocollato.", name)
	}
	return nil, procedo.Errorf(procedo.EINVALID, "Manca il file %q indicato nella segnatura. Nulla è stato protocollato.", name)
}
