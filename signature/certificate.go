// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
)

var (
	oidGivenName      = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname        = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidOrganizationID = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidQCStatements   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance   = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcSSCD         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
)

// readSubject copies the certificate facts the UI shows into s.
func readSubject(s *Signer, c *x509.Certificate) {
	s.CommonName = c.Subject.CommonName
	s.SerialNumber = c.Subject.SerialNumber
	s.FiscalCode = FiscalCodeFromSerial(c.Subject.SerialNumber)
	if len(c.Subject.Organization) > 0 {
		s.Organization = c.Subject.Organization[0]
	}
	for _, n := range c.Subject.Names {
		v, ok := n.Value.(string)
		if !ok {
			continue
		}
		switch {
		case n.Type.Equal(oidGivenName) && s.GivenName == "":
			s.GivenName = v
		case n.Type.Equal(oidSurname) && s.Surname == "":
			s.Surname = v
		case n.Type.Equal(oidOrganizationID) && s.OrganizationID == "":
			s.OrganizationID = v
		}
	}
	s.Issuer = c.Issuer.CommonName
	if s.Issuer == "" {
		s.Issuer = c.Issuer.String()
	}
	if len(c.Issuer.Organization) > 0 {
		s.IssuerOrganization = c.Issuer.Organization[0]
	}
	s.NotBefore, s.NotAfter = c.NotBefore, c.NotAfter
	s.NonRepudiation = c.KeyUsage&x509.KeyUsageContentCommitment != 0
	for _, e := range c.Extensions {
		if !e.Id.Equal(oidQCStatements) {
			continue
		}
		var list asn1.RawValue
		if _, err := asn1.Unmarshal(e.Value, &list); err != nil {
			continue
		}
		rest := list.Bytes
		for n := 0; len(rest) > 0 && n < 16; n++ {
			var st struct {
				ID   asn1.ObjectIdentifier
				Info asn1.RawValue `asn1:"optional"`
			}
			var err error
			if rest, err = asn1.Unmarshal(rest, &st); err != nil {
				break
			}
			s.Qualified = s.Qualified || st.ID.Equal(oidQcCompliance)
			s.QSCD = s.QSCD || st.ID.Equal(oidQcSSCD)
		}
	}
}

// FiscalCodeFromSerial returns the codice fiscale a signature certificate
// carries in its subject serialNumber: "TINIT-RSSMRA80A01H501U" (ETSI EN 319
// 412-1 semantics identifier) or "IT:RSSMRA80A01H501U" (older Italian
// profile). The result is upper case, 16 letters and digits (a person) or 11
// digits (an organisation); "" when serial holds none. The check character is
// not verified here: callers use procedo.ValidateFiscalCode.
func FiscalCodeFromSerial(serial string) string {
	s := strings.ToUpper(strings.TrimSpace(serial))
	found := false
	for _, p := range []string{"TINIT-", "IT:", "IT-"} {
		if strings.HasPrefix(s, p) {
			s, found = s[len(p):], true
			break
		}
	}
	if !found {
		return ""
	}
	digits := true
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z':
			digits = false
		default:
			return ""
		}
	}
	if len(s) == 16 || len(s) == 11 && digits {
		return s
	}
	return ""
}
