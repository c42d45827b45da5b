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
	FieldVATNumber  FieldType = "vat_number" // partita IVA: 11 digits with check digit
	FieldIBAN       FieldType = "iban"       // IBAN with ISO 13616 check digits
	FieldAddress    FieldType = "address"    // street, number, CAP and Comune of the ISTAT list (keys name.via, .civico, .cap, .comune)
	FieldFile       FieldType = "file"
	FieldGroup      FieldType = "group" // repeatable group of Fields (keys name.0.sub, name.1.sub, …)
)

// FieldTypes lists every field type.
var FieldTypes = []FieldType{FieldText, FieldTextarea, FieldEmail, FieldPhone, FieldDate,
	FieldNumber, FieldChoice, FieldYesNo, FieldFiscalCode, FieldVATNumber, FieldIBAN, FieldAddress, FieldFile, FieldGroup}

// Prefill sources: values taken from the citizen's digital identity.
var PrefillSources = []string{"email", "fiscal_code", "given_name", "family_name", "full_name"}

// AddressParts are the keys of an address field's parts, after "name.".
var AddressParts = []string{"via", "civico", "cap", "comune"}

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
	Name           string        `json:"name"`  // key in Application.Data; [a-z0-9_]
	Label          string        `json:"label"` // Italian label
	Type           FieldType     `json:"type"`
	Required       bool          `json:"required,omitempty"`
	Hint           string        `json:"hint,omitempty"`
	Options        []FieldOption `json:"options,omitempty"`         // for choice
	MaxLength      int           `json:"max_length,omitempty"`      // characters; 0 = type default
	Pattern        string        `json:"pattern,omitempty"`         // text: regular expression the whole value must match
	PatternMessage string        `json:"pattern_message,omitempty"` // shown when Pattern does not match
	Min            *float64      `json:"min,omitempty"`             // number: smallest value allowed
	Max            *float64      `json:"max,omitempty"`             // number: largest value allowed
	Accept         []string      `json:"accept,omitempty"`          // for file: accepted media types
	MaxSize        int64         `json:"max_size,omitempty"`        // for file: bytes; 0 = DefaultMaxUpload
	Prefill        string        `json:"prefill,omitempty"`         // PrefillSources: from the citizen's identity
	VisibleIf      *Condition    `json:"visible_if,omitempty"`      // shown (and validated) only when the condition holds
	Fields         []FormField   `json:"fields,omitempty"`          // for group: the fields of one item
	MinItems       int           `json:"min_items,omitempty"`       // for group: fewest items (0 = optional unless Required)
	MaxItems       int           `json:"max_items,omitempty"`       // for group: most items; 0 = 10
}

// Condition makes a field visible only when an earlier field has one of some
// values (conditional visibility).
type Condition struct {
	Field  string   `json:"field"`            // name of an earlier field of the form (not in a group)
	Equals string   `json:"equals,omitempty"` // the value it must have
	In     []string `json:"in,omitempty"`     // or one of these values
}

// Holds reports whether the condition holds for the cleaned values.
func (c *Condition) Holds(values map[string]string) bool {
	if c == nil {
		return true
	}
	v := values[c.Field]
	if c.Equals != "" {
		return v == c.Equals
	}
	return v != "" && slices.Contains(c.In, v)
}

// FieldOption is one choice of a choice field.
type FieldOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

var fieldNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// DefaultMaxItems bounds a repeatable group without max_items.
const DefaultMaxItems = 10

// Items returns the most items of a group field.
func (fl FormField) Items() int {
	if fl.MaxItems > 0 {
		return fl.MaxItems
	}
	return DefaultMaxItems
}

// Fields returns every top-level field of every section, in order (the fields
// inside groups are in their group's Fields).
func (f *Form) Fields() []FormField {
	var out []FormField
	for _, s := range f.Sections {
		out = append(out, s.Fields...)
	}
	return out
}

// Field returns the top-level field named name.
func (f *Form) Field(name string) (FormField, bool) {
	for _, fl := range f.Fields() {
		if fl.Name == name {
			return fl, true
		}
	}
	return FormField{}, false
}

// InputKeys lists every key a submission of the form may carry besides files:
// field names, address parts (name.via…) and group items (name.0.sub…).
func (f *Form) InputKeys() []string {
	var out []string
	var add func(prefix string, fl FormField)
	add = func(prefix string, fl FormField) {
		key := prefix + fl.Name
		switch fl.Type {
		case FieldFile:
		case FieldAddress:
			for _, p := range AddressParts {
				out = append(out, key+"."+p)
			}
		case FieldGroup:
			for i := 0; i < fl.Items(); i++ {
				for _, sub := range fl.Fields {
					add(key+"."+strconv.Itoa(i)+".", sub)
				}
			}
		default:
			out = append(out, key)
		}
	}
	for _, fl := range f.Fields() {
		add("", fl)
	}
	return out
}

// Validate checks the form definition itself. Keys are paths such as
// "sections[0].fields[2].type".
func (f *Form) Validate() error {
	fe := FieldErrors{}
	seen := map[string]FieldType{}
	for si, s := range f.Sections {
		spath := fmt.Sprintf("sections[%d]", si)
		if strings.TrimSpace(s.Title) == "" {
			fe.Add(spath+".title", "titolo della sezione obbligatorio")
		}
		for fi, fl := range s.Fields {
			path := fmt.Sprintf("%s.fields[%d]", spath, fi)
			if _, dup := seen[fl.Name]; dup {
				fe.Add(path+".name", "nome del campo duplicato")
			}
			checkField(fe, path, fl, false)
			if c := fl.VisibleIf; c != nil {
				t, ok := seen[c.Field]
				switch {
				case !ok:
					fe.Add(path+".visible_if.field", fmt.Sprintf("il campo %q deve precedere questo campo nel modulo", c.Field))
				case t == FieldFile || t == FieldGroup || t == FieldAddress:
					fe.Add(path+".visible_if.field", "la condizione può dipendere solo da un campo semplice (non file, gruppo o indirizzo)")
				}
				if (c.Equals == "") == (len(c.In) == 0) {
					fe.Add(path+".visible_if", "indica equals oppure in")
				}
			}
			seen[fl.Name] = fl.Type
		}
	}
	return fe.Err()
}

func checkField(fe FieldErrors, path string, fl FormField, inGroup bool) {
	if !fieldNameRE.MatchString(fl.Name) {
		fe.Add(path+".name", "nome del campo non valido: lettere minuscole, cifre e trattini bassi")
	}
	if strings.TrimSpace(fl.Label) == "" {
		fe.Add(path+".label", "etichetta obbligatoria")
	}
	if !slices.Contains(FieldTypes, fl.Type) {
		fe.Add(path+".type", "tipo di campo sconosciuto: usa "+fieldTypeList())
		return
	}
	if fl.Type == FieldChoice && len(fl.Options) == 0 {
		fe.Add(path+".options", "un campo a scelta richiede delle opzioni")
	}
	if fl.Type != FieldChoice && len(fl.Options) > 0 {
		fe.Add(path+".options", "solo i campi di tipo choice hanno opzioni")
	}
	values := map[string]bool{}
	for i, o := range fl.Options {
		if strings.TrimSpace(o.Value) == "" || strings.TrimSpace(o.Label) == "" {
			fe.Add(fmt.Sprintf("%s.options[%d]", path, i), "ogni opzione richiede value e label")
		}
		if values[o.Value] {
			fe.Add(fmt.Sprintf("%s.options[%d].value", path, i), "valore duplicato")
		}
		values[o.Value] = true
	}
	if fl.MaxLength < 0 || fl.MaxLength > 20000 {
		fe.Add(path+".max_length", "lunghezza massima tra 1 e 20000 caratteri")
	}
	if fl.Pattern != "" {
		if fl.Type != FieldText && fl.Type != FieldTextarea {
			fe.Add(path+".pattern", "pattern vale solo per i campi text e textarea")
		} else if _, err := regexp.Compile(fl.Pattern); err != nil {
			fe.Add(path+".pattern", "espressione regolare non valida")
		}
	}
	if (fl.Min != nil || fl.Max != nil) && fl.Type != FieldNumber {
		fe.Add(path+".min", "min e max valgono solo per i campi number")
	}
	if fl.Min != nil && fl.Max != nil && *fl.Min > *fl.Max {
		fe.Add(path+".max", "max deve essere maggiore o uguale a min")
	}
	if fl.Type != FieldFile && (len(fl.Accept) > 0 || fl.MaxSize != 0) {
		fe.Add(path+".accept", "accept e max_size valgono solo per i campi file")
	}
	if fl.MaxSize < 0 || fl.MaxSize > 100<<20 {
		fe.Add(path+".max_size", "dimensione massima tra 1 byte e 100 MB")
	}
	for i, a := range fl.Accept {
		if !strings.Contains(a, "/") {
			fe.Add(fmt.Sprintf("%s.accept[%d]", path, i), "indica un tipo di file (media type), ad esempio application/pdf")
		}
	}
	if fl.Prefill != "" {
		switch {
		case !slices.Contains(PrefillSources, fl.Prefill):
			fe.Add(path+".prefill", "origine sconosciuta: usa "+strings.Join(PrefillSources, ", "))
		case fl.Type != FieldText && fl.Type != FieldEmail && fl.Type != FieldFiscalCode:
			fe.Add(path+".prefill", "si precompilano solo campi text, email e fiscal_code")
		}
	}
	if inGroup && fl.VisibleIf != nil {
		fe.Add(path+".visible_if", "i campi di un gruppo non hanno condizioni: metti la condizione sul gruppo")
	}
	if fl.Type == FieldGroup {
		if inGroup {
			fe.Add(path+".type", "un gruppo non può contenere altri gruppi")
			return
		}
		if len(fl.Fields) == 0 {
			fe.Add(path+".fields", "un gruppo ripetibile richiede dei campi")
		}
		if fl.MinItems < 0 || fl.MaxItems < 0 || fl.MaxItems > 50 || (fl.MaxItems > 0 && fl.MinItems > fl.MaxItems) {
			fe.Add(path+".max_items", "numero di elementi non valido: 0 ≤ min_items ≤ max_items ≤ 50")
		}
		seen := map[string]bool{}
		for i, sub := range fl.Fields {
			spath := fmt.Sprintf("%s.fields[%d]", path, i)
			if sub.Type == FieldFile {
				fe.Add(spath+".type", "un gruppo non può contenere file: usa un campo file fuori dal gruppo")
			}
			if seen[sub.Name] {
				fe.Add(spath+".name", "nome del campo duplicato")
			}
			seen[sub.Name] = true
			checkField(fe, spath, sub, true)
		}
	} else if len(fl.Fields) > 0 || fl.MinItems != 0 || fl.MaxItems != 0 {
		fe.Add(path+".fields", "fields, min_items e max_items valgono solo per i gruppi")
	}
}

func fieldTypeList() string {
	s := make([]string, len(FieldTypes))
	for i, t := range FieldTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// FileInfo describes an uploaded file for form validation.
type FileInfo struct {
	Filename   string
	MediaType  string
	SignedType string // for a verified signed envelope (.p7m): the media type of the document inside
	Size       int64
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
	capRE   = regexp.MustCompile(`^[0-9]{5}$`)
)

// ValidateValues checks submitted values and files against the form and returns
// the cleaned values (trimmed; unknown keys and fields hidden by their
// condition dropped; address and group fields also get a readable summary
// under their own name) or FieldErrors with an Italian message per key. It is
// the one validation used by web and API.
func (f *Form) ValidateValues(values map[string]string, files map[string]FileInfo) (map[string]string, error) {
	fe := FieldErrors{}
	out := map[string]string{}
	for _, fl := range f.Fields() {
		if !fl.VisibleIf.Holds(out) {
			continue
		}
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
			if len(fl.Accept) > 0 && !slices.Contains(fl.Accept, fi.MediaType) && (fi.SignedType == "" || !slices.Contains(fl.Accept, fi.SignedType)) {
				fe.Add(fl.Name, "Formato del file non accettato. Formati ammessi: "+acceptLabel(fl.Accept)+".")
			}
			continue
		}
		if fl.Type == FieldGroup {
			validateGroup(fl, values, out, fe)
			continue
		}
		validateValue("", fl, values, out, fe)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// validateGroup checks the items of a repeatable group: an item counts when
// any of its fields is filled; items are renumbered from 0 in out.
func validateGroup(fl FormField, values, out map[string]string, fe FieldErrors) {
	n := 0
	var summary []string
	for i := 0; i < fl.Items(); i++ {
		in := fl.Name + "." + strconv.Itoa(i) + "."
		filled := false
		for _, sub := range fl.Fields {
			for _, k := range valueKeys(in, sub) {
				if strings.TrimSpace(values[k]) != "" {
					filled = true
				}
			}
		}
		if !filled {
			continue
		}
		item := map[string]string{}
		before := len(fe)
		for _, sub := range fl.Fields {
			validateValue(in, sub, values, item, fe)
		}
		if len(fe) > before {
			continue
		}
		prefix := fl.Name + "." + strconv.Itoa(n) + "."
		var parts []string
		for _, sub := range fl.Fields {
			for k, v := range item {
				if k == in+sub.Name || strings.HasPrefix(k, in+sub.Name+".") {
					out[prefix+strings.TrimPrefix(k, in)] = v
				}
			}
			if v, ok := item[in+sub.Name]; ok {
				parts = append(parts, DisplayValue(sub, v))
			}
		}
		n++
		summary = append(summary, strconv.Itoa(n)+". "+strings.Join(parts, ", "))
	}
	min := fl.MinItems
	if fl.Required && min == 0 {
		min = 1
	}
	if n < min {
		if min == 1 {
			fe.Add(fl.Name, "Compila almeno un elemento.")
		} else {
			fe.Add(fl.Name, fmt.Sprintf("Compila almeno %d elementi.", min))
		}
		return
	}
	if n > 0 {
		out[fl.Name] = strings.Join(summary, "; ")
	}
}

// valueKeys lists the keys a non-file field reads under prefix.
func valueKeys(prefix string, fl FormField) []string {
	if fl.Type == FieldAddress {
		keys := make([]string, len(AddressParts))
		for i, p := range AddressParts {
			keys[i] = prefix + fl.Name + "." + p
		}
		return keys
	}
	return []string{prefix + fl.Name}
}

// validateValue checks one non-file, non-group field read under prefix and
// stores its cleaned value(s) in out under the same keys.
func validateValue(prefix string, fl FormField, values, out map[string]string, fe FieldErrors) {
	key := prefix + fl.Name
	if fl.Type == FieldAddress {
		validateAddress(key, fl, values, out, fe)
		return
	}
	v := strings.TrimSpace(values[key])
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		fe.Add(key, "Il testo contiene caratteri non validi.")
		return
	}
	if v == "" {
		if fl.Required {
			fe.Add(key, "Questo campo è obbligatorio.")
		}
		return
	}
	max := fl.MaxLength
	if max == 0 {
		max = 200
		if fl.Type == FieldTextarea {
			max = 4000
		}
	}
	if utf8.RuneCountInString(v) > max {
		fe.Add(key, fmt.Sprintf("Il testo non può superare %d caratteri.", max))
		return
	}
	switch fl.Type {
	case FieldText, FieldTextarea:
		if fl.Pattern != "" {
			if re, err := regexp.Compile(`^(?:` + fl.Pattern + `)$`); err == nil && !re.MatchString(v) {
				msg := fl.PatternMessage
				if msg == "" {
					msg = "Il valore non ha il formato richiesto."
				}
				fe.Add(key, msg)
				return
			}
		}
	case FieldEmail:
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
			fe.Add(key, "Inserisci un indirizzo e-mail valido, ad esempio nome@esempio.it.")
			return
		}
	case FieldPhone:
		if !phoneRE.MatchString(v) {
			fe.Add(key, "Inserisci un numero di telefono valido.")
			return
		}
	case FieldDate:
		if _, err := time.Parse("2006-01-02", v); err != nil {
			fe.Add(key, "Inserisci una data valida (gg/mm/aaaa).")
			return
		}
	case FieldNumber:
		n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			fe.Add(key, "Inserisci un numero.")
			return
		}
		if fl.Min != nil && n < *fl.Min {
			fe.Add(key, "Il numero deve essere almeno "+formatNumber(*fl.Min)+".")
			return
		}
		if fl.Max != nil && n > *fl.Max {
			fe.Add(key, "Il numero non può superare "+formatNumber(*fl.Max)+".")
			return
		}
	case FieldChoice:
		if !slices.ContainsFunc(fl.Options, func(o FieldOption) bool { return o.Value == v }) {
			fe.Add(key, "Scegli una delle opzioni proposte.")
			return
		}
	case FieldYesNo:
		if v != "si" && v != "no" {
			fe.Add(key, "Rispondi sì o no.")
			return
		}
	case FieldFiscalCode:
		cf, err := ValidateFiscalCode(v)
		if err != nil {
			fe.Add(key, ErrorMessage(err))
			return
		}
		v = cf
	case FieldVATNumber:
		p, err := ValidateVATNumber(v)
		if err != nil {
			fe.Add(key, ErrorMessage(err))
			return
		}
		v = p
	case FieldIBAN:
		iban, err := ValidateIBAN(v)
		if err != nil {
			fe.Add(key, ErrorMessage(err))
			return
		}
		v = iban
	}
	out[key] = v
}

// validateAddress checks the parts of an address; the Comune must be in the
// ISTAT list. out gets the parts, name.comune_istat and the one-line address.
func validateAddress(key string, fl FormField, values, out map[string]string, fe FieldErrors) {
	part := func(p string) string { return strings.TrimSpace(values[key+"."+p]) }
	via, civico, cap, comune := part("via"), part("civico"), part("cap"), part("comune")
	if via == "" && civico == "" && cap == "" && comune == "" {
		if fl.Required {
			fe.Add(key, "Inserisci l'indirizzo.")
		}
		return
	}
	ok := true
	for _, p := range []struct{ name, v, msg string }{
		{"via", via, "Indica la via o la piazza."},
		{"cap", cap, "Indica il CAP."},
		{"comune", comune, "Indica il Comune."},
	} {
		if p.v == "" {
			fe.Add(key+"."+p.name, p.msg)
			ok = false
		}
	}
	if utf8.RuneCountInString(via) > 200 || utf8.RuneCountInString(civico) > 20 || !utf8.ValidString(via+civico) {
		fe.Add(key+".via", "L'indirizzo è troppo lungo o contiene caratteri non validi.")
		ok = false
	}
	if cap != "" && !capRE.MatchString(cap) {
		fe.Add(key+".cap", "Il CAP è formato da 5 cifre.")
		ok = false
	}
	var m Municipality
	if comune != "" {
		switch found := ResolveMunicipality(comune); len(found) {
		case 0:
			fe.Add(key+".comune", "Comune non trovato nell'elenco ISTAT: controlla il nome.")
			ok = false
		case 1:
			m = found[0]
		default:
			labels := make([]string, len(found))
			for i, c := range found {
				labels[i] = c.Label()
			}
			fe.Add(key+".comune", "Più Comuni hanno questo nome: aggiungi la provincia, ad esempio "+strings.Join(labels, " o ")+".")
			ok = false
		}
	}
	if !ok {
		return
	}
	out[key+".via"], out[key+".civico"], out[key+".cap"] = via, civico, cap
	out[key+".comune"], out[key+".comune_istat"] = m.Label(), m.Code
	line := via
	if civico != "" {
		line += " " + civico
	}
	out[key] = line + ", " + cap + " " + m.Label()
}

func formatNumber(f float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(f, 'f', -1, 64), ".", ",")
}

// ValidateVATNumber checks an Italian partita IVA (11 digits, the last a check
// digit; an "IT" prefix and spaces are removed) and returns the 11 digits.
func ValidateVATNumber(s string) (string, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	s = strings.TrimPrefix(s, "IT")
	if len(s) != 11 || strings.Trim(s, "0123456789") != "" {
		return "", Errorf(EINVALID, "La partita IVA è formata da 11 cifre.")
	}
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if (10-sum%10)%10 != int(s[10]-'0') {
		return "", Errorf(EINVALID, "La partita IVA non è valida: controlla le cifre.")
	}
	return s, nil
}

// ValidateIBAN checks an IBAN (ISO 13616: country, check digits modulo 97;
// Italian IBANs have 27 characters) and returns it without spaces, upper case.
func ValidateIBAN(s string) (string, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) < 15 || len(s) > 34 || !isUpperAlpha(s[:2]) || strings.Trim(s[2:4], "0123456789") != "" {
		return "", Errorf(EINVALID, "Inserisci un IBAN valido, ad esempio IT60 X054 2811 1010 0000 0123 456.")
	}
	if strings.HasPrefix(s, "IT") && len(s) != 27 {
		return "", Errorf(EINVALID, "Un IBAN italiano è formato da 27 caratteri.")
	}
	rem := 0
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return "", Errorf(EINVALID, "L'IBAN contiene caratteri non ammessi.")
		}
	}
	if rem != 1 {
		return "", Errorf(EINVALID, "L'IBAN non è valido: controlla i caratteri.")
	}
	return s, nil
}

func isUpperAlpha(s string) bool {
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
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

// AcceptLabel names the accepted formats of a file field for people, e.g.
// "PDF, JPEG"; "" when any format is accepted.
func (fl FormField) AcceptLabel() string { return acceptLabel(fl.Accept) }
