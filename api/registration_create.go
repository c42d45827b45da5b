// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// registrationMetadataJSON is what a new registration says besides its files
// (schema RegistrationMetadata): the metadata part of a multipart body.
type registrationMetadataJSON struct {
	Direction          procedo.Direction       `json:"direction"`
	Subject            string                  `json:"subject"`
	Correspondents     []procedo.Correspondent `json:"correspondents"`
	SenderProtocol     string                  `json:"sender_protocol"`
	SenderProtocolDate string                  `json:"sender_protocol_date"` // YYYY-MM-DD
	Classification     string                  `json:"classification"`
	Channel            string                  `json:"channel"`
	Reserved           bool                    `json:"reserved"`
	OfficeID           *int64                  `json:"office_id"`       // competenza
	InfoOfficeIDs      []int64                 `json:"info_office_ids"` // conoscenza
	AttachmentsNote    string                  `json:"attachments_note"`
	Emergency          *emergencyInputJSON     `json:"emergency"`
}

// emergencyInputJSON is the emergency register entry being carried over.
type emergencyInputJSON struct {
	Number string `json:"number"`
	At     string `json:"at"` // RFC 3339
}

// fileJSON is a file inside a JSON body (schema FileUpload).
type fileJSON struct {
	Filename      string `json:"filename"`
	ContentBase64 string `json:"content_base64"`
	MediaType     string `json:"media_type"` // optional: sniffed when absent
}

// registrationRequestJSON is the JSON body of POST /registrations (schema
// RegistrationRequest): the metadata and the files, base64-encoded.
type registrationRequestJSON struct {
	registrationMetadataJSON
	Document    *fileJSON  `json:"document"`
	Attachments []fileJSON `json:"attachments"`
}

// input returns the RegistrationInput the metadata describe (without files),
// recording in fe what cannot be parsed, then what RegistrationInput.Validate
// refuses.
func (m *registrationMetadataJSON) input(fe procedo.FieldErrors) *procedo.RegistrationInput {
	in := &procedo.RegistrationInput{Direction: m.Direction, Subject: m.Subject, Correspondents: m.Correspondents,
		SenderProtocol: m.SenderProtocol, Classification: strings.TrimSpace(m.Classification), Channel: m.Channel,
		Reserved: m.Reserved, ActionOffice: m.OfficeID, InfoOffices: m.InfoOfficeIDs, AttachmentsNote: strings.TrimSpace(m.AttachmentsNote)}
	if m.SenderProtocolDate != "" {
		d, err := procedo.ParseDate(m.SenderProtocolDate)
		if err != nil {
			fe.Add("sender_protocol_date", "La data del protocollo del mittente deve essere nel formato AAAA-MM-GG.")
		}
		in.SenderProtocolDate = d
	}
	if e := m.Emergency; e != nil {
		in.Emergency = &procedo.EmergencyEntry{Number: e.Number}
		if e.At != "" {
			at, err := time.Parse(time.RFC3339, e.At)
			if err != nil {
				fe.Add("emergency_at", "Data e ora della registrazione di emergenza devono essere in formato RFC 3339, es. 2026-03-02T09:30:00+01:00.")
			}
			in.Emergency.At = at
		}
	}
	if len([]rune(in.AttachmentsNote)) > 1000 {
		fe.Add("attachments_note", "La descrizione degli allegati è troppo lunga (massimo 1000 caratteri).")
	}
	if len(m.InfoOfficeIDs) > 50 {
		fe.Add("info_office_ids", "Troppi uffici per conoscenza (massimo 50).")
	}
	for field, msg := range procedo.FieldErrorsOf(in.Validate()) {
		fe.Add(field, msg)
	}
	return in
}

// handleRegistrationCreate serves POST /api/v1/registrations: it registers a
// document in the protocol register of the caller's tenant. The body is either
// JSON (registrationRequestJSON, files in base64) or multipart/form-data with a
// "metadata" JSON part and file parts "document" (one) and "attachments". The
// files are stored in the blob store first, then RegisterEntry numbers the
// entry: 201 with the registration and its Location. Registry desk and
// administrators only.
func (s *Server) handleRegistrationCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// Refuse before reading (and storing) any file.
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleRegistry, procedo.RoleAdmin); err != nil {
		return err
	}
	mr, err := multipartReader(w, r, s.maxUploadBody())
	if err != nil {
		return err
	}
	var in *procedo.RegistrationInput
	if mr != nil {
		in, err = s.registrationFromMultipart(ctx, mr)
	} else {
		in, err = s.registrationFromJSON(w, r)
	}
	if err != nil {
		return err
	}
	reg, err := s.Registrations.RegisterEntry(ctx, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", registrationURL(reg))
	return writeJSON(w, http.StatusCreated, newRegistrationJSON(reg))
}

// registrationURL returns the path of reg in the API.
func registrationURL(reg *procedo.Registration) string {
	return fmt.Sprintf("%sregistrations/%d/%d", Prefix, reg.Year, reg.Number)
}

// registrationFromJSON reads a JSON body, checks it, and stores its files.
func (s *Server) registrationFromJSON(w http.ResponseWriter, r *http.Request) (*procedo.RegistrationInput, error) {
	var req registrationRequestJSON
	if err := s.decodeJSONBody(w, r, &req); err != nil {
		return nil, err
	}
	fe := procedo.FieldErrors{}
	in := req.input(fe)
	type decoded struct {
		field, name, mediaType string
		content                []byte
	}
	var files []decoded
	limit := s.maxUpload()
	check := func(field, fallback string, f *fileJSON) {
		name := cleanFilename(f.Filename, fallback)
		if strings.TrimSpace(f.Filename) == "" {
			fe.Add(field, "Indica il nome del file (filename).")
			return
		}
		b, ok := decodeBase64(f.ContentBase64)
		switch {
		case !ok:
			fe.Add(field, fmt.Sprintf("Il contenuto del file %q non è base64 valido (alfabeto standard, con padding, senza a capo).", name))
		case len(b) == 0:
			fe.Add(field, fmt.Sprintf("Il file %q è vuoto.", name))
		default:
			files = append(files, decoded{field, name, f.MediaType, b})
		}
	}
	if req.Document == nil {
		fe.Add("document", "Allega il documento principale (document).")
	} else {
		check("document", "documento", req.Document)
	}
	if len(req.Attachments) >= maxFiles {
		fe.Add("attachments", fmt.Sprintf("Troppi allegati (massimo %d).", maxFiles-1))
	} else {
		for i := range req.Attachments {
			check("attachments", fmt.Sprintf("allegato-%d", i+1), &req.Attachments[i])
		}
	}
	for _, f := range files {
		if int64(len(f.content)) > limit {
			return nil, fileTooLarge(f.name, limit)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	for _, f := range files {
		up, err := s.storeFile(r.Context(), f.field, f.name, f.mediaType, bytes.NewReader(f.content))
		if err != nil {
			return nil, err
		}
		if f.field == "document" {
			in.Main = up
		} else {
			in.Attachments = append(in.Attachments, up)
		}
	}
	return in, nil
}

// registrationFromMultipart reads a multipart body part by part, storing each
// file as it streams by. Metadata sent before the files are checked before any
// file is stored.
func (s *Server) registrationFromMultipart(ctx context.Context, mr *multipart.Reader) (*procedo.RegistrationInput, error) {
	limit := s.maxUploadBody()
	var in *procedo.RegistrationInput
	var main *procedo.Upload
	var attachments []*procedo.Upload
	for n := 0; ; n++ {
		part, err := nextPart(mr, limit)
		if err != nil {
			return nil, err
		}
		if part == nil {
			break
		}
		if n > maxFiles {
			return nil, procedo.FieldErrors{"attachments": fmt.Sprintf("Troppi allegati (massimo %d).", maxFiles-1)}
		}
		switch name := part.FormName(); name {
		case "metadata":
			if in != nil {
				return nil, badRequest("La parte metadata è ripetuta.", nil)
			}
			var m registrationMetadataJSON
			if err := decodeMetadata(bodyReader{part}, &m); err != nil {
				return nil, bodyError(err, limit)
			}
			fe := procedo.FieldErrors{}
			in = m.input(fe)
			if err := fe.Err(); err != nil {
				return nil, err
			}
		case "document", "attachments":
			if part.FileName() == "" {
				return nil, procedo.FieldErrors{name: "Invia il file come parte con un nome di file (filename)."}
			}
			if name == "document" && main != nil {
				return nil, procedo.FieldErrors{"document": "Il documento principale è uno solo."}
			}
			fallback := "documento"
			if name == "attachments" {
				fallback = fmt.Sprintf("allegato-%d", len(attachments)+1)
			}
			up, err := s.storeFile(ctx, name, cleanFilename(part.FileName(), fallback), part.Header.Get("Content-Type"), part)
			if err != nil {
				return nil, bodyError(err, limit)
			}
			if name == "document" {
				main = up
			} else {
				attachments = append(attachments, up)
			}
		default:
			return nil, badRequest(fmt.Sprintf("Parte %q sconosciuta: le parti sono metadata, document e attachments.", shortName(name)), nil)
		}
	}
	fe := procedo.FieldErrors{}
	if in == nil {
		fe.Add("metadata", "Manca la parte metadata con i dati della registrazione.")
	}
	if main == nil {
		fe.Add("document", "Allega il documento principale (parte document).")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	in.Main, in.Attachments = main, attachments
	return in, nil
}

// shortName cuts an untrusted name for a message.
func shortName(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
