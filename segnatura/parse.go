// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/procedo/procedo"
)

// Parse reads a segnatura received from another AOO. The input is untrusted:
// Parse reads at most MaxSize bytes (ETOOLARGE past it), refuses DOCTYPE and
// entity declarations, and checks every value it returns (codes, number, date,
// fingerprints, codici fiscali, e-mail addresses) against the schema's formats,
// failing with EINVALID and an Italian message that names the element.
//
// When the segnatura carries a ds:Signature, Parse verifies it as Verify does
// without roots and reads the data from the signed content; a signature that
// does not verify is an error (errors.Is(err, ErrInvalidSignature)), reported
// to the sender as anomaly 001_ValidazioneFirma. A segnatura without signature
// parses with Signed false: the schema requires one, so callers should treat it
// as an anomaly too, but can still show what it says.
//
// Parse does not check that the files received match the fingerprints, nor that
// this AOO is a recipient: callers do, with the returned data.
// Elements procedo does not use (Riferimenti, PrimaRegistrazione,
// CollocazioneTelematica, postal addresses) are ignored.
func Parse(r io.Reader) (p *Parsed, err error) {
	defer procedo.Wrap(&err, "segnatura.Parse")
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	doc, err := readDocument(b)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	p = &Parsed{}
	content := root
	if len(findAll(root, dsNS, signature)) > 0 {
		v, err := verify(root)
		if err != nil {
			return nil, err
		}
		content, p.Signed, p.Certificate = v.content, true, v.cert
	}
	if err := readSegnatura(content, p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkRoot checks that root is a SegnaturaInformatica of version 3.0.0, and
// says so plainly when it is one of the formats that came before.
func checkRoot(root *etree.Element) error {
	switch {
	case isProt(root, rootTag):
	case root.Tag == "Segnatura":
		return invalid("La segnatura è nel formato della Circolare AgID 60/2013 o precedente: procedo legge il formato 3.0.0 delle Linee guida 2021.")
	default:
		return invalid("Il documento non è una segnatura di protocollo AgID (manca l'elemento SegnaturaInformatica).")
	}
	if v, _ := attrOf(root, "versione"); strings.TrimSpace(v) != Version {
		return invalid("La segnatura dichiara la versione %s: procedo legge la versione %s.", shorten(v), Version)
	}
	return nil
}

func readSegnatura(root *etree.Element, p *Parsed) error {
	h, err := required(root, "", "Intestazione")
	if err != nil {
		return err
	}
	if err := readIdentificatore(h, p); err != nil {
		return err
	}
	if p.Subject, err = requiredText(h, "Intestazione", "Oggetto"); err != nil {
		return err
	}
	if strings.TrimSpace(p.Subject) == "" {
		return invalid("L'oggetto della segnatura è vuoto.")
	}
	if err := readClassifica(h, p); err != nil {
		return err
	}
	if f, err := optional(h, "Intestazione", "Fascicolo"); err != nil {
		return err
	} else if f != nil {
		p.Dossier = &Dossier{}
		if p.Dossier.Title, err = requiredText(f, "Intestazione/Fascicolo", "Denominazione"); err != nil {
			return err
		}
		if p.Dossier.Code, err = requiredText(f, "Intestazione/Fascicolo", "CodiceFascicolo"); err != nil {
			return err
		}
	}
	if s, err := optionalText(h, "Intestazione", "Riservato"); err != nil {
		return err
	} else if s != "" {
		if p.Reserved, err = parseBool(s, "Intestazione/Riservato"); err != nil {
			return err
		}
	}

	d, err := required(root, "", "Descrizione")
	if err != nil {
		return err
	}
	m, err := required(d, "Descrizione", "Mittente")
	if err != nil {
		return err
	}
	if p.Sender, err = readSoggetto(m, "Descrizione/Mittente"); err != nil {
		return err
	}
	dests := children(d, "Destinatario")
	if len(dests) == 0 {
		return invalid("Nella segnatura manca l'elemento Descrizione/Destinatario.")
	}
	for _, e := range dests {
		c, err := readSoggetto(e, "Descrizione/Destinatario")
		if err != nil {
			return err
		}
		p.Recipients = append(p.Recipients, c)
		if a, err := readAddressee(e, "Descrizione/Destinatario"); err != nil {
			return err
		} else if a != nil {
			p.Addressees = append(p.Addressees, *a)
		}
	}
	main, err := required(d, "Descrizione", "DocumentoPrimario")
	if err != nil {
		return err
	}
	if p.Main, err = readDocumento(main, "Documento principale"); err != nil {
		return err
	}
	for i, e := range children(d, "Allegato") {
		f, err := readDocumento(e, "Allegato "+strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		p.Attachments = append(p.Attachments, f)
	}
	return nil
}

func readIdentificatore(h *etree.Element, p *Parsed) error {
	const path = "Intestazione/Identificatore"
	id, err := required(h, "Intestazione", "Identificatore")
	if err != nil {
		return err
	}
	if p.SenderIPA, err = readCode(id, path, "CodiceAmministrazione", ipaCodeRE); err != nil {
		return err
	}
	if p.SenderAOO, err = readCode(id, path, "CodiceAOO", ipaCodeRE); err != nil {
		return err
	}
	if p.Register, err = readCode(id, path, "CodiceRegistro", registerCodeRE); err != nil {
		return err
	}
	s, err := requiredText(id, path, "NumeroRegistrazione")
	if err != nil {
		return err
	}
	if p.Number, err = parseNumber(strings.TrimSpace(s)); err != nil {
		return err
	}
	date, err := requiredText(id, path, "DataRegistrazione")
	if err != nil {
		return err
	}
	clock, err := optionalText(id, path, "OraRegistrazione")
	if err != nil {
		return err
	}
	p.Date, err = parseDateTime(strings.TrimSpace(date), strings.TrimSpace(clock))
	return err
}

// readCode reads a code that must match re.
func readCode(e *etree.Element, path, tag string, re *regexp.Regexp) (string, error) {
	s, err := requiredText(e, path, tag)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if !re.MatchString(s) {
		return "", invalid("Nella segnatura il codice %s non è valido: %s.", join(path, tag), shorten(s))
	}
	return s, nil
}

// parseNumber reads NumeroRegistrazione: at least 7 digits, zero-padded (DPR
// 445/2000 art. 57), at least 1, and small enough for an int on every platform.
func parseNumber(s string) (int, error) {
	if !numberRE.MatchString(s) {
		return 0, invalid("Il numero di registrazione %s non è valido: servono almeno 7 cifre.", shorten(s))
	}
	digits := strings.TrimLeft(s, "0")
	if len(digits) > 9 {
		return 0, invalid("Il numero di registrazione %s è troppo grande.", shorten(s))
	}
	n, _ := strconv.Atoi(digits) // checked: at most 9 digits
	if n == 0 {
		return 0, invalid("Il numero di registrazione non può essere zero.")
	}
	return n, nil
}

// Lexical forms of xs:date and xs:time, restricted to four-digit years and
// seconds below 60.
var (
	dateRE = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$`)
	timeRE = regexp.MustCompile(`^([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

// parseDateTime combines DataRegistrazione and the optional OraRegistrazione.
// A value without offset is Italian time; the result is in Europe/Rome.
func parseDateTime(date, clock string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, invalid("La data di registrazione %s non è valida: serve una data AAAA-MM-GG, ed eventualmente un'ora hh:mm:ss.", shorten(strings.TrimSpace(date+" "+clock)))
	}
	m := dateRE.FindStringSubmatch(date)
	if m == nil {
		return bad()
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	zone := m[4]
	var hh, mm, ss, ns int
	if clock != "" {
		t := timeRE.FindStringSubmatch(clock)
		if t == nil {
			return bad()
		}
		hh, _ = strconv.Atoi(t[1])
		mm, _ = strconv.Atoi(t[2])
		ss, _ = strconv.Atoi(t[3])
		if frac := t[4]; frac != "" {
			frac = (frac[1:] + "000000000")[:9]
			ns, _ = strconv.Atoi(frac)
		}
		if t[5] != "" {
			zone = t[5]
		}
	}
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59 {
		return bad()
	}
	loc := procedo.Rome
	switch {
	case zone == "Z":
		loc = time.UTC
	case zone != "":
		oh, _ := strconv.Atoi(zone[1:3])
		om, _ := strconv.Atoi(zone[4:6])
		if oh > 14 || om > 59 {
			return bad()
		}
		off := oh*3600 + om*60
		if zone[0] == '-' {
			off = -off
		}
		loc = time.FixedZone(zone, off)
	}
	t := time.Date(y, time.Month(mo), d, hh, mm, ss, ns, loc)
	if t.Day() != d { // 30 February and the like
		return bad()
	}
	return t.In(procedo.Rome), nil
}

// parseBool reads an xs:boolean.
func parseBool(s, path string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalid("Nella segnatura il valore di %s deve essere true o false.", path)
}

func readClassifica(h *etree.Element, p *Parsed) error {
	const path = "Intestazione/Classifica"
	c, err := required(h, "Intestazione", "Classifica")
	if err != nil {
		return err
	}
	if p.ClassificationTitle, err = requiredText(c, path, "Denominazione"); err != nil {
		return err
	}
	flat, err := optional(c, path, "CodiceFlat")
	if err != nil {
		return err
	}
	tree, err := optional(c, path, "CodicePath")
	if err != nil {
		return err
	}
	switch {
	case flat != nil && tree == nil:
		p.ClassificationCode, err = textOf(flat, path+"/CodiceFlat")
		p.ClassificationCode = strings.TrimSpace(p.ClassificationCode)
	case tree != nil && flat == nil:
		var levels []string
		for e, lp := tree, path+"/CodicePath"; e != nil; lp += "/SubLivello" {
			l, err := requiredText(e, lp, "Livello")
			if err != nil {
				return err
			}
			levels = append(levels, strings.TrimSpace(l))
			if e, err = optional(e, lp, "SubLivello"); err != nil {
				return err
			}
		}
		p.ClassificationCode = strings.Join(levels, ".")
	default:
		return invalid("Nella segnatura l'elemento %s deve contenere CodiceFlat oppure CodicePath.", path)
	}
	if err == nil && p.ClassificationCode == "" {
		err = invalid("Nella segnatura il codice di classificazione è vuoto.")
	}
	return err
}

// readSoggetto reads a SoggettoType as a correspondent. An Amministrazione
// becomes its name and IPA code (its AOO and UO are read by readAddressee); a
// PersonaFisica "Nome Cognome" with its codice fiscale; a PersonaGiuridica its
// name and VAT number or fiscal code; an AmministrazioneEstera its name.
func readSoggetto(s *etree.Element, path string) (procedo.Correspondent, error) {
	var c procedo.Correspondent
	var found []*etree.Element
	for _, tag := range []string{"Amministrazione", "PersonaGiuridica", "PersonaFisica", "AmministrazioneEstera"} {
		found = append(found, children(s, tag)...)
	}
	if len(found) != 1 {
		return c, invalid("Nella segnatura l'elemento %s deve contenere una sola tra Amministrazione, PersonaGiuridica, PersonaFisica e AmministrazioneEstera.", path)
	}
	e := found[0]
	path = join(path, e.Tag)
	var err error
	var contatti string
	switch e.Tag {
	case "Amministrazione":
		if c.Name, err = requiredText(e, path, "DenominazioneAmministrazione"); err != nil {
			return c, err
		}
		if c.IPACode, err = readCode(e, path, "CodiceIPAAmministrazione", ipaCodeRE); err != nil {
			return c, err
		}
		if c.FiscalCode, err = optionalCode(e, path, "CFAmministrazione", vatRE); err != nil {
			return c, err
		}
		contatti = "ContattiAmministrazione"
	case "PersonaGiuridica":
		if c.Name, err = requiredText(e, path, "Denominazione"); err != nil {
			return c, err
		}
		if c.FiscalCode, err = optionalCode(e, path, "PIVAoCF", vatRE); err != nil {
			return c, err
		}
		contatti = "ContattiPersonaGiuridica"
	case "PersonaFisica":
		given, err := requiredText(e, path, "Nome")
		if err != nil {
			return c, err
		}
		family, err := requiredText(e, path, "Cognome")
		if err != nil {
			return c, err
		}
		c.Name = strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
		if c.FiscalCode, err = optionalCode(e, path, "CodiceFiscale", fiscalCodeRE); err != nil {
			return c, err
		}
		contatti = "Contatti"
	case "AmministrazioneEstera":
		if c.Name, err = requiredText(e, path, "DenominazioneAmministrazione"); err != nil {
			return c, err
		}
		contatti = "ContattiAmministrazione"
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return c, invalid("Nella segnatura l'elemento %s non ha un nome.", path)
	}
	if k, err := optional(e, path, contatti); err != nil {
		return c, err
	} else if k != nil {
		if c.Email, err = readEmail(k, join(path, contatti)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Addressee identifies, by its IPA codes, an Italian administration named as a
// Destinatario; AOO and UO are "" when the segnatura does not name them.
type Addressee struct {
	IPA string // CodiceIPAAmministrazione
	AOO string // CodiceIPAAOO
	UO  string // CodiceIPAUO
}

// readAddressee returns the IPA codes of a SoggettoType that is an
// Amministrazione (readSoggetto has checked there is exactly one), nil for the
// other kinds of Soggetto.
func readAddressee(s *etree.Element, path string) (*Addressee, error) {
	found := children(s, "Amministrazione")
	if len(found) != 1 {
		return nil, nil
	}
	e := found[0]
	path = join(path, e.Tag)
	a := &Addressee{}
	var err error
	if a.IPA, err = readCode(e, path, "CodiceIPAAmministrazione", ipaCodeRE); err != nil {
		return nil, err
	}
	if a.AOO, err = optionalCodeOrEmpty(e, path, "CodiceIPAAOO"); err != nil {
		return nil, err
	}
	if a.UO, err = optionalCodeOrEmpty(e, path, "CodiceIPAUO"); err != nil {
		return nil, err
	}
	return a, nil
}

// optionalCodeOrEmpty reads an optional IPA code of an AOO or UO: the schema's
// CodiceIPA is any string, and an office without IPA code is written empty.
func optionalCodeOrEmpty(e *etree.Element, path, tag string) (string, error) {
	c, err := optional(e, path, tag)
	if err != nil || c == nil {
		return "", err
	}
	s, err := textOf(c, join(path, tag))
	if err != nil || strings.TrimSpace(s) == "" {
		return "", err
	}
	return readCode(e, path, tag, ipaCodeRE)
}

// AddressedTo reports whether a Destinatario of the segnatura is the AOO aoo
// of the administration ipa: one naming that administration and either that
// AOO or none (the administration's protocol receives it then). IPA codes
// compare without regard to case. False when either code is empty.
func (p *Parsed) AddressedTo(ipa, aoo string) bool {
	ipa, aoo = strings.TrimSpace(ipa), strings.TrimSpace(aoo)
	if ipa == "" || aoo == "" {
		return false
	}
	for _, a := range p.Addressees {
		if strings.EqualFold(a.IPA, ipa) && (a.AOO == "" || strings.EqualFold(a.AOO, aoo)) {
			return true
		}
	}
	return false
}

// optionalCode reads an optional code that, when present, must match re.
func optionalCode(e *etree.Element, path, tag string, re *regexp.Regexp) (string, error) {
	if c, err := optional(e, path, tag); err != nil || c == nil {
		return "", err
	}
	return readCode(e, path, tag, re)
}

// readEmail returns the first e-mail address (IndirizzoTelematico of type smtp,
// the default) of a ContattiType, "" if there is none.
func readEmail(k *etree.Element, path string) (string, error) {
	for _, t := range children(k, "IndirizzoTelematico") {
		if tipo, ok := attrOf(t, "tipo"); ok && strings.TrimSpace(tipo) != "smtp" {
			continue
		}
		s, err := textOf(t, join(path, "IndirizzoTelematico"))
		if err != nil {
			return "", err
		}
		s = strings.TrimSpace(s)
		if !validEmail(s) {
			return "", invalid("Nella segnatura l'indirizzo e-mail %s non è valido.", shorten(s))
		}
		return s, nil
	}
	return "", nil
}

// readDocumento reads a DocumentoType; what names it in messages
// ("Documento principale", "Allegato 2").
func readDocumento(e *etree.Element, what string) (*File, error) {
	path := "Descrizione/" + e.Tag
	f := &File{}
	f.Name, _ = attrOf(e, "nomeFile")
	f.Name = strings.TrimSpace(f.Name)
	if f.Name == "" {
		return nil, invalid("%s della segnatura: manca il nome del file (nomeFile).", what)
	}
	f.MediaType, _ = attrOf(e, "mimeType")
	f.MediaType = strings.TrimSpace(f.MediaType)
	if !validMediaType(f.MediaType) {
		return nil, invalid("%s della segnatura: il tipo MIME %s non è valido.", what, shorten(f.MediaType))
	}
	var err error
	if f.Description, err = optionalText(e, path, "Descrizione"); err != nil {
		return nil, err
	}
	imp, err := required(e, path, "Impronta")
	if err != nil {
		return nil, err
	}
	if alg, ok := attrOf(imp, "algoritmo"); ok {
		switch strings.ToUpper(strings.TrimSpace(alg)) {
		case "SHA-256", "SHA256", strings.ToUpper(algSHA256):
		default:
			return nil, invalid("%s della segnatura: l'impronta usa l'algoritmo %s, procedo accetta solo SHA-256.", what, shorten(alg))
		}
	}
	s, err := textOf(imp, path+"/Impronta")
	if err != nil {
		return nil, err
	}
	sum, err := decodeBase64(s)
	if err != nil {
		return nil, invalid("%s della segnatura: l'impronta non è in base64 valido.", what)
	}
	if len(sum) != 32 {
		return nil, invalid("%s della segnatura: l'impronta non è un'impronta SHA-256 (32 byte).", what)
	}
	f.SHA256 = hex.EncodeToString(sum)
	signed, err := optional(e, path, "firmatoDigitalmente")
	if err != nil {
		return nil, err
	}
	f.Signed = signed != nil
	return f, nil
}
