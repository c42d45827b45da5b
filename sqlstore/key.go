// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"math/big"
	"time"

	"github.com/procedo/procedo"
)

// SigningKeyService implements procedo.SigningKeyService on the tenant_keys table.
type SigningKeyService struct{ db *DB }

// NewSigningKeyService returns a SigningKeyService on db.
func NewSigningKeyService(db *DB) *SigningKeyService { return &SigningKeyService{db: db} }

var _ procedo.SigningKeyService = (*SigningKeyService)(nil)

// SigningKey implements procedo.SigningKeyService: the stored key, or a new RSA
// 3072 key with a self-signed certificate naming the tenant, valid 10 years.
func (s *SigningKeyService) SigningKey(ctx context.Context) (_ crypto.Signer, _ *x509.Certificate, err error) {
	defer procedo.Wrap(&err, "sqlstore.SigningKey")
	t := procedo.TenantFromContext(ctx)
	if t == nil {
		return nil, nil, procedo.Errorf(procedo.EINTERNAL, "Ente non specificato.")
	}
	var keyPEM, certPEM string
	err = s.db.queryRow(ctx, `SELECT key_pem, cert_pem FROM tenant_keys WHERE tenant_id = ?`, t.ID).Scan(&keyPEM, &certPEM)
	if errors.Is(err, sql.ErrNoRows) {
		keyPEM, certPEM, err = newSelfSigned(t, s.db.Now())
		if err != nil {
			return nil, nil, err
		}
		if err := s.db.transact(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO tenant_keys (tenant_id, key_pem, cert_pem, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (tenant_id) DO NOTHING`, t.ID, keyPEM, certPEM, s.db.ts(tx.now))
			return err
		}); err != nil {
			return nil, nil, err
		}
		// Another replica may have won the race: read what is stored.
		err = s.db.queryRow(ctx, `SELECT key_pem, cert_pem FROM tenant_keys WHERE tenant_id = ?`, t.ID).Scan(&keyPEM, &certPEM)
	}
	if err != nil {
		return nil, nil, err
	}
	kb, _ := pem.Decode([]byte(keyPEM))
	cb, _ := pem.Decode([]byte(certPEM))
	if kb == nil || cb == nil {
		return nil, nil, errors.New("tenant key: bad PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, errors.New("tenant key: not a signer")
	}
	return signer, cert, nil
}

func newSelfSigned(t *procedo.Tenant, now time.Time) (keyPEM, certPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return "", "", err
	}
	name := t.Name
	if t.Demo {
		name += " (DEMO)"
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{t.Name}, OrganizationalUnit: []string{"AOO " + t.IPACode}, Country: []string{"IT"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}
