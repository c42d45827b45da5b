// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strconv"
	"strings"
	"time"
)

// DocSilenceAttestation is the key of the attestation of the silenzio-assenso
// (art. 20 c.2-bis), which procedo issues for every silenzio-assenso model.
const DocSilenceAttestation = "silence_attestation"

// Kinds of the documents of a case besides those of document.go.
const (
	DocumentNotice DocumentKind = "notice" // a communication issued on a case (start notice, integration request, 10-bis, attestation, model documents)
	DocumentAnswer DocumentKind = "answer" // the applicant's answer or request (its text as PDF)
)

// CaseAct is a document procedo issues on a case (an atto): a communication
// of a transition (start notice, integration request, 10-bis notice, a
// model's own document), the decision, or the attestation of the
// silenzio-assenso. Its text is the model's template (Documents[Key], or
// Decisions[outcome] for a decision) with the placeholders filled
// (RenderTemplateText), the operator's edited Text, or a standard Italian
// text per kind when the model has none.
type CaseAct struct {
	Tenant     *Tenant
	Case       *Case
	Definition *ProcedureDefinition
	OrgUnit    *OrgUnit
	Filing     *Registration     // the registration of the application (protocollo); may be nil
	Form       map[string]string // the application's form values ({{campo.NAME}})
	Clock      *CaseClock        // the clock on the day of the act, before the transition
	Key        string            // DocDecision, DocStartNotice, DocIntegrationRequest, DocNotice10bis, DocSilenceAttestation or a key of Definition.Documents
	Transition Transition        // the transition issuing it (zero for the attestation)
	Reason     string            // the operator's motivation ({{motivazione}})
	Text       string            // edited text replacing the template; "" = template or standard text
	Signer     string            // who signs: the actor
	At         time.Time         // time of issue
	BaseURL    string            // public URL of the installation (citizen area links)
}

// Outcome returns the outcome of a decision act, or "".
func (a *CaseAct) Outcome() string { return a.Transition.To.Outcome() }

// Kind returns the document kind: decision for decisions, notice otherwise.
func (a *CaseAct) Kind() DocumentKind {
	if a.Key == DocDecision {
		return DocumentDecision
	}
	return DocumentNotice
}

// Late reports whether a decision comes after the due date or after the
// silenzio-assenso formed (art. 2 c.9-quinquies, art. 2 c.8-bis).
func (a *CaseAct) Late() bool {
	if a.Key != DocDecision {
		return false
	}
	if !a.Case.SilenceFormedOn.IsZero() {
		return true
	}
	return a.Clock != nil && a.Clock.Overdue
}

// ForApplicant reports whether the act is addressed to the applicant (shown in
// the citizen area): decisions, the standard communications, the attestation,
// and any document of a transition that notifies the applicant. Others (a
// request for an opinion) are internal.
func (a *CaseAct) ForApplicant() bool {
	switch a.Key {
	case DocDecision, DocStartNotice, DocIntegrationRequest, DocNotice10bis, DocSilenceAttestation:
		return true
	}
	return a.Transition.NotifyApplicant
}

// Title returns the document's title.
func (a *CaseAct) Title() string {
	if t, ok := a.Definition.Documents[a.Key]; ok && a.Key != DocDecision {
		return t.Title
	}
	switch a.Key {
	case DocStartNotice:
		return "Comunicazione di avvio del procedimento"
	case DocIntegrationRequest:
		return "Richiesta di integrazioni"
	case DocNotice10bis:
		return "Comunicazione dei motivi ostativi all'accoglimento dell'istanza"
	case DocSilenceAttestation:
		return "Attestazione di formazione del silenzio-assenso"
	case DocDecision:
		switch a.Transition.To {
		case CaseAccepted:
			return "Provvedimento di accoglimento"
		case CaseRejected:
			if a.Case.Regime == RegimeSCIA {
				return "Provvedimento di divieto di prosecuzione dell'attività"
			}
			return "Provvedimento di diniego"
		case CaseArchived:
			return "Provvedimento di archiviazione"
		case CaseWithdrawn:
			return "Presa d'atto della rinuncia"
		}
		return "Provvedimento"
	}
	return "Comunicazione"
}

// Filename returns the file name of the PDF, e.g. "provvedimento-12.pdf".
func (a *CaseAct) Filename() string {
	name := strings.ReplaceAll(a.Key, "_", "-")
	switch a.Key {
	case DocDecision:
		name = "provvedimento"
	case DocStartNotice:
		name = "comunicazione-avvio"
	case DocIntegrationRequest:
		name = "richiesta-integrazioni"
	case DocNotice10bis:
		name = "preavviso-rigetto"
	case DocSilenceAttestation:
		name = "attestazione-silenzio-assenso"
	}
	return name + "-" + itoa64(a.Case.ID) + ".pdf"
}

// due returns the due date of the act's clock, or of the case.
func (a *CaseAct) due() Date {
	if a.Clock != nil {
		return a.Clock.Due
	}
	return a.Case.DueDate
}

// Vars returns the values of the placeholders (TemplatePlaceholders).
func (a *CaseAct) Vars() map[string]string {
	cas, def := a.Case, a.Definition
	v := map[string]string{
		"ente": a.Tenant.Name, "procedimento": def.Title, "richiedente": cas.ApplicantName,
		"codice_fiscale": cas.ApplicantFiscalCode, "oggetto": cas.Subject, "numero_pratica": itoa64(cas.ID),
		"data_presentazione": cas.StartDate.Italian(), "termine": strconv.Itoa(cas.TermDays),
		"scadenza": a.due().Italian(), "motivazione": a.Reason, "data": DateOf(a.At).Italian(),
		"rimedi": def.Remedies, "potere_sostitutivo": def.SubstitutePower, "responsabile": a.responsible(),
	}
	if a.OrgUnit != nil {
		v["ufficio"] = a.OrgUnit.Name
	} else {
		v["ufficio"] = cas.OrgUnitName
	}
	if a.Filing != nil {
		v["protocollo"] = a.Filing.Signature()
	}
	for k, val := range a.Form {
		v["campo."+k] = val
	}
	return v
}

// responsible names the responsabile del procedimento: the assigned person,
// else the head of the office (L. 241/1990 art. 5 c.2).
func (a *CaseAct) responsible() string {
	if a.Case.ResponsibleName != "" {
		return a.Case.ResponsibleName
	}
	if a.OrgUnit != nil && a.OrgUnit.Head != "" {
		return a.OrgUnit.Head
	}
	return "il dirigente dell'ufficio"
}

// template returns the model's text for the act, if any.
func (a *CaseAct) template() (string, bool) {
	if a.Key == DocDecision {
		t, ok := a.Definition.Decisions[a.Outcome()]
		return t, ok && strings.TrimSpace(t) != ""
	}
	t, ok := a.Definition.Documents[a.Key]
	return t.Text, ok && strings.TrimSpace(t.Text) != ""
}

// Body returns the main text of the act: Text if set, else the model's
// template rendered, else the standard text.
func (a *CaseAct) Body() string {
	if strings.TrimSpace(a.Text) != "" {
		return strings.TrimSpace(a.Text)
	}
	if t, ok := a.template(); ok {
		return strings.TrimSpace(RenderTemplateText(t, a.Vars()))
	}
	return RenderTemplateText(a.standardText(), a.Vars())
}

// standardText is the text used when the model has no template for the act.
func (a *CaseAct) standardText() string {
	switch a.Key {
	case DocStartNotice:
		return "Ai sensi degli articoli 7 e 8 della legge 7 agosto 1990, n. 241, si comunica a {{richiedente}} l'avvio del " +
			"procedimento «{{procedimento}}» relativo all'istanza presentata il {{data_presentazione}} (protocollo {{protocollo}}), " +
			"avente a oggetto: {{oggetto}}."
	case DocIntegrationRequest:
		return "Con riferimento all'istanza presentata il {{data_presentazione}} (protocollo {{protocollo}}), ai sensi dell'art. 2, " +
			"comma 7, della legge 7 agosto 1990, n. 241, si chiede di integrare la documentazione come segue: {{motivazione}}\n\n" +
			"Il termine del procedimento è sospeso dalla data di questa comunicazione fino alla ricezione delle integrazioni, e " +
			"comunque per non più di 30 giorni. Le integrazioni si inviano dall'area personale, nella pagina della pratica n. " +
			"{{numero_pratica}}."
	case DocNotice10bis:
		return "Ai sensi dell'art. 10-bis della legge 7 agosto 1990, n. 241, prima dell'adozione del provvedimento negativo si " +
			"comunicano a {{richiedente}} i motivi che ostano all'accoglimento dell'istanza presentata il {{data_presentazione}} " +
			"(protocollo {{protocollo}}): {{motivazione}}\n\n" +
			"Entro 10 giorni dal ricevimento di questa comunicazione è possibile presentare per iscritto osservazioni, " +
			"eventualmente corredate da documenti, dall'area personale. La comunicazione sospende il termine del procedimento, " +
			"che riprende a decorrere dieci giorni dopo la presentazione delle osservazioni o, in mancanza, dalla scadenza dei 10 giorni."
	case DocSilenceAttestation:
		return "Si attesta che sull'istanza presentata da {{richiedente}} (codice fiscale {{codice_fiscale}}) il " +
			"{{data_presentazione}} (protocollo {{protocollo}}), avente a oggetto: {{oggetto}}, il termine di {{termine}} giorni " +
			"per la conclusione del procedimento è decorso il {{scadenza}} senza che l'amministrazione abbia adottato un " +
			"provvedimento di diniego. Ai sensi dell'art. 20 della legge 7 agosto 1990, n. 241, il silenzio dell'amministrazione " +
			"equivale a provvedimento di accoglimento della domanda. Attestazione rilasciata ai sensi dell'art. 20, comma 2-bis."
	case DocDecision:
		verb := "ACCOGLIE"
		switch a.Transition.To {
		case CaseRejected:
			verb = "RESPINGE"
		case CaseArchived:
			verb = "ARCHIVIA"
		case CaseWithdrawn:
			verb = "PRENDE ATTO DELLA RINUNCIA AL"
		}
		return "Vista l'istanza presentata da {{richiedente}} (codice fiscale {{codice_fiscale}}) il {{data_presentazione}} " +
			"(protocollo {{protocollo}}), avente a oggetto: {{oggetto}}, il responsabile del procedimento " + verb +
			" l'istanza." + ifNotEmpty(a.Reason, "\n\nMotivazione: {{motivazione}}")
	}
	return "Con riferimento alla pratica n. {{numero_pratica}} ({{procedimento}}), presentata da {{richiedente}} il " +
		"{{data_presentazione}}, si comunica quanto segue: {{motivazione}}"
}

func ifNotEmpty(cond, s string) string {
	if strings.TrimSpace(cond) == "" {
		return ""
	}
	return s
}

// TimeTaken returns the calendar days from the start of the case to the act.
func (a *CaseAct) TimeTaken() int { return a.Case.StartDate.DaysUntil(DateOf(a.At)) }

// LateStatement is the statement a late decision must carry (art. 2 c.9-quinquies):
// the legal term and the time actually taken; "" when not late.
func (a *CaseAct) LateStatement() string {
	if !a.Late() {
		return ""
	}
	s := "Ai sensi dell'art. 2, comma 9-quinquies, della legge 7 agosto 1990, n. 241: il termine previsto per la conclusione del " +
		"procedimento è di " + FormatDays(a.Case.TermDays) + " (scadenza " + a.due().Italian() + "); il tempo effettivamente " +
		"impiegato è di " + FormatDays(a.TimeTaken()) + " dalla presentazione dell'istanza"
	if a.Clock != nil && a.Clock.SuspendedDays > 0 {
		s += ", di cui " + FormatDays(a.Clock.SuspendedDays) + " di sospensione"
	}
	s += "."
	if !a.Case.SilenceFormedOn.IsZero() {
		s += " Il silenzio-assenso si era formato il " + a.Case.SilenceFormedOn.Italian() +
			": il presente provvedimento è adottato dopo la formazione del silenzio (art. 2, comma 8-bis)."
	}
	return s
}

// PrintDocument describes the act for the Renderer.
func (a *CaseAct) PrintDocument() *PrintDocument {
	cas, def := a.Case, a.Definition
	var lines []string
	if a.OrgUnit != nil {
		lines = append(lines, a.OrgUnit.Name)
	}
	d := &PrintDocument{Issuer: a.Tenant.Name, IssuerLines: lines, Title: a.Title(), Subtitle: def.Title, Demo: a.Tenant.Demo,
		Footer: "Pratica n. " + itoa64(cas.ID) + " — documento registrato al protocollo in uscita"}
	refs := []PrintField{
		{"Destinatario", cas.ApplicantName + " (" + cas.ApplicantFiscalCode + ")"},
		{"Pratica", "n. " + itoa64(cas.ID) + " — " + cas.Subject},
		{"Data di presentazione", cas.StartDate.Italian()},
	}
	if a.Filing != nil {
		refs = append(refs, PrintField{"Protocollo dell'istanza", a.Filing.Signature()})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Riferimenti", Fields: refs})
	heading := "Comunicazione"
	if a.Key == DocDecision {
		heading = "Decisione"
	}
	d.Sections = append(d.Sections, PrintSection{Heading: heading, Paragraphs: paragraphs(a.Body())})
	if a.Key == DocDecision && a.Reason != "" && !strings.Contains(a.Body(), a.Reason) {
		d.Sections = append(d.Sections, PrintSection{Heading: "Motivazione", Paragraphs: paragraphs(a.Reason)})
	}
	if a.Key == DocStartNotice {
		d.Sections = append(d.Sections, a.startNoticeSection())
	}
	if s := a.LateStatement(); s != "" {
		d.Sections = append(d.Sections, PrintSection{Heading: "Termine del procedimento", Paragraphs: []string{s}})
	}
	if a.Key == DocDecision && def.Remedies != "" {
		d.Sections = append(d.Sections, PrintSection{Heading: "Rimedi", Paragraphs: []string{def.Remedies}})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Firma", Fields: []PrintField{
		{"Data", a.At.In(Rome).Format("02/01/2006")},
		{"Il responsabile", a.Signer},
	}})
	return d
}

// startNoticeSection lists what art. 8 c.2 requires the start notice to say.
func (a *CaseAct) startNoticeSection() PrintSection {
	cas, def := a.Case, a.Definition
	office := cas.OrgUnitName
	if a.OrgUnit != nil {
		office = a.OrgUnit.Name
		if a.OrgUnit.Email != "" {
			office += " (" + a.OrgUnit.Email + ")"
		}
	}
	inertia := "Decorso inutilmente il termine, puoi rivolgerti al titolare del potere sostitutivo"
	if def.SubstitutePower != "" {
		inertia += " (" + def.SubstitutePower + ")"
	}
	inertia += ", che conclude il procedimento entro la metà del termine originario (art. 2, commi 9-bis e 9-ter, L. 241/1990), " +
		"oppure ricorrere al Tribunale amministrativo regionale contro il silenzio (artt. 31 e 117 del codice del processo amministrativo)."
	switch cas.Regime {
	case SilenceAssent:
		inertia = "Decorso il termine senza un provvedimento espresso, l'istanza si intende accolta per silenzio-assenso (art. 20, " +
			"L. 241/1990) e puoi chiederne l'attestazione. " + inertia
	case SilenceRefusal:
		inertia = "Decorso il termine senza un provvedimento espresso, l'istanza si intende respinta (silenzio-rigetto). " + inertia
	}
	where := "Nell'area personale «Le mie pratiche»"
	if a.BaseURL != "" {
		where += " (" + a.BaseURL + "/pratiche/" + itoa64(cas.ID) + ")"
	}
	where += " e presso l'ufficio " + office + ", dove puoi prendere visione degli atti (art. 10, L. 241/1990)."
	return PrintSection{Heading: "Informazioni sul procedimento (art. 8, L. 241/1990)", Fields: []PrintField{
		{"Amministrazione competente", a.Tenant.Name},
		{"Ufficio", office},
		{"Responsabile del procedimento", a.responsible()},
		{"Oggetto", cas.Subject},
		{"Data di presentazione", cas.StartDate.Italian()},
		{"Termine di conclusione", FormatDays(cas.TermDays) + ", con scadenza il " + a.due().Italian()},
		{"Rimedi in caso di inerzia", inertia},
		{"Dove prendere visione degli atti", where},
	}}
}

// paragraphs splits text on blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Mail returns the subject and body of the e-mail that sends the act,
// registered as reg, to the applicant.
func (a *CaseAct) Mail(reg *Registration) (subject, body string) {
	cas := a.Case
	subject = "Pratica n. " + itoa64(cas.ID) + ": " + strings.ToLower(a.Title()[:1]) + a.Title()[1:]
	if a.Key == DocDecision {
		subject = "Esito della pratica n. " + itoa64(cas.ID) + ": " + a.Definition.StateLabel(a.Transition.To)
	}
	body = "Gentile " + cas.ApplicantName + ",\n\n" +
		"ti inviamo il documento «" + a.Title() + "» relativo alla tua pratica «" + a.Definition.Title + "» (n. " + itoa64(cas.ID) + ").\n"
	if reg != nil {
		body += "Protocollo: " + reg.Signature() + "\n"
	}
	switch a.Key {
	case DocIntegrationRequest:
		body += "\nIl termine del procedimento è sospeso: invia le integrazioni dall'area personale entro " + FormatDays(IntegrationMaxDays) + ".\n"
	case DocNotice10bis:
		body += "\nPuoi presentare osservazioni dall'area personale entro " + FormatDays(ObservationDays) + ".\n"
	}
	body += "\nTrovi il documento in allegato e nell'area «Le mie pratiche»: " + a.BaseURL + "/pratiche/" + itoa64(cas.ID) + "\n\n" + a.Tenant.Name + "\n"
	if a.Tenant.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, body
}

// CaseNotice is an e-mail procedo sends about a case without a document
// (reminders, alerts, automatic resumes, silence formed): its methods return
// the subject and body.
type CaseNotice struct {
	Tenant  *Tenant
	Case    *Case
	BaseURL string
}

// ToApplicant returns a mail to the applicant with subject and lines.
func (n CaseNotice) ToApplicant(subject string, lines ...string) (string, string) {
	body := "Gentile " + n.Case.ApplicantName + ",\n\n" + strings.Join(lines, "\n") + "\n\nLa tua pratica: " + n.BaseURL + "/pratiche/" +
		itoa64(n.Case.ID) + "\n\n" + n.Tenant.Name + "\n"
	if n.Tenant.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return "Pratica n. " + itoa64(n.Case.ID) + ": " + subject, body
}

// ToStaff returns a mail to an operator or office with subject and lines.
func (n CaseNotice) ToStaff(subject string, lines ...string) (string, string) {
	c := n.Case
	body := "Pratica n. " + itoa64(c.ID) + " — " + c.Subject + "\nRichiedente: " + c.ApplicantName + "\nUfficio: " + c.OrgUnitName +
		"\nScadenza: " + c.DueDate.Italian() + "\n\n" + strings.Join(lines, "\n") + "\n\n" + n.BaseURL + "/ufficio/pratiche/" + itoa64(c.ID) + "\n"
	if n.Tenant.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return "[" + n.Tenant.Name + "] Pratica n. " + itoa64(c.ID) + ": " + subject, body
}

// AnswerTitle returns the title of the applicant's answer of kind w.
func AnswerTitle(w CaseWaiting) string {
	if w == WaitingObservations {
		return "Osservazioni al preavviso di rigetto (art. 10-bis, L. 241/1990)"
	}
	return "Integrazioni dell'istanza (art. 2, c. 7, L. 241/1990)"
}

// ApplicantLetter describes a document the applicant sends online on their
// case (integrations, observations, a request to the substitute power): its
// text and the list of its files, rendered to PDF as the main document of its
// incoming registration.
func ApplicantLetter(t *Tenant, cas *Case, title, message string, files []string, at time.Time) *PrintDocument {
	d := &PrintDocument{Issuer: t.Name, Title: title, Subtitle: cas.ProcedureTitle, Demo: t.Demo,
		Footer: "Pratica n. " + itoa64(cas.ID) + " — documento presentato online e registrato al protocollo in entrata"}
	d.Sections = append(d.Sections, PrintSection{Heading: "Mittente e pratica", Fields: []PrintField{
		{"Richiedente", cas.ApplicantName + " (" + cas.ApplicantFiscalCode + ")"},
		{"Pratica", "n. " + itoa64(cas.ID) + " — " + cas.Subject},
		{"Data e ora", at.In(Rome).Format("02/01/2006 15:04")},
	}})
	if strings.TrimSpace(message) != "" {
		d.Sections = append(d.Sections, PrintSection{Heading: "Testo", Paragraphs: paragraphs(message)})
	}
	if len(files) > 0 {
		var fs []PrintField
		for i, f := range files {
			fs = append(fs, PrintField{"Allegato " + strconv.Itoa(i+1), f})
		}
		d.Sections = append(d.Sections, PrintSection{Heading: "Allegati", Fields: fs})
	}
	return d
}
