// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package signature verifies the digital signatures Italian citizens attach to
// their applications: CAdES envelopes (.p7m, CMS SignedData with the document
// inside) and PAdES signatures inside PDF files. It reads the signer from the
// certificate (name, codice fiscale, organisation), checks every signature
// cryptographically and, for .p7m, extracts the signed document. It works on
// the bytes it is given: no storage, no network, and no trust list download.
//
// Trust: a signature is only as good as the certificate behind it. In Italy
// (and the EU) a qualified signature chains to a qualified trust service
// provider listed in the AgID / EU Trusted Lists (TSL, eIDAS art. 22). This
// package does not fetch those lists: callers pass the roots they trust in
// Options.Roots; without them every signer reports TrustNotChecked and
// verification proves integrity only (the file is as the holder of the
// embedded certificate signed it, and anyone can make a certificate).
//
// The CMS parser is written here on encoding/asn1 and crypto/x509 rather than
// taken from a PKCS#7 module: the maintained ones (smallstep/pkcs7,
// go.mozilla.org/pkcs7, which is archived) lack RSA-PSS, the content-type and
// ESS signing-certificate checks CAdES needs, stop at the first failing signer
// instead of reporting each, and do not bound the work a hostile file can ask
// for; digitorus/pkcs7 needs Go 1.27. SignedData is a small structure.
package signature

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Limits that bound the work a hostile file can cause.
const (
	// MaxSize is the largest input InspectCAdES and DetectPAdES accept, in
	// bytes (before base64 decoding). Uploads are smaller (PROCEDO_MAX_UPLOAD_MB).
	MaxSize = 64 << 20
	// MaxDepth is the number of nested envelopes InspectCAdES opens
	// (doc.pdf.p7m.p7m.p7m): beyond it the file is refused.
	MaxDepth = 3
	// MaxSigners bounds the signers of one file, over all envelopes, and the
	// signatures of one PDF.
	MaxSigners = 16
	// maxCertificates bounds the certificates read from one SignedData.
	maxCertificates = 32
	// maxAttributes bounds the signed attributes of one signer.
	maxAttributes = 64
)

// Options tunes InspectCAdES and DetectPAdES. The zero value is usable.
type Options struct {
	// Roots are the trusted root certificates (for Italian qualified
	// signatures: those of the AgID / EU Trusted List, which callers load).
	// Nil: the chain is not checked and every signer reports TrustNotChecked.
	Roots *x509.CertPool
	// Intermediates are extra intermediate certificates; those embedded in
	// the signature are always used as well.
	Intermediates *x509.CertPool
	// Now is the time used when a signature carries no signing time; zero
	// means time.Now().
	Now time.Time
	// Filename is the uploaded file's name ("domanda.pdf.p7m"), used for the
	// suggested name of the extracted document. Optional.
	Filename string
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// Trust says whether a signer's certificate chains to Options.Roots.
type Trust int

const (
	// TrustNotChecked: Options.Roots was nil.
	TrustNotChecked Trust = iota
	// Trusted: the certificate chains to one of Options.Roots at the
	// signing time.
	Trusted
	// Untrusted: Options.Roots was given and the certificate does not chain
	// to any of them (or the chain was not valid at the signing time).
	Untrusted
)

// String returns "not checked", "trusted" or "untrusted".
func (t Trust) String() string {
	switch t {
	case Trusted:
		return "trusted"
	case Untrusted:
		return "untrusted"
	}
	return "not checked"
}

// Label returns the Italian phrase for the UI.
func (t Trust) Label() string {
	switch t {
	case Trusted:
		return "certificato emesso da un certificatore riconosciuto"
	case Untrusted:
		return "certificato non emesso da un certificatore riconosciuto"
	}
	return "attendibilità del certificatore non verificata"
}

// Signer is one verified signature and the person (or organisation) behind it.
type Signer struct {
	Level        int    // envelope the signature belongs to: 0 the outermost
	CommonName   string // subject CN
	GivenName    string // subject givenName (2.5.4.42)
	Surname      string // subject surname (2.5.4.4)
	SerialNumber string // subject serialNumber as written ("TINIT-RSSMRA80A01H501U")
	// FiscalCode is the codice fiscale taken from SerialNumber ("TINIT-…",
	// "IT:…"), upper case, or "" when SerialNumber holds none. Only its shape
	// (16 letters and digits, or 11 digits) is checked here.
	FiscalCode         string
	Organization       string    // subject O
	OrganizationID     string    // subject organizationIdentifier (2.5.4.97), e.g. "VATIT-…"
	Issuer             string    // issuer CN, else the issuer's full name
	IssuerOrganization string    // issuer O
	NotBefore          time.Time // certificate validity
	NotAfter           time.Time
	// SigningTime is the time the signer claims (signing-time attribute, or
	// /M for PDF); zero when absent. Without a timestamp it is only a claim.
	SigningTime time.Time
	// CheckedAt is the time validity and trust were checked at: SigningTime,
	// else Options.Now.
	CheckedAt time.Time
	// ValidAtSigning: CheckedAt lies within NotBefore..NotAfter.
	ValidAtSigning bool
	Trust          Trust
	// TrustDetail explains Untrusted (English, for logs).
	TrustDetail string
	// NonRepudiation: the key usage includes nonRepudiation
	// (contentCommitment), as on qualified signature certificates.
	NonRepudiation bool
	// Qualified: the certificate declares itself EU qualified (QcCompliance
	// statement, ETSI EN 319 412-5); QSCD: the key is on a qualified device.
	Qualified, QSCD bool
	// CertificateBound: the signed attributes name this certificate (ESS
	// signing-certificate v1 or v2), as CAdES-BES requires; false for plain
	// PKCS#7 signatures.
	CertificateBound   bool
	DigestAlgorithm    string // "SHA-256", "SHA-384", "SHA-512"
	SignatureAlgorithm string // "RSA", "RSA-PSS", "ECDSA"
	Certificate        *x509.Certificate
}

// Name returns "Given Surname", else the common name.
func (s *Signer) Name() string {
	if s.GivenName != "" || s.Surname != "" {
		switch {
		case s.GivenName == "":
			return s.Surname
		case s.Surname == "":
			return s.GivenName
		}
		return s.GivenName + " " + s.Surname
	}
	return s.CommonName
}

// Sentinel errors: every error of this package is an *Error whose Kind is one
// of them, so errors.Is(err, ErrContentModified) works.
var (
	ErrMalformed            = errors.New("not a readable signed file")
	ErrTooLarge             = errors.New("file too large")
	ErrTooDeep              = errors.New("too many nested envelopes")
	ErrTooManySigners       = errors.New("too many signers")
	ErrDetached             = errors.New("detached signature: no content")
	ErrNoSigner             = errors.New("no signer")
	ErrContentModified      = errors.New("content does not match the signed digest")
	ErrBadSignature         = errors.New("signature does not verify")
	ErrMissingAttribute     = errors.New("mandatory signed attribute missing or wrong")
	ErrCertificateMissing   = errors.New("signer certificate missing")
	ErrCertificateMismatch  = errors.New("signed attributes name another certificate")
	ErrUnsupportedAlgorithm = errors.New("algorithm not allowed")
	ErrCertificateExpired   = errors.New("certificate not valid at signing time")
	ErrUntrusted            = errors.New("certificate does not chain to a trusted root")
	ErrNotPDF               = errors.New("not a PDF")
)

var messages = map[error]string{
	ErrMalformed:            "Il file non è una firma digitale leggibile (formato CAdES .p7m).",
	ErrTooLarge:             "Il file firmato è troppo grande per essere verificato.",
	ErrTooDeep:              fmt.Sprintf("Il file contiene troppe firme annidate (al massimo %d).", MaxDepth),
	ErrTooManySigners:       fmt.Sprintf("Il file contiene troppe firme (al massimo %d).", MaxSigners),
	ErrDetached:             "Il file contiene solo la firma, senza il documento firmato: allegare il file .p7m completo.",
	ErrNoSigner:             "Il file non contiene alcuna firma.",
	ErrContentModified:      "La firma digitale non è valida: il contenuto è stato modificato dopo la firma.",
	ErrBadSignature:         "La firma digitale non è valida: la firma non corrisponde al certificato del firmatario.",
	ErrMissingAttribute:     "La firma digitale non è valida: mancano o sono errati gli attributi firmati obbligatori.",
	ErrCertificateMissing:   "La firma digitale non è valida: manca il certificato del firmatario.",
	ErrCertificateMismatch:  "La firma digitale non è valida: il certificato allegato non è quello indicato nella firma.",
	ErrUnsupportedAlgorithm: "La firma usa un algoritmo non ammesso (sono ammessi RSA ed ECDSA con SHA-256, SHA-384 o SHA-512).",
	ErrCertificateExpired:   "Il certificato del firmatario non era valido alla data della firma (scaduto o non ancora valido).",
	ErrUntrusted:            "Il certificato del firmatario non è stato emesso da un certificatore riconosciuto.",
	ErrNotPDF:               "Il file non è un PDF leggibile.",
}

// Error is the error of this package: a Kind (one of the Err… sentinels) for
// machines and an English Detail for logs; Message gives the Italian text for
// users.
type Error struct {
	Kind   error  // one of the Err… sentinels
	Signer int    // index in CAdES.Signers, or -1 when not about one signer
	Detail string // English, for logs; never shown to users
}

func errorf(kind error, signer int, format string, args ...any) *Error {
	return &Error{Kind: kind, Signer: signer, Detail: fmt.Sprintf(format, args...)}
}

// Error implements error.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "signature: " + e.Kind.Error()
	}
	return "signature: " + e.Kind.Error() + ": " + e.Detail
}

// Unwrap returns Kind, so errors.Is matches the sentinels.
func (e *Error) Unwrap() error { return e.Kind }

// Message returns the Italian, user-safe explanation.
func (e *Error) Message() string {
	if m, ok := messages[e.Kind]; ok {
		return m
	}
	return messages[ErrMalformed]
}

// Message returns the Italian, user-safe explanation of any error returned by
// this package, and a generic one for other errors.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message()
	}
	return "Non è stato possibile verificare la firma digitale del file."
}
