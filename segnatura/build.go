// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/procedo/procedo"
)

// Patterns of segnatura_protocollo.xsd, and the shape of IPA codes (which the
// schema leaves as free strings: procedo checks them so a typo fails here, not
// at the receiving AOO).
var (
	// CodiceRegistroType.
	registerCodeRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,16}$`)
	// NumeroRegistrazioneType: at least 7 digits.
	numberRE = regexp.MustCompile(`^[0-9]{7,}$`)
	// CodiceFiscaleType, omocodia letters included.
	fiscalCodeRE = regexp.MustCompile(`^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$`)
	// PartitaIVA, also used for the fiscal codes of legal persons and administrations.
	vatRE = regexp.MustCompile(`^[0-9]{11}$`)
	// IPA codes of administrations, AOOs and UOs.
	ipaCodeRE   = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,32}$`)
	sha256HexRE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// Build returns the segnatura of in as indented UTF-8 XML, without the
// ds:Signature that the schema requires: pass it to Sign, or use BuildSigned.
// It returns EINVALID with an Italian message when in lacks something the
// schema or Allegato 6 requires (IPA codes, classification, fingerprints) or
// holds text that XML cannot carry.
//
// The correspondents follow the direction: for E the registration's
// correspondent is the Mittente and our AOO the Destinatario; for U our AOO is
// the Mittente and each correspondent a Destinatario; for I our AOO is both,
// and each correspondent (an office) is a Destinatario as a UO of our AOO.
// A correspondent with an IPA code is an Amministrazione; one with a 16-character
// codice fiscale a PersonaFisica (name and surname told apart with the help of
// the code); one with an 11-digit code, or with no code, a PersonaGiuridica,
// because without a code nothing says that a name is a person's.
func Build(in *Input) (b []byte, err error) {
	defer procedo.Wrap(&err, "segnatura.Build")
	doc, err := build(in)
	if err != nil {
		return nil, err
	}
	doc.Indent(2)
	return write(doc)
}

// write serialises doc escaping CR, tab and newline where a parser would
// otherwise normalise them, so the receiving AOO reads (and digests) exactly the
// tree that was signed.
func write(doc *etree.Document) ([]byte, error) {
	doc.WriteSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}
	return doc.WriteToBytes()
}

// builder writes one segnatura, remembering the first problem so the element
// code stays linear; the XML is discarded when err is set.
type builder struct {
	in  *Input
	err error
}

func (b *builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = invalid(format, args...)
	}
}

// text checks s for characters XML 1.0 cannot carry (NUL, most control
// characters, invalid UTF-8). Such text is refused rather than cleaned: the
// Oggetto of a registration must not change on the way.
func (b *builder) text(field, s string) string {
	if !utf8.ValidString(s) {
		b.fail("Il campo %s contiene caratteri non validi.", field)
		return ""
	}
	for _, r := range s {
		if !isXMLChar(r) {
			b.fail("Il campo %s contiene caratteri di controllo non ammessi in XML.", field)
			return ""
		}
	}
	return s
}

// isXMLChar reports whether r is a Char of XML 1.0 (production [2]).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// elem adds a prot: child with text.
func (b *builder) elem(parent *etree.Element, tag, field, text string) *etree.Element {
	e := parent.CreateElement(prefix + ":" + tag)
	e.SetText(b.text(field, text))
	return e
}

// attr sets a prot: attribute: the schema says attributeFormDefault="qualified".
func (b *builder) attr(e *etree.Element, name, field, value string) {
	e.CreateAttr(prefix+":"+name, b.text(field, value))
}

func build(in *Input) (*etree.Document, error) {
	if in == nil || in.Tenant == nil || in.AOO == nil || in.Registration == nil {
		return nil, invalid("Mancano l'ente, l'AOO o la registrazione per comporre la segnatura.")
	}
	b := &builder{in: in}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement(prefix + ":" + rootTag)
	root.CreateAttr("xmlns:"+prefix, Namespace)
	root.CreateAttr(prefix+":versione", Version)
	root.CreateAttr(prefix+":lang", "it")
	b.intestazione(root)
	b.descrizione(root)
	if b.err != nil {
		return nil, b.err
	}
	return doc, nil
}

func (b *builder) intestazione(root *etree.Element) {
	in, r := b.in, b.in.Registration
	h := root.CreateElement(prefix + ":Intestazione")

	id := h.CreateElement(prefix + ":Identificatore")
	ipa := strings.TrimSpace(in.Tenant.IPACode)
	if !ipaCodeRE.MatchString(ipa) {
		b.fail("Il codice IPA dell'ente manca o non è valido: impostalo nei dati dell'ente.")
	}
	e := b.elem(id, "CodiceAmministrazione", "ente", ipa)
	if in.Tenant.Name != "" {
		b.attr(e, "descrizione", "nome dell'ente", in.Tenant.Name)
	}
	aoo := strings.TrimSpace(in.AOO.Code)
	if !ipaCodeRE.MatchString(aoo) {
		b.fail("Il codice IPA dell'AOO manca o non è valido.")
	}
	e = b.elem(id, "CodiceAOO", "AOO", aoo)
	if in.AOO.Name != "" {
		b.attr(e, "descrizione", "nome dell'AOO", in.AOO.Name)
	}
	if !registerCodeRE.MatchString(r.RegisterCode) {
		b.fail("Il codice del registro %s non è valido: da 1 a 16 lettere, cifre, punto, trattino o trattino basso.", shorten(r.RegisterCode))
	}
	b.elem(id, "CodiceRegistro", "registro", r.RegisterCode)
	if r.Number < 1 {
		b.fail("La registrazione non ha ancora un numero di protocollo.")
	}
	b.elem(id, "NumeroRegistrazione", "numero", procedo.FormatProtocolNumber(r.Number))
	if r.RegisteredAt.IsZero() {
		b.fail("La registrazione non ha una data.")
	}
	at := r.RegisteredAt.In(procedo.Rome)
	if r.Year != 0 && r.Year != at.Year() {
		b.fail("L'anno della registrazione (%d) non corrisponde alla sua data.", r.Year)
	}
	if r.AnnulledAt != nil {
		b.fail("La registrazione è annullata: non si può inviarne la segnatura.")
	}
	b.elem(id, "DataRegistrazione", "data", at.Format("2006-01-02"))
	// With the offset, so the hour repeated when summer time ends is unambiguous.
	b.elem(id, "OraRegistrazione", "ora", at.Format("15:04:05Z07:00"))

	if strings.TrimSpace(r.Subject) == "" {
		b.fail("L'oggetto della registrazione è vuoto.")
	}
	b.elem(h, "Oggetto", "oggetto", r.Subject)

	code := in.ClassificationCode
	if code == "" {
		code = r.Classification
	}
	if strings.TrimSpace(code) == "" || strings.TrimSpace(in.ClassificationTitle) == "" {
		b.fail("La classificazione (codice e denominazione della voce di titolario) è obbligatoria nella segnatura.")
	}
	c := h.CreateElement(prefix + ":Classifica")
	b.elem(c, "Denominazione", "classificazione", in.ClassificationTitle)
	b.elem(c, "CodiceFlat", "classificazione", code)

	if d := in.Dossier; d != nil {
		if strings.TrimSpace(d.Code) == "" {
			b.fail("Il fascicolo non ha un codice.")
		}
		f := h.CreateElement(prefix + ":Fascicolo")
		b.elem(f, "Denominazione", "fascicolo", d.Title)
		b.elem(f, "CodiceFascicolo", "fascicolo", d.Code)
	}
	if in.Reserved {
		b.elem(h, "Riservato", "riservato", "true")
	}
}

func (b *builder) descrizione(root *etree.Element) {
	in, r := b.in, b.in.Registration
	d := root.CreateElement(prefix + ":Descrizione")
	switch r.Direction {
	case procedo.DirectionIncoming:
		if len(r.Correspondents) != 1 {
			b.fail("Una registrazione in entrata deve avere esattamente un mittente per la segnatura (ne ha %d).", len(r.Correspondents))
			return
		}
		b.soggetto(d.CreateElement(prefix+":Mittente"), r.Correspondents[0])
		b.ourAOO(d.CreateElement(prefix+":Destinatario"), nil)
	case procedo.DirectionOutgoing:
		if len(r.Correspondents) == 0 {
			b.fail("Una registrazione in uscita deve avere almeno un destinatario.")
			return
		}
		b.ourAOO(d.CreateElement(prefix+":Mittente"), nil)
		for _, c := range r.Correspondents {
			b.soggetto(d.CreateElement(prefix+":Destinatario"), c)
		}
	case procedo.DirectionInternal:
		b.ourAOO(d.CreateElement(prefix+":Mittente"), nil)
		if len(r.Correspondents) == 0 {
			b.ourAOO(d.CreateElement(prefix+":Destinatario"), nil)
		}
		for _, c := range r.Correspondents {
			b.ourAOO(d.CreateElement(prefix+":Destinatario"), &c)
		}
	default:
		b.fail("La direzione della registrazione %s non è valida.", shorten(string(r.Direction)))
		return
	}

	if in.Main == nil {
		b.fail("Manca il documento principale: la segnatura deve riportarne l'impronta.")
		return
	}
	if fp := r.Fingerprint; fp != "" && !strings.EqualFold(fp, in.Main.SHA256) {
		b.fail("L'impronta del documento principale non corrisponde a quella della registrazione.")
	}
	b.documento(d.CreateElement(prefix+":DocumentoPrimario"), in.Main, "Documento principale")
	for _, f := range in.Attachments {
		if f == nil {
			b.fail("Un allegato è vuoto.")
			return
		}
		b.documento(d.CreateElement(prefix+":Allegato"), f, "Allegato "+shorten(f.Name))
	}
}

// ourAOO writes our administration and AOO as an Amministrazione; office, when
// not nil, is an office of ours (internal registrations), written as the UO.
func (b *builder) ourAOO(s *etree.Element, office *procedo.Correspondent) {
	in := b.in
	a := s.CreateElement(prefix + ":Amministrazione")
	b.elem(a, "DenominazioneAmministrazione", "nome dell'ente", in.Tenant.Name)
	b.elem(a, "CodiceIPAAmministrazione", "ente", strings.TrimSpace(in.Tenant.IPACode))
	b.contatti(a, "ContattiAmministrazione", in.Tenant.Email)
	e := b.elem(a, "CodiceIPAAOO", "AOO", strings.TrimSpace(in.AOO.Code))
	if in.AOO.Name != "" {
		b.attr(e, "descrizione", "nome dell'AOO", in.AOO.Name)
	}
	if office != nil {
		e := b.elem(a, "CodiceIPAUO", "ufficio", strings.TrimSpace(office.IPACode))
		b.attr(e, "descrizione", "ufficio", office.Name)
		b.contatti(a, "ContattiUO", office.Email)
	}
}

// soggetto writes a correspondent as the schema's SoggettoType choice.
func (b *builder) soggetto(s *etree.Element, c procedo.Correspondent) {
	if strings.TrimSpace(c.Name) == "" {
		b.fail("Un corrispondente non ha nome.")
	}
	cf := procedo.NormalizeFiscalCode(c.FiscalCode)
	switch {
	case c.IPACode != "":
		ipa := strings.TrimSpace(c.IPACode)
		if !ipaCodeRE.MatchString(ipa) {
			b.fail("Il codice IPA del corrispondente %s non è valido.", shorten(c.Name))
		}
		a := s.CreateElement(prefix + ":Amministrazione")
		b.elem(a, "DenominazioneAmministrazione", "corrispondente", c.Name)
		if cf != "" {
			if !vatRE.MatchString(cf) {
				b.fail("Il codice fiscale dell'amministrazione %s deve avere 11 cifre.", shorten(c.Name))
			}
			b.elem(a, "CFAmministrazione", "codice fiscale", cf)
		}
		b.elem(a, "CodiceIPAAmministrazione", "codice IPA", ipa)
		b.contatti(a, "ContattiAmministrazione", c.Email)
	case fiscalCodeRE.MatchString(cf):
		p := s.CreateElement(prefix + ":PersonaFisica")
		given, family := splitName(c.Name, cf)
		b.elem(p, "Nome", "nome", given)
		b.elem(p, "Cognome", "cognome", family)
		b.elem(p, "CodiceFiscale", "codice fiscale", cf)
		b.contatti(p, "Contatti", c.Email)
	case cf == "" || vatRE.MatchString(cf):
		g := s.CreateElement(prefix + ":PersonaGiuridica")
		b.elem(g, "Denominazione", "corrispondente", c.Name)
		if cf != "" {
			b.elem(g, "PIVAoCF", "codice fiscale", cf)
		}
		b.contatti(g, "ContattiPersonaGiuridica", c.Email)
	default:
		b.fail("Il codice fiscale del corrispondente %s non è valido: servono 16 caratteri (persona fisica) o 11 cifre.", shorten(c.Name))
	}
}

// contatti writes a ContattiType with one e-mail address, if there is one.
func (b *builder) contatti(parent *etree.Element, tag, email string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return
	}
	if !validEmail(email) {
		b.fail("L'indirizzo e-mail %s non è valido.", shorten(email))
	}
	c := parent.CreateElement(prefix + ":" + tag)
	t := b.elem(c, "IndirizzoTelematico", "e-mail", email)
	b.attr(t, "tipo", "e-mail", "smtp")
}

// validMediaType accepts a MIME type "type/subtype", with optional parameters (RFC 6838).
func validMediaType(s string) bool {
	mt, _, err := mime.ParseMediaType(s)
	typ, sub, ok := strings.Cut(mt, "/")
	return err == nil && ok && typ != "" && sub != "" && !strings.Contains(sub, "/")
}

// validEmail accepts a bare address (no display name), as the schema's
// IndirizzoTelematico of type smtp holds.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// documento writes a DocumentoType; what names it in messages. The fingerprint is stored as hex in procedo
// and written as base64, as xs:base64Binary wants.
func (b *builder) documento(e *etree.Element, f *File, what string) {
	if strings.TrimSpace(f.Name) == "" {
		b.fail("%s: manca il nome del file.", what)
	}
	if !validMediaType(f.MediaType) {
		b.fail("%s: il tipo %s non è un tipo MIME valido.", what, shorten(f.MediaType))
	}
	if !sha256HexRE.MatchString(f.SHA256) {
		b.fail("%s: l'impronta SHA-256 manca o non è valida.", what)
	}
	sum, _ := hex.DecodeString(f.SHA256) // checked just above
	b.attr(e, "nomeFile", "nome del file", f.Name)
	b.attr(e, "mimeType", "tipo del file", f.MediaType)
	if f.Description != "" {
		b.elem(e, "Descrizione", "descrizione", f.Description)
	}
	imp := b.elem(e, "Impronta", "impronta", base64.StdEncoding.EncodeToString(sum))
	b.attr(imp, "algoritmo", "impronta", "SHA-256")
	if f.Signed {
		s := e.CreateElement(prefix + ":firmatoDigitalmente")
		b.elem(s, "UnDetached", "firma", "true")
	}
}
