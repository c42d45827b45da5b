// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ProcedureStatus is the life-cycle state of a procedure version.
type ProcedureStatus string

const (
	ProcedureDraft     ProcedureStatus = "draft"     // being edited; not offered to citizens
	ProcedurePublished ProcedureStatus = "published" // immutable; new cases use the newest one
	ProcedureRetired   ProcedureStatus = "retired"   // no new cases
)

// Label returns the Italian name of the status.
func (s ProcedureStatus) Label() string {
	switch s {
	case ProcedureDraft:
		return "Bozza"
	case ProcedurePublished:
		return "Pubblicata"
	case ProcedureRetired:
		return "Ritirata"
	}
	return string(s)
}

// Silence rules of Law 241/1990.
const (
	SilenceNone    = "none"             // the administration must decide expressly
	SilenceAssent  = "silenzio-assenso" // art. 20: silence means acceptance
	SilenceRefusal = "silenzio-rigetto" // silence means refusal
)

// Service states of a model (Modello Comuni "stato del servizio").
const (
	ServiceActive   = "attivo"     // offered to citizens
	ServiceInactive = "non-attivo" // described but not offered; StatusReason says why
)

// Dossier types of Allegato 5 (TipologiaFascicolo).
var DossierTypes = []string{"procedimento-amministrativo", "affare", "attivita", "persona-fisica", "persona-giuridica"}

// Document template keys a model may define besides its decisions.
const (
	DocReceipt            = "receipt"             // ricevuta (L. 241 art. 18-bis)
	DocStartNotice        = "start_notice"        // comunicazione di avvio (art. 8)
	DocIntegrationRequest = "integration_request" // richiesta di integrazioni (art. 2 c.7)
	DocNotice10bis        = "notice_10bis"        // preavviso di rigetto (art. 10-bis)
	DocDecision           = "decision"            // the provvedimento; its text comes from Decisions[outcome]
)

// ProcedureDefinition is a procedure model: everything that drives a procedure
// type (service page and art. 35 sheet, form, legal regime, workflow, documents,
// classification and retention). It is stored as JSON with its version and
// exchanged as YAML with the same field names; published versions never change
// (invariant 6).
type ProcedureDefinition struct {
	// Identity.
	ID           string      `json:"id"`                      // stable identifier across tenants, e.g. "accesso-documentale"
	ModelVersion string      `json:"version,omitempty"`       // the author's version of the model, "MAJOR.MINOR[.PATCH]"
	Title        string      `json:"title"`                   // ≤ 60 characters
	Summary      string      `json:"summary,omitempty"`       // ≤ 160 characters
	Status       string      `json:"status,omitempty"`        // ServiceActive (default) or ServiceInactive
	StatusReason string      `json:"status_reason,omitempty"` // why the service is not active
	Audience     string      `json:"audience,omitempty"`      // who may apply
	Category     string      `json:"category,omitempty"`      // catalogue category
	Provenance   *Provenance `json:"provenance,omitempty"`    // who wrote the model, under which licence

	// D.Lgs. 33/2013 art. 35 c.1.
	Description             string         `json:"description,omitempty"`               // a) what the service is
	LegalReferences         []string       `json:"legal_references,omitempty"`          // a) every legal reference
	OfficeCode              string         `json:"office"`                              // b) office responsible for the istruttoria (code)
	DecisionOffice          string         `json:"decision_office,omitempty"`           // c) office adopting the final act, if different (code)
	HowTo                   string         `json:"how_to,omitempty"`                    // d) "Come fare"
	Requirements            []string       `json:"requirements,omitempty"`              // d) documents to attach
	Forms                   []Link         `json:"forms,omitempty"`                     // d) forms and self-certification templates
	Channels                []string       `json:"channels,omitempty"`                  // d) other ways and places to apply
	OfficeHours             string         `json:"office_hours,omitempty"`              // d) opening hours of the counter
	Information             string         `json:"information,omitempty"`               // e) how to learn the state of one's case
	TermDays                int            `json:"term_days"`                           // f) legal term for an express decision, calendar days
	OtherTerms              []string       `json:"other_terms,omitempty"`               // f) any other relevant term
	Silence                 string         `json:"silence,omitempty"`                   // g) SilenceNone, SilenceAssent, SilenceRefusal
	SelfDeclaration         string         `json:"self_declaration,omitempty"`          // g) whether a self-declaration replaces the act
	Remedies                string         `json:"remedies,omitempty"`                  // h) administrative and judicial remedies
	OnlineService           *OnlineService `json:"online_service,omitempty"`            // i) the online service, or when it starts
	Costs                   string         `json:"costs,omitempty"`                     // l) "Quanto costa"
	Payments                []Payment      `json:"payments,omitempty"`                  // l) fees to pay with pagoPA
	PaymentMethods          string         `json:"payment_methods,omitempty"`           // l) how to pay
	SubstitutePower         string         `json:"substitute_power,omitempty"`          // m) holder of the substitute power
	SubstitutePowerContacts string         `json:"substitute_power_contacts,omitempty"` // m) how to reach them and activate the power

	// Legal regime (L. 241/1990).
	SCIA              *SCIARule   `json:"scia,omitempty"`               // set for a SCIA (art. 19): effective on filing
	SuspensionAllowed bool        `json:"suspension_allowed,omitempty"` // the term may be suspended once for integrations (art. 2 c.7)
	Extensions        []Extension `json:"extensions,omitempty"`         // extensions of the term the law allows

	// Front office and workflow.
	Form     Form               `json:"form"`
	Workflow *ProcedureWorkflow `json:"workflow,omitempty"` // nil: the default workflow (DefaultWorkflow)

	// Documents produced: templates with placeholders (see TemplatePlaceholders).
	Documents map[string]DocumentTemplate `json:"documents,omitempty"` // DocStartNotice, DocIntegrationRequest, DocNotice10bis, DocReceipt, or own keys
	Decisions map[string]string           `json:"decisions,omitempty"` // outcome (accolta, respinta, archiviata, ritirata) → text of the decision

	// Records management.
	Classification string         `json:"classification,omitempty"`  // titolario code, e.g. "I.6"
	DossierType    string         `json:"dossier_type,omitempty"`    // Allegato 5 TipologiaFascicolo; default procedimento-amministrativo
	RetentionYears int            `json:"retention_years,omitempty"` // default retention; 0 = permanent
	Retention      map[string]int `json:"retention,omitempty"`       // outcome → years, overriding RetentionYears; 0 = permanent
}

// Provenance says who authored a model and under which licence it may be reused
// (CAD art. 68-69).
type Provenance struct {
	Authority string `json:"authority"`     // authoring administration, e.g. "Comune di Esempio"
	Licence   string `json:"licence"`       // SPDX identifier, e.g. "CC-BY-4.0"
	URL       string `json:"url,omitempty"` // where the original is published
}

// Link is a titled link (a form to download, a page).
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// OnlineService describes art. 35 c.1 i): the online service. The service of
// procedo itself is used when URL is empty.
type OnlineService struct {
	Available  bool   `json:"available"`            // the service can be used online now
	URL        string `json:"url,omitempty"`        // an external online service
	Activation string `json:"activation,omitempty"` // when it will be activated, if not available
}

// Payment is a fee of the procedure (art. 35 c.1 l; pagoPA). A fixed fee and
// a variable fee with a Formula are paid with the application; any other
// variable fee is asked for by the office on the case.
type Payment struct {
	Description string      `json:"description"`        // e.g. "Imposta di bollo"
	Amount      float64     `json:"amount"`             // euro; 0 when Variable
	Causale     string      `json:"causale"`            // the reason printed on the notice; unique within the model
	Variable    bool        `json:"variable,omitempty"` // the amount depends on the application (see Note)
	Note        string      `json:"note,omitempty"`     // how the amount is computed
	Formula     *FeeFormula `json:"formula,omitempty"`  // for a variable fee: how the amount is computed from the form; nil = the office computes it
}

// AmountLabel formats the amount in Italian, e.g. "16,00 €", "1,20 € per m²
// al giorno, minimo 20,00 €" for a formula, or "importo variabile".
func (p Payment) AmountLabel() string {
	switch {
	case p.Formula != nil:
		return p.Formula.Label()
	case p.Variable:
		return "importo variabile"
	}
	return FormatEuro(p.Amount)
}

// FormatEuro formats euro in Italian, e.g. 1234.5 → "1.234,50 €".
func FormatEuro(v float64) string {
	cents := int64(math.Round(v * 100))
	s := strconv.FormatInt(cents/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return fmt.Sprintf("%s,%02d €", s, cents%100)
}

// SCIARule is the regime of a segnalazione certificata di inizio attività
// (L. 241/1990 art. 19): the activity may start on filing and the
// administration may forbid it only within the control window.
type SCIARule struct {
	ControlDays int `json:"control_days"` // 60, or 30 for building
}

// Extension is an extension of the term the law allows (e.g. art. 2 c.4 up to
// 180 days; pareri, art. 16-17).
type Extension struct {
	Days   int    `json:"days"`   // days added to the term
	Reason string `json:"reason"` // when it applies, with the legal reference
}

// DocumentTemplate is the text of a document the procedure produces, with
// placeholders such as {{richiedente}} (see TemplatePlaceholders).
type DocumentTemplate struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Outcomes of a case (the Italian words of the model).
const (
	OutcomeAccepted  = "accolta"
	OutcomeRejected  = "respinta"
	OutcomeArchived  = "archiviata"
	OutcomeWithdrawn = "ritirata"
)

// Outcomes lists the outcomes in display order.
var Outcomes = []string{OutcomeAccepted, OutcomeRejected, OutcomeArchived, OutcomeWithdrawn}

var (
	modelVersionRE   = regexp.MustCompile(`^[0-9]{1,4}(\.[0-9]{1,4}){0,2}$`)
	classificationRE = regexp.MustCompile(`^[IVX]{1,5}(\.[0-9]{1,3}){0,3}$`)
	officeCodeRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	templateKeyRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	licenceRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]{1,40}$`)
)

// Validate checks the rules that need no database. Problems are FieldErrors
// keyed by the path of the field in the model, e.g. "form.sections[0].title".
func (d *ProcedureDefinition) Validate() error {
	fe := FieldErrors{}
	if !slugRE.MatchString(d.ID) {
		fe.Add("id", "identificativo non valido: lettere minuscole, cifre e trattini")
	}
	if d.ModelVersion != "" && !modelVersionRE.MatchString(d.ModelVersion) {
		fe.Add("version", "versione non valida: usa numeri separati da punti, ad esempio 1.2")
	}
	if t := strings.TrimSpace(d.Title); t == "" || len([]rune(t)) > 60 {
		fe.Add("title", "il titolo è obbligatorio e non può superare 60 caratteri")
	}
	if len([]rune(d.Summary)) > 160 {
		fe.Add("summary", "la descrizione breve non può superare 160 caratteri")
	}
	switch d.Status {
	case "", ServiceActive:
	case ServiceInactive:
		if strings.TrimSpace(d.StatusReason) == "" {
			fe.Add("status_reason", "indica perché il servizio non è attivo")
		}
	default:
		fe.Add("status", "stato sconosciuto: usa attivo o non-attivo")
	}
	if p := d.Provenance; p != nil {
		if strings.TrimSpace(p.Authority) == "" {
			fe.Add("provenance.authority", "indica l'amministrazione autrice del modello")
		}
		if !licenceRE.MatchString(p.Licence) {
			fe.Add("provenance.licence", "indica la licenza con il suo identificativo SPDX, ad esempio CC-BY-4.0")
		}
		if p.URL != "" && !validURL(p.URL) {
			fe.Add("provenance.url", "indirizzo non valido: usa un URL https://")
		}
	}
	for i, r := range d.LegalReferences {
		if strings.TrimSpace(r) == "" {
			fe.Add(fmt.Sprintf("legal_references[%d]", i), "riferimento normativo vuoto")
		}
	}
	if d.OfficeCode == "" {
		fe.Add("office", "l'ufficio responsabile è obbligatorio")
	} else if !officeCodeRE.MatchString(d.OfficeCode) {
		fe.Add("office", "codice dell'ufficio non valido: da 1 a 32 lettere, cifre, trattini")
	}
	if d.DecisionOffice != "" && !officeCodeRE.MatchString(d.DecisionOffice) {
		fe.Add("decision_office", "codice dell'ufficio non valido: da 1 a 32 lettere, cifre, trattini")
	}
	for i, l := range d.Forms {
		if strings.TrimSpace(l.Title) == "" {
			fe.Add(fmt.Sprintf("forms[%d].title", i), "il titolo del modulo è obbligatorio")
		}
		if !validURL(l.URL) {
			fe.Add(fmt.Sprintf("forms[%d].url", i), "indirizzo non valido: usa un URL https://")
		}
	}
	if d.TermDays <= 0 || d.TermDays > 3650 {
		fe.Add("term_days", "il termine deve essere tra 1 e 3650 giorni")
	}
	switch d.Silence {
	case "", SilenceNone, SilenceAssent, SilenceRefusal:
	default:
		fe.Add("silence", "regola del silenzio sconosciuta: usa none, silenzio-assenso o silenzio-rigetto")
	}
	if o := d.OnlineService; o != nil {
		if o.URL != "" && !validURL(o.URL) {
			fe.Add("online_service.url", "indirizzo non valido: usa un URL https://")
		}
		if !o.Available && strings.TrimSpace(o.Activation) == "" {
			fe.Add("online_service.activation", "indica quando il servizio online sarà attivato")
		}
	}
	causali := map[string]int{}
	for i, p := range d.Payments {
		path := fmt.Sprintf("payments[%d]", i)
		if strings.TrimSpace(p.Description) == "" {
			fe.Add(path+".description", "descrivi il pagamento")
		}
		if strings.TrimSpace(p.Causale) == "" || len([]rune(p.Causale)) > 140 {
			fe.Add(path+".causale", "la causale è obbligatoria e non può superare 140 caratteri")
		} else if j, dup := causali[strings.TrimSpace(p.Causale)]; dup {
			fe.Add(path+".causale", fmt.Sprintf("causale uguale a quella di payments[%d]: ogni pagamento deve avere una causale diversa", j))
		} else {
			causali[strings.TrimSpace(p.Causale)] = i
		}
		switch {
		case p.Amount < 0 || p.Amount > 1e7 || math.Abs(p.Amount*100-math.Round(p.Amount*100)) > 1e-6:
			fe.Add(path+".amount", "importo non valido: euro con al massimo due decimali")
		case p.Formula != nil && !p.Variable:
			fe.Add(path+".variable", "un importo calcolato con formula è variabile: aggiungi variable: true")
		case p.Formula != nil && p.Amount != 0:
			fe.Add(path+".amount", "con formula l'importo si calcola dal modulo: togli amount o indica 0")
		case p.Variable && strings.TrimSpace(p.Note) == "":
			fe.Add(path+".note", "spiega come si calcola un importo variabile")
		case !p.Variable && p.Amount == 0:
			fe.Add(path+".amount", "indica l'importo, oppure variable: true")
		}
		if p.Formula != nil {
			for k, v := range p.Formula.problems(&d.Form) {
				fe.Add(path+"."+k, v)
			}
		}
	}
	if s := d.SCIA; s != nil {
		if s.ControlDays <= 0 || s.ControlDays > 365 {
			fe.Add("scia.control_days", "il periodo di controllo deve essere tra 1 e 365 giorni (di norma 60, 30 in edilizia)")
		} else if d.TermDays != s.ControlDays {
			fe.Add("term_days", "per una SCIA il termine coincide con il periodo di controllo (scia.control_days)")
		}
		if d.Silence == SilenceAssent || d.Silence == SilenceRefusal {
			fe.Add("silence", "una SCIA è efficace dalla presentazione: la regola del silenzio deve essere none")
		}
	}
	for i, e := range d.Extensions {
		if e.Days <= 0 || e.Days > 3650 {
			fe.Add(fmt.Sprintf("extensions[%d].days", i), "la proroga deve essere tra 1 e 3650 giorni")
		}
		if strings.TrimSpace(e.Reason) == "" {
			fe.Add(fmt.Sprintf("extensions[%d].reason", i), "indica quando si applica la proroga")
		}
	}
	if err := d.Form.Validate(); err != nil {
		for k, v := range FieldErrorsOf(err) {
			fe.Add("form."+k, v)
		}
	}
	if d.Workflow != nil {
		for k, v := range d.Workflow.problems(d) {
			fe.Add("workflow."+k, v)
		}
	}
	for _, k := range sortedKeys(d.Documents) {
		t := d.Documents[k]
		path := "documents." + k
		if !templateKeyRE.MatchString(k) || k == DocDecision {
			fe.Add(path, "nome del documento non valido: lettere minuscole, cifre e trattini bassi (decision è riservato)")
		}
		if strings.TrimSpace(t.Title) == "" {
			fe.Add(path+".title", "il titolo del documento è obbligatorio")
		}
		if strings.TrimSpace(t.Text) == "" {
			fe.Add(path+".text", "il testo del documento è obbligatorio")
		} else if bad := unknownPlaceholders(t.Text, d); len(bad) > 0 {
			fe.Add(path+".text", "segnaposto sconosciuti: "+strings.Join(bad, ", "))
		}
	}
	for _, k := range sortedKeys(d.Decisions) {
		path := "decisions." + k
		if !slices.Contains(Outcomes, k) {
			fe.Add(path, "esito sconosciuto: usa accolta, respinta, archiviata o ritirata")
		} else if strings.TrimSpace(d.Decisions[k]) == "" {
			fe.Add(path, "il testo del provvedimento è vuoto")
		} else if bad := unknownPlaceholders(d.Decisions[k], d); len(bad) > 0 {
			fe.Add(path, "segnaposto sconosciuti: "+strings.Join(bad, ", "))
		}
	}
	if d.Classification != "" && !classificationRE.MatchString(d.Classification) {
		fe.Add("classification", "indice di classificazione non valido: titolo romano e classi, ad esempio VI.3")
	}
	if d.DossierType != "" && !slices.Contains(DossierTypes, d.DossierType) {
		fe.Add("dossier_type", "tipologia di fascicolo sconosciuta: "+strings.Join(DossierTypes, ", "))
	}
	if d.RetentionYears < 0 || d.RetentionYears > 200 {
		fe.Add("retention_years", "la conservazione deve essere tra 0 (illimitata) e 200 anni")
	}
	for _, k := range sortedKeys(d.Retention) {
		if !slices.Contains(Outcomes, k) {
			fe.Add("retention."+k, "esito sconosciuto: usa accolta, respinta, archiviata o ritirata")
		} else if y := d.Retention[k]; y < 0 || y > 200 {
			fe.Add("retention."+k, "la conservazione deve essere tra 0 (illimitata) e 200 anni")
		}
	}
	return fe.Err()
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SilenceLabel explains in Italian what silence means for this procedure.
func (d *ProcedureDefinition) SilenceLabel() string {
	switch {
	case d.SCIA != nil:
		return fmt.Sprintf("Segnalazione certificata di inizio attività: l'attività può iniziare dalla presentazione; l'amministrazione può vietarne la prosecuzione entro %s (L. 241/1990, art. 19).", FormatDays(d.SCIA.ControlDays))
	case d.Silence == SilenceAssent:
		return "Silenzio-assenso: se l'amministrazione non risponde entro il termine, la domanda si intende accolta (L. 241/1990, art. 20)."
	case d.Silence == SilenceRefusal:
		return "Silenzio-rigetto: se l'amministrazione non risponde entro il termine, la domanda si intende respinta."
	default:
		return "L'amministrazione deve concludere il procedimento con un provvedimento espresso entro il termine (L. 241/1990, art. 2). In caso di inerzia puoi rivolgerti al titolare del potere sostitutivo."
	}
}

// Active reports whether the service is offered (status attivo or unset).
func (d *ProcedureDefinition) Active() bool { return d.Status == "" || d.Status == ServiceActive }

// DossierTypeOrDefault returns the dossier type, procedimento-amministrativo by default.
func (d *ProcedureDefinition) DossierTypeOrDefault() string {
	if d.DossierType == "" {
		return DossierTypes[0]
	}
	return d.DossierType
}

// RetentionFor returns the retention in years of a case closed with outcome
// (0 = permanent): the model's rule for that outcome, else RetentionYears.
func (d *ProcedureDefinition) RetentionFor(outcome string) int {
	if y, ok := d.Retention[outcome]; ok {
		return y
	}
	return d.RetentionYears
}

// CompareModelVersions compares two model versions numerically ("1.10" >
// "1.9"; a missing part counts as 0; "" is the oldest): -1, 0 or +1.
func CompareModelVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case a == "" && b != "":
		return -1
	case a != "" && b == "":
		return 1
	}
	return 0
}

// ProcedureType is a procedure offered by a tenant; its versions hold the model.
type ProcedureType struct {
	ID        int64
	TenantID  int64
	Key       string // = ProcedureDefinition.ID
	Title     string
	CreatedAt time.Time
	// Summary of the versions, filled by FindProcedureTypes.
	Published    *ProcedureVersion // newest published version; nil if none
	Draft        *ProcedureVersion // the draft being edited; nil if none
	VersionCount int               // number of versions
}

// ProcedureVersion is one version of a procedure type's model.
type ProcedureVersion struct {
	ID              int64
	TenantID        int64
	ProcedureTypeID int64
	Key             string
	Version         int // 1, 2, … within the procedure type of this tenant
	Status          ProcedureStatus
	Definition      ProcedureDefinition
	Source          string // the YAML the version was written in, if any; "" = none kept
	PublishedAt     *time.Time
	CreatedAt       time.Time
	// Cases and OpenCases count the cases running on this version; filled by
	// FindProcedureVersions.
	Cases, OpenCases int
}

// ProcedureService manages the procedure catalogue of the tenant in ctx.
type ProcedureService interface {
	// FindPublishedProcedures lists the newest published version of each
	// procedure type, by title. Anyone may call it.
	FindPublishedProcedures(ctx context.Context) ([]*ProcedureVersion, error)
	// FindPublishedProcedure returns the newest published version of key, or ENOTFOUND.
	FindPublishedProcedure(ctx context.Context, key string) (*ProcedureVersion, error)
	// FindProcedureVersionByID returns a version, or ENOTFOUND. Drafts are
	// returned to admins only (ENOTFOUND for others).
	FindProcedureVersionByID(ctx context.Context, id int64) (*ProcedureVersion, error)
	// PublishProcedure stores def as a new published version of its procedure type
	// (creating the type if needed) and returns it. Admins (or system) only.
	// EINVALID for a bad definition or an office that does not exist;
	// ECONFLICT while the type has a draft.
	PublishProcedure(ctx context.Context, def *ProcedureDefinition) (*ProcedureVersion, error)

	// FindProcedureTypes lists every procedure type of the tenant with its
	// newest published version and its draft, by title. Admins only.
	FindProcedureTypes(ctx context.Context) ([]*ProcedureType, error)
	// FindProcedureVersions lists the versions of key, oldest first, with the
	// number of cases on each. Admins only; ENOTFOUND for an unknown key.
	FindProcedureVersions(ctx context.Context, key string) ([]*ProcedureVersion, error)
	// FindProcedureVersion returns version n of key. Published versions are
	// public; drafts are for admins only (ENOTFOUND for others).
	FindProcedureVersion(ctx context.Context, key string, n int) (*ProcedureVersion, error)
	// CreateDraft stores def as a new draft version of its procedure type,
	// creating the type if needed; source is the YAML it came from ("" if none).
	// Admins only. EINVALID for a bad definition; ECONFLICT if the type
	// already has a draft.
	CreateDraft(ctx context.Context, def *ProcedureDefinition, source string) (*ProcedureVersion, error)
	// UpdateDraft replaces the model of draft version id. Admins only.
	// EINVALID for a bad definition or a changed identifier; ECONFLICT if the
	// version is not a draft (published versions are immutable).
	UpdateDraft(ctx context.Context, id int64, def *ProcedureDefinition, source string) (*ProcedureVersion, error)
	// PublishDraft publishes draft version id: from now on new cases use it.
	// Admins only. EINVALID if its office does not exist; ECONFLICT if it is
	// not a draft.
	PublishDraft(ctx context.Context, id int64) (*ProcedureVersion, error)
	// DeleteDraft removes draft version id. Admins only. ECONFLICT if it is
	// not a draft.
	DeleteDraft(ctx context.Context, id int64) error
	// ImportProcedures plans the import of defs (a package) into the tenant
	// and, unless dryRun, carries it out in one transaction: each new or newer
	// model becomes a draft to localise and publish. Admins only. A package with
	// any problem is refused whole: EINVALID with FieldErrors keyed by
	// "models[i].path".
	ImportProcedures(ctx context.Context, defs []*ProcedureDefinition, dryRun bool) (*ImportPlan, error)
}

// ModelCodec reads and writes procedure models in their portable forms. It is
// implemented by package library; web and api receive it from the wiring.
type ModelCodec interface {
	// ParseModels reads a YAML (or JSON) file holding one model or a package
	// of models and validates each. On problems it returns ModelProblems
	// (code EINVALID) listing every problem with its line and path.
	ParseModels(name string, src []byte) ([]*ProcedureDefinition, error)
	// FormatModels writes defs as YAML: one model, or a package if several.
	FormatModels(defs ...*ProcedureDefinition) ([]byte, error)
	// WorkflowBPMN returns the workflow of def as BPMN 2.0 XML with its
	// diagram (shapes and edges).
	WorkflowBPMN(def *ProcedureDefinition) ([]byte, error)
	// JSONSchema returns the JSON Schema of the model format.
	JSONSchema() []byte
}

// ModelProblem is one problem of a model file.
type ModelProblem struct {
	File    string // file name as given
	Line    int    // 1-based; 0 when unknown
	Path    string // e.g. "form.sections[0].fields[2].type"; "" for the whole file
	Message string // Italian, user-safe
}

// String formats the problem as FILE:LINE: PATH: message.
func (p ModelProblem) String() string {
	s := p.File + ":" + strconv.Itoa(p.Line) + ": "
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.Message
}

// ModelProblems is every problem found in a model file. As an error its code is
// EINVALID and FieldErrorsOf returns the problems keyed by path.
type ModelProblems []ModelProblem

// Error implements error with one problem per line.
func (ps ModelProblems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the problems as FieldErrors (code EINVALID).
func (ps ModelProblems) Unwrap() error {
	fe := FieldErrors{}
	for _, p := range ps {
		key := p.Path
		if key == "" {
			key = "file"
		}
		msg := p.Message
		if p.Line > 0 {
			msg = "riga " + strconv.Itoa(p.Line) + ": " + msg
		}
		fe.Add(key, msg)
	}
	return fe
}
