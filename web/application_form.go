// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/procedo/procedo"
)

type applicationFormPage struct {
	Version *procedo.ProcedureVersion
	Def     *procedo.ProcedureDefinition
	Citizen *procedo.Citizen
	Values  map[string]string
	Errors  procedo.FieldErrors
	Fields  []fieldError // errors in form order, for the summary
	MaxMB   int64
}

type fieldError struct{ Name, Label, Message string }

// handleApplicationForm shows the form of a service to a logged-in citizen.
func (h *Handler) handleApplicationForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Procedures.FindPublishedProcedure(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	if err := serviceActive(v); err != nil {
		return err
	}
	z, err := requireCitizen(r)
	if err != nil {
		http.Redirect(w, r, "/accedi?next="+safeNext(r.URL.Path), http.StatusSeeOther)
		return nil
	}
	values := map[string]string{}
	for _, f := range v.Definition.Form.Fields() {
		switch f.Prefill {
		case "email":
			values[f.Name] = z.Email
		case "fiscal_code":
			values[f.Name] = z.FiscalCode
		case "given_name":
			values[f.Name] = z.GivenName
		case "family_name":
			values[f.Name] = z.FamilyName
		case "full_name":
			values[f.Name] = z.FullName()
		}
	}
	h.renderForm(w, r, http.StatusOK, v, z, values, nil)
	return nil
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *procedo.ProcedureVersion, z *procedo.Citizen, values map[string]string, fe procedo.FieldErrors) {
	// Without scripts every field is shown: conditional ones say when to fill them.
	def := v.Definition
	def.Form = formForDisplay(def.Form)
	data := &applicationFormPage{Version: v, Def: &def, Citizen: z, Values: values, Errors: fe, MaxMB: h.MaxUpload >> 20,
		Fields: formErrorList(v.Definition.Form, fe)}
	title := v.Definition.Title
	if len(fe) > 0 {
		title = "Errori nel modulo: " + title
	}
	h.render(w, r, status, "application_form", &page{Title: title,
		Breadcrumbs: []crumb{{"Servizi", "/"}, {v.Definition.Title, "/servizi/" + v.Key}, {"Domanda", ""}}, Data: data})
}

// handleApplicationSubmit stores the uploaded files, then submits the
// application; on success it shows the receipt at once (303).
func (h *Handler) handleApplicationSubmit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Procedures.FindPublishedProcedure(r.Context(), r.PathValue("key"))
	if err != nil {
		return err
	}
	if err := serviceActive(v); err != nil {
		return err
	}
	z, err := requireCitizen(r)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range v.Definition.Form.InputKeys() {
		if x := r.PostFormValue(k); x != "" {
			values[k] = x
		}
	}
	fe := procedo.FieldErrors{}
	var uploads []*procedo.Upload
	for _, f := range v.Definition.Form.Fields() {
		if f.Type != procedo.FieldFile || r.MultipartForm == nil {
			continue
		}
		fhs := r.MultipartForm.File[f.Name]
		if len(fhs) == 0 || fhs[0].Size == 0 {
			continue
		}
		if len(fhs) > 1 {
			fe.Add(f.Name, "Allega un solo file.")
			continue
		}
		u, err := h.storeUpload(r, f, fhs[0])
		if err != nil {
			if fe2 := procedo.FieldErrorsOf(err); fe2 != nil {
				for k, m := range fe2 {
					fe.Add(k, m)
				}
				continue
			}
			return err
		}
		uploads = append(uploads, u)
	}
	if len(fe) == 0 {
		receipt, err := h.Applications.SubmitApplication(r.Context(), v.ID, values, uploads)
		if err == nil {
			if h.Notify != nil {
				h.Notify()
			}
			h.redirect(w, r, fmt.Sprintf("/pratiche/%d/ricevuta", receipt.Case.ID), "")
			return nil
		}
		if procedo.FieldErrorsOf(err) == nil {
			return err
		}
		fe = procedo.FieldErrorsOf(err)
	} else if _, err := v.Definition.Form.ValidateValues(values, nil); err != nil {
		for k, m := range procedo.FieldErrorsOf(err) {
			if f, ok := v.Definition.Form.Field(k); !ok || f.Type != procedo.FieldFile {
				fe.Add(k, m)
			}
		}
	}
	h.renderForm(w, r, http.StatusUnprocessableEntity, v, z, values, fe)
	return nil
}

// storeUpload checks one file against its field (size, sniffed type) and stores
// it durably in the blob store.
func (h *Handler) storeUpload(r *http.Request, f procedo.FormField, fh *multipart.FileHeader) (*procedo.Upload, error) {
	if fh.Size > f.MaxFileSize() || fh.Size > h.MaxUpload {
		return nil, procedo.FieldErrors{f.Name: fmt.Sprintf("Il file supera la dimensione massima di %d MB.", min(f.MaxFileSize(), h.MaxUpload)>>20)}
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	media := sniff(head, fh.Filename)
	if len(f.Accept) > 0 && !contains(f.Accept, media) {
		return nil, procedo.FieldErrors{f.Name: "Il contenuto del file non corrisponde a un formato ammesso (PDF, JPEG, PNG o P7M)."}
	}
	info, err := h.Blobs.Put(r.Context(), procedo.TenantIDFromContext(r.Context()), io.MultiReader(bytes.NewReader(head), file))
	if err != nil {
		return nil, err
	}
	return &procedo.Upload{Field: f.Name, Filename: cleanFilename(fh.Filename), MediaType: media, SHA256: info.SHA256, Size: info.Size}, nil
}

// sniff returns the media type of a file from its content, not from what the
// browser claims: a ".pdf" must start like a PDF.
func sniff(head []byte, name string) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case strings.EqualFold(filepath.Ext(name), ".p7m") && len(head) > 0 && head[0] == 0x30:
		// DER SEQUENCE: a CAdES envelope; its signature is verified by the
		// signed-file checks of the front office.
		return "application/pkcs7-mime"
	}
	return http.DetectContentType(head)
}

// cleanFilename keeps a safe display name: no paths, no control characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "allegato"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
