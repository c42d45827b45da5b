// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/procedo/procedo"
)

// Problem is one difference found by Verify.
type Problem struct {
	Tenant string // slug
	Kind   string // "chain", "numbering", "document"
	Detail string
}

func (p Problem) String() string { return p.Tenant + ": " + p.Kind + ": " + p.Detail }

// Verify re-checks the integrity of the tenant slug (every tenant if ""): every
// register's numbering (gap-free from 1 each year, counter in step) and hash
// chain (each entry's hash recomputed from its stored content and linked to the
// previous one), every daily register's chain head, and every stored document's
// content against its SHA-256 and size. It returns the problems found; an error
// only when the check itself could not run.
func (db *DB) Verify(ctx context.Context, slug string) (_ []Problem, err error) {
	defer procedo.Wrap(&err, "sqlstore.Verify")
	tenants, err := NewTenantService(db).FindTenants(ctx)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	found := false
	for _, t := range tenants {
		if slug != "" && t.Slug != slug {
			continue
		}
		found = true
		ps, err := db.verifyTenant(ctx, t)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	if slug != "" && !found {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Ente %q non trovato.", slug)
	}
	return problems, nil
}

func (db *DB) verifyTenant(ctx context.Context, t *procedo.Tenant) ([]Problem, error) {
	var problems []Problem
	add := func(kind, format string, args ...any) {
		problems = append(problems, Problem{Tenant: t.Slug, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	// Registers: numbering and chain.
	rows, err := db.query(ctx, `SELECT r.register_id, g.code, r.year, r.number, r.registered_at, r.direction, r.subject, r.correspondents,
		r.fingerprint, r.attachment_count, r.attachments, r.sender_protocol, r.sender_protocol_date, r.emergency_number,
		r.prev_hash, r.chain_hash FROM registrations r JOIN registers g ON g.id = r.register_id
		WHERE r.tenant_id = ? ORDER BY r.register_id, r.year, r.number`, t.ID)
	if err != nil {
		return nil, err
	}
	type key struct {
		register int64
		year     int
	}
	maxNumber := map[key]int{}
	var (
		lastRegister int64 = -1
		prevHash     string
		prevYear     int
		expect       int
	)
	for rows.Next() {
		var r procedo.Registration
		var corr string
		if err := rows.Scan(&r.RegisterID, &r.RegisterCode, &r.Year, &r.Number, timeValue{&r.RegisteredAt}, &r.Direction, &r.Subject, &corr,
			&r.Fingerprint, &r.AttachmentCount, &r.Attachments, &r.SenderProtocol, &r.SenderProtocolDate, &r.EmergencyNumber,
			&r.PrevHash, &r.ChainHash); err != nil {
			rows.Close()
			return nil, err
		}
		if r.RegisterID != lastRegister {
			lastRegister, prevHash, prevYear, expect = r.RegisterID, "", 0, 1
		}
		if r.Year != prevYear {
			prevYear, expect = r.Year, 1
		}
		ref := fmt.Sprintf("%s %s/%d", r.RegisterCode, r.NumberString(), r.Year)
		if r.Number != expect {
			add("numbering", "%s: expected number %d here: the sequence has a gap or a duplicate", ref, expect)
		}
		expect = r.Number + 1
		maxNumber[key{r.RegisterID, r.Year}] = r.Number
		if err := json.Unmarshal([]byte(corr), &r.Correspondents); err != nil {
			add("chain", "%s: correspondents are not valid JSON", ref)
		}
		if r.PrevHash != prevHash {
			add("chain", "%s: previous hash %.12s… does not match the previous entry's %.12s…", ref, r.PrevHash, prevHash)
		}
		if got := r.ComputeChainHash(r.PrevHash); got != r.ChainHash {
			add("chain", "%s: content does not match its hash (stored %.12s…, recomputed %.12s…): the row was altered", ref, r.ChainHash, got)
		}
		prevHash = r.ChainHash
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	crows, err := db.query(ctx, `SELECT register_id, year, last_number FROM register_counters WHERE tenant_id = ?`, t.ID)
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var k key
		var last int
		if err := crows.Scan(&k.register, &k.year, &last); err != nil {
			crows.Close()
			return nil, err
		}
		if m := maxNumber[k]; m != last {
			add("numbering", "register %d, year %d: the counter says %d but the last entry is %d", k.register, k.year, last, m)
		}
	}
	if err := crows.Close(); err != nil {
		return nil, err
	}
	// Daily registers: the recorded chain head must be a hash of the chain.
	drows, err := db.query(ctx, `SELECT d.day, d.chain_head FROM daily_registers d WHERE d.tenant_id = ? AND d.chain_head <> ''
		AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.tenant_id = d.tenant_id AND r.chain_hash = d.chain_head)`, t.ID)
	if err != nil {
		return nil, err
	}
	for drows.Next() {
		var day procedo.Date
		var head string
		if err := drows.Scan(&day, &head); err != nil {
			drows.Close()
			return nil, err
		}
		add("chain", "daily register of %s: its chain head %.12s… is not in the register", day, head)
	}
	if err := drows.Close(); err != nil {
		return nil, err
	}
	// Documents: every stored file against its hash and size.
	docs, err := db.query(ctx, `SELECT DISTINCT sha256, size FROM documents WHERE tenant_id = ? ORDER BY sha256`, t.ID)
	if err != nil {
		return nil, err
	}
	type blobRef struct {
		sha  string
		size int64
	}
	var refs []blobRef
	for docs.Next() {
		var b blobRef
		if err := docs.Scan(&b.sha, &b.size); err != nil {
			docs.Close()
			return nil, err
		}
		refs = append(refs, b)
	}
	if err := docs.Close(); err != nil {
		return nil, err
	}
	for _, b := range refs {
		rc, err := db.Blobs.Open(ctx, t.ID, b.sha)
		if procedo.ErrorCode(err) == procedo.ENOTFOUND {
			add("document", "file %.16s… is missing from the document store", b.sha)
			continue
		} else if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			add("document", "file %.16s… cannot be read: %v", b.sha, err)
			continue
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != b.sha || n != b.size {
			add("document", "file %.16s… was altered: its content now hashes to %.16s… (%d bytes, expected %d)", b.sha, got, n, b.size)
		}
	}
	return problems, nil
}
