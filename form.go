// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldType is the kind of a form field.
type FieldType string

const (
	FieldText       FieldType = "text"
	FieldTextarea   FieldType = "textarea"
	FieldEmail      FieldType = "email"
	FieldPhone      FieldType = "phone"
	FieldDate       FieldType = "date"
	FieldNumber     FieldType = "number"
	FieldChoice     FieldType = "choice"
	FieldYesNo      FieldType = "yesno"
	FieldFiscalCode FieldType = "fiscal_code"
	FieldFile       FieldType = "file"
)

var fieldTypes = []FieldType{FieldText, FieldTextarea, FieldEmail, FieldPhone, FieldDate,
	FieldNumber, FieldChoice, FieldYesNo, FieldFiscalCode, FieldFile}

// Form is the citizen's form of a procedure: sections of fields.
type Form struct {
	Sections []FormSection `json:"sections"`
}

// FormSection is a titled group of fields (a fieldset).
type FormSection struct {
	Title  string      `json:"title"`
	Fields []FormField `json:"fields"`
}

// FormField is one question of a form.
type FormField struct {
	Name      string        `json:"name"`  // key in Application.Data; [a-z0-9_]
	Label     string        `json:"label"` // Italian label
	Type      FieldType     `json:"type"`
	Required  bool          `json:"required,omitempty"`
	Hint      string        `json:"hint,omitempty"`
	Options   []FieldOption `json:"options,omitempty"`    // for choice
	MaxLength int           `json:"max_length,omitempty"` // characters; 0 = type default
	Accept    []string      `json:"accept,omitempty"`     // for file: accepted media types
	MaxSize   int64         `json:"max_size,omitempty"`   // for file: bytes; 0 = DefaultMaxUpload
	Prefill   string        `json:"prefill,omitempty"`    // "email", "fiscal_code", "given_name", "family_name"
}

// FieldOption is one choice of a choice field.
type FieldOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Fields returns every field of every section, in order.
func (f *Form) Fields() []FormField {
	var out []FormField
	for _, s := range f.Sections {
		out = append(out, s.Fields...)
	}
	return out
}

// Field returns the field named name.
func (f *Form) Field(name string) (FormField, bool) {
	for _, fl := range f.Fields() {
		if fl.Name == name {
			return fl, true
		}
	}
	return FormField{}, false
}

// Validate checks the form definition itself.
func (f *Form) Validate() error {
	fe := FieldErrors{}
	seen := map[string]bool{}
	for si, s := range f.Sections {
		for fi, fl := range s.Fields {
			path := fmt.Sprintf("sections[%d].fields[%d]", si, fi)
			if !fieldNameRE.MatchString(fl.Name) {
				fe.Add(path+".name", "nome del campo non valido")
			}
			if seen[fl.Name] {
				fe.Add(path+".name", "nome del campo duplicato")
			}
			seen[fl.Name] = true
			if strings.TrimSpace(fl.Label) == "" {
				fe.Add(path+".label", "etichetta obbligatoria")
			}
			if !slices.Contains(fieldTypes, fl.Type) {
				fe.Add(path+".type", "tipo di campo sconosciuto")
			}
			if fl.Type == FieldChoice && len(fl.Options) == 0 {
				fe.Add(path+".options", "un campo a scelta richiede delle opzioni")
			}
		}
	}
	return fe.Err()
}

// FileInfo describes an uploaded file for form validation.
type FileInfo struct {
	Filename  string
	MediaType string
	Size      int64
}

// MaxFileSize returns the size limit of a file field.
func (fl FormField) MaxFileSize() int64 {
	if fl.MaxSize > 0 {
		return fl.MaxSize
	}
	return DefaultMaxUpload
}

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9 ]{6,20}$`)
)

// ValidateValues checks submitted values and files against the form and returns
// the cleaned values (trimmed; unknown keys dropped) or FieldErrors with an
// Italian message per field. It is the one validation used by web and API.
func (f *Form) ValidateValues(values map[string]string, files map[string]FileInfo) (map[string]string, error) {
	fe := FieldErrors{}
	out := map[string]string{}
	for _, fl := range f.Fields() {
		if fl.Type == FieldFile {
			fi, ok := files[fl.Name]
			if !ok || fi.Size == 0 {
				if fl.Required {
					fe.Add(fl.Name, "Allega il file richiesto.")
				}
				continue
			}
			if fi.Size > fl.MaxFileSize() {
				fe.Add(fl.Name, fmt.Sprintf("Il file supera la dimensione massima di %d MB.", fl.MaxFileSize()>>20))
				continue
			}
			if len(fl.Accept) > 0 && !slices.Contains(fl.Accept, fi.MediaType) {
				fe.Add(fl.Name, "Formato del file non accettato. Formati ammessi: "+acceptLabel(fl.Accept)+".")
			}
			continue
		}
		v := strings.TrimSpace(values[fl.Name])
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			fe.Add(fl.Name, "Il testo contiene caratteri non validi.")
			continue
		}
		if v == "" {
			if fl.Required {
				fe.Add(fl.Name, "Questo campo è obbligatorio.")
			}
			continue
		}
		max := fl.MaxLength
		if max == 0 {
			max = 200
			if fl.Type == FieldTextarea {
				max = 4000
			}
		}
		if utf8.RuneCountInString(v) > max {
			fe.Add(fl.Name, fmt.Sprintf("Il testo non può superare %d caratteri.", max))
			continue
		}
		switch fl.Type {
		case FieldEmail:
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				fe.Add(fl.Name, "Inserisci un indirizzo e-mail valido, ad esempio nome@esempio.it.")
				continue
			}
		case FieldPhone:
			if !phoneRE.MatchString(v) {
				fe.Add(fl.Name, "Inserisci un numero di telefono valido.")
				continue
			}
		case FieldDate:
			if _, err := time.Parse("2006-01-02", v); err != nil {
				fe.Add(fl.Name, "Inserisci una data valida (gg/mm/aaaa).")
				continue
			}
		case FieldNumber:
			if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); err != nil {
				fe.Add(fl.Name, "Inserisci un numero.")
				continue
			}
		case FieldChoice:
			if !slices.ContainsFunc(fl.Options, func(o FieldOption) bool { return o.Value == v }) {
				fe.Add(fl.Name, "Scegli una delle opzioni proposte.")
				continue
			}
		case FieldYesNo:
			if v != "si" && v != "no" {
				fe.Add(fl.Name, "Rispondi sì o no.")
				continue
			}
		case FieldFiscalCode:
			cf, err := ValidateFiscalCode(v)
			if err != nil {
				fe.Add(fl.Name, ErrorMessage(err))
				continue
			}
			v = cf
		}
		out[fl.Name] = v
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func acceptLabel(types []string) string {
	names := make([]string, len(types))
	for i, t := range types {
		switch t {
		case "application/pdf":
			names[i] = "PDF"
		case "image/jpeg":
			names[i] = "JPEG"
		case "image/png":
			names[i] = "PNG"
		case "application/pkcs7-mime":
			names[i] = "P7M"
		default:
			names[i] = t
		}
	}
	return strings.Join(names, ", ")
}
