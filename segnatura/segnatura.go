// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package segnatura writes, signs, verifies and reads the AgID "segnatura di
// protocollo" (Linee guida 2021, Allegato 6, XML schema 3.0.0): the signed XML
// that travels between AOOs with every registered document. It works on plain
// data (procedo types and Input) and owns no storage or network, and reads the
// clock only for the XAdES signing time: callers load the registration, pass
// the key, and store or send the bytes.
package segnatura

import (
	"crypto/x509"
	"errors"
	"strconv"
	"time"

	"github.com/procedo/procedo"
)

// Namespaces and fixed values of the 3.0.0 schema
// (../shared/standards/segnatura-protocollo/segnatura_protocollo.xsd).
const (
	// Namespace is the target namespace of segnatura_protocollo.xsd 3.0.0.
	Namespace = "http://www.agid.gov.it/protocollo/"
	// Version is the only value the schema allows for the versione attribute.
	Version = "3.0.0"

	prefix    = "prot"
	dsNS      = "http://www.w3.org/2000/09/xmldsig#"
	xadesNS   = "http://uri.etsi.org/01903/v1.3.2#"
	rootTag   = "SegnaturaInformatica"
	signature = "Signature"
)

// MaxSize is the largest segnatura Parse, Sign and Verify accept, in bytes.
// A segnatura describes files, it does not carry them: even a message with
// hundreds of attachments stays well below it.
const MaxSize = 1 << 20

// ErrInvalidSignature is the cause (see errors.Is) of every error that Verify and
// Parse return because the ds:Signature does not verify: callers answering
// another AOO report it as anomaly 001_ValidazioneFirma (Allegato 6, 3.B).
var ErrInvalidSignature = errors.New("segnatura: invalid signature")

// ErrUntrustedCertificate is the cause of the error Verify returns when the
// signature is intact but its certificate does not chain to the given roots.
var ErrUntrustedCertificate = errors.New("segnatura: untrusted certificate")

// Input is what a segnatura describes: plain data, so the package needs no store.
// Tenant, AOO, Registration and Main are required.
type Input struct {
	Tenant       *procedo.Tenant       // sending administration: Name, IPACode (required), Email
	AOO          *procedo.AOO          // sending AOO: Code (IPA code, required), Name
	Registration *procedo.Registration // the registration the segnatura identifies; not annulled

	// ClassificationCode is the titolario index written as CodiceFlat, e.g. "I.6";
	// when empty, Registration.Classification is used. The schema requires a
	// Classifica, so one of the two must be set.
	ClassificationCode string
	// ClassificationTitle is the name of the titolario entry (Denominazione), required.
	ClassificationTitle string

	Dossier     *Dossier // fascicolo, nil when the document is not filed in one
	Main        *File    // documento primario, required
	Attachments []*File  // allegati, in order
	Reserved    bool     // riservato: the receiving AOO must restrict access
}

// Dossier is the fascicolo a document belongs to.
type Dossier struct {
	Code  string // CodiceFascicolo, e.g. "2026-I.6-3"
	Title string // Denominazione
}

// File describes the primary document or an attachment: the segnatura carries
// its fingerprint, never its content.
type File struct {
	Name        string // nomeFile; from Parse it is untrusted: sanitise it before using it as a path
	MediaType   string // mimeType, e.g. "application/pdf"
	SHA256      string // hex SHA-256 of the content (impronta), lower case from Parse
	Description string // optional Descrizione
	Signed      bool   // the file carries an embedded digital signature (firmatoDigitalmente)
}

// Parsed is what Parse reads from a segnatura received from another AOO. Every
// field comes from untrusted input: Parse checks formats, not truth. When Signed
// is true, every field was read from the signed content.
type Parsed struct {
	SenderIPA string    // CodiceAmministrazione of the sending administration
	SenderAOO string    // CodiceAOO of the sending AOO
	Register  string    // CodiceRegistro
	Number    int       // NumeroRegistrazione, ≥ 1
	Date      time.Time // DataRegistrazione and, when present, OraRegistrazione; in Europe/Rome
	Subject   string    // Oggetto

	Sender     procedo.Correspondent   // Mittente
	Recipients []procedo.Correspondent // Destinatario, at least one
	// Addressees are the IPA codes of the Destinatari that are Italian
	// administrations, in order: see AddressedTo.
	Addressees []Addressee

	ClassificationCode  string   // CodiceFlat, or the CodicePath levels joined with "."
	ClassificationTitle string   // Denominazione of the Classifica
	Dossier             *Dossier // Fascicolo, nil when absent
	Reserved            bool     // Riservato

	Main        *File   // DocumentoPrimario
	Attachments []*File // Allegato, in document order

	// Signed reports that a ds:Signature was present and verified (integrity
	// only: use Verify with roots to decide whether to trust the signer). A
	// signature that is present but does not verify makes Parse fail.
	Signed bool
	// Certificate is the signing certificate from ds:KeyInfo when Signed, else nil.
	Certificate *x509.Certificate
}

// invalid returns an EINVALID error with a user-safe Italian message.
func invalid(format string, args ...any) error {
	return procedo.Errorf(procedo.EINVALID, format, args...)
}

// invalidCause is invalid with a cause for the logs.
func invalidCause(cause error, format string, args ...any) error {
	e := procedo.Errorf(procedo.EINVALID, format, args...)
	e.Err = cause
	return e
}

// shorten quotes an untrusted value for an error message, cut to a readable length.
func shorten(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
