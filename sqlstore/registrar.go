// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/procedo/procedo"
)

// maxGroup bounds how many registrations share one commit.
const maxGroup = 256

// gatherWait bounds how long a commit waits for the callers it expects.
const gatherWait = 2 * time.Millisecond

// registrar implements group commit for RegisterEntry: concurrent callers hand
// their registration to one goroutine, which numbers and stores everything that
// is waiting in a single transaction and one durable commit, then answers each
// caller. Under load a batch forms while the previous commit is being synced,
// so throughput grows with concurrency without delaying a lone caller. The
// callers do beforehand what needs no database (checks, full-text words), so
// the single writer only writes.
type registrar struct {
	once     sync.Once
	reqs     chan *regRequest
	quit     chan struct{}
	inflight atomic.Int64 // callers preparing a request that is not queued yet
	// committed carries batches committed without a sync to the goroutine
	// that syncs the log and answers them (registrar_sync.go); nil when the
	// writer syncs in COMMIT itself (PostgreSQL, SQLite in memory).
	committed chan []*regRequest
}

type regRequest struct {
	ctx   context.Context // the caller's identity (tenant, actor); cancellation ignored once queued
	in    *procedo.RegistrationInput
	reg   *procedo.Registration
	index []any // full-text values of reg, computed by the caller (dialect.indexRow)
	done  chan error
}

func (db *DB) startRegistrar() {
	db.registrar.once.Do(func() {
		db.registrar.reqs = make(chan *regRequest, 1024)
		db.registrar.quit = make(chan struct{})
		if path := lateSyncFile(db.dialect, db.DSN); path != "" {
			db.registrar.committed = make(chan []*regRequest, maxGroup)
			go db.runSyncer(path, db.registrar.committed)
		}
		go db.runRegistrar()
	})
}

func (db *DB) runRegistrar() {
	committed := db.registrar.committed
	if committed != nil {
		defer close(committed)
	}
	expect := 1 // callers answered by the previous commit, likely to come back
	for {
		var first *regRequest
		select {
		case first = <-db.registrar.reqs:
		case <-db.registrar.quit:
			return
		}
		batch, err := db.commitGroup(first, expect)
		expect = len(batch)
		if err != nil && len(batch) > 1 {
			// One bad entry must not fail the others: retry each alone.
			for _, r := range batch {
				r.done <- db.commitRegistrations([]*regRequest{r})
			}
			continue
		}
		if err == nil && committed != nil {
			committed <- batch // answered once the log is synced
			continue
		}
		for _, r := range batch {
			r.done <- err
		}
	}
}

// commitGroup stores first and the requests that join it in one transaction
// with one durable commit, and returns them all. It begins the transaction at
// once, then takes what is queued and, under concurrency, waits a little (at
// most gatherWait) for as many requests as the previous batch had, or for
// callers still preparing theirs: one commit for all costs far less than one
// each, and the wait overlaps the start of the transaction. A lone caller
// never waits.
func (db *DB) commitGroup(first *regRequest, expect int) (batch []*regRequest, err error) {
	// On SQLite a context that can be cancelled costs the driver a goroutine
	// and a progress handler per statement; there the busy timeout bounds waits.
	ctx := context.Background()
	if db.registrar.committed == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	store := func(tx *Tx) error {
		if batch == nil { // not a retry of the transaction
			batch = db.registrar.gather(first, min(expect, maxGroup))
		}
		return storeRegistrations(ctx, tx, batch)
	}
	if db.registrar.committed != nil {
		err = db.transactLateSync(ctx, store)
	} else {
		err = db.transact(ctx, store)
	}
	if batch == nil { // the transaction did not begin: first alone hears why
		batch = []*regRequest{first}
	}
	return batch, err
}

// gather returns first and the requests that join it.
func (r *registrar) gather(first *regRequest, expect int) []*regRequest {
	batch := append(make([]*regRequest, 0, expect), first)
	deadline := time.NewTimer(gatherWait)
	defer deadline.Stop()
	for len(batch) < maxGroup {
		select {
		case req := <-r.reqs:
			batch = append(batch, req)
			continue
		default:
		}
		if len(batch) >= expect && r.inflight.Load() == 0 {
			break
		}
		select {
		case req := <-r.reqs:
			batch = append(batch, req)
		case <-deadline.C:
			return batch
		}
	}
	return batch
}

// commitRegistrations stores a batch in one transaction.
func (db *DB) commitRegistrations(batch []*regRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return db.transact(ctx, func(tx *Tx) error { return storeRegistrations(ctx, tx, batch) })
}

// storeRegistrations numbers and stores a batch inside tx, tenant by tenant.
func storeRegistrations(ctx context.Context, tx *Tx, batch []*regRequest) error {
	tx.index = make(map[*procedo.Registration][]any, len(batch))
	byTenant := map[int64][]*regRequest{}
	var order []int64
	for _, r := range batch {
		if _, ok := byTenant[r.reg.TenantID]; !ok {
			order = append(order, r.reg.TenantID)
		}
		byTenant[r.reg.TenantID] = append(byTenant[r.reg.TenantID], r)
		if r.index != nil {
			tx.index[r.reg] = r.index
		}
	}
	for _, tid := range order {
		group := byTenant[tid]
		regs := make([]*procedo.Registration, len(group))
		for i, r := range group {
			if err := insertRegistrationFiles(ctx, tx, r); err != nil {
				return err
			}
			regs[i] = r.reg
		}
		if err := registerEntries(ctx, tx, regs); err != nil {
			return err
		}
		if err := completeRegistrations(ctx, tx, group); err != nil {
			return err
		}
	}
	return nil
}

// insertRegistrationFiles stores the document rows of a registration before it
// is numbered, so the main document's id goes into the registration row.
func insertRegistrationFiles(ctx context.Context, tx *Tx, r *regRequest) error {
	if m := r.in.Main; m != nil {
		d := &procedo.Document{TenantID: r.reg.TenantID, SHA256: m.SHA256, Filename: m.Filename, MediaType: m.MediaType, Size: m.Size,
			Kind: procedo.DocumentMain, Description: truncate(r.reg.Subject, 500)}
		if err := insertDocument(ctx, tx, d); err != nil {
			return err
		}
		r.reg.DocumentID = &d.ID
	}
	return nil
}

// completeRegistrations writes what follows the numbers of a batch: the
// attachments, the links to the documents, assignments and the history, with
// one multi-row statement per table.
func completeRegistrations(ctx context.Context, tx *Tx, group []*regRequest) error {
	var links, assigns, events [][]any
	now := tx.db.ts(tx.now)
	event := func(r *regRequest, kind, field, value, reason string) {
		a := procedo.ActorFromContext(r.ctx)
		events = append(events, []any{r.reg.TenantID, r.reg.ID, now, a.Ref(), a.Name(), kind, field, "", value, reason})
	}
	for _, r := range group {
		reg, tid := r.reg, r.reg.TenantID
		if reg.DocumentID != nil {
			links = append(links, []any{tid, reg.ID, *reg.DocumentID, "main", 0})
		}
		for i, u := range r.in.Attachments {
			d := &procedo.Document{TenantID: tid, SHA256: u.SHA256, Filename: u.Filename, MediaType: u.MediaType, Size: u.Size,
				Kind: procedo.DocumentAttachment, Description: "Allegato " + fmt.Sprint(i+1)}
			if err := insertDocument(ctx, tx, d); err != nil {
				return err
			}
			links = append(links, []any{tid, reg.ID, d.ID, "attachment", i + 1})
		}
		// The "registered" entry of the history is derived from the row itself
		// (time, number, created_by): not stored twice.
		offices := map[int64]bool{}
		assign := func(office int64, kind string) {
			if offices[office] {
				return
			}
			offices[office] = true
			assigns = append(assigns, []any{tid, reg.ID, office, kind, "pending", now})
			event(r, "assigned", kind, fmt.Sprint(office), "")
		}
		if o := r.in.ActionOffice; o != nil {
			assign(*o, procedo.AssignmentAction)
		}
		for _, o := range r.in.InfoOffices {
			assign(o, procedo.AssignmentInfo)
		}
	}
	if err := insertRows(ctx, tx, "registration_documents", []string{"tenant_id", "registration_id", "document_id", "role", "position"}, links, "", nil); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "registration_assignments", []string{"tenant_id", "registration_id", "org_unit_id", "kind", "status", "created_at"}, assigns, "", nil); err != nil {
		return err
	}
	if err := insertRegistrationImports(ctx, tx, group); err != nil {
		return err
	}
	return insertRows(ctx, tx, "registration_events", []string{"tenant_id", "registration_id", "at", "actor", "actor_name", "kind",
		"field", "old_value", "new_value", "reason"}, events, "", nil)
}

// RegisterEntry implements procedo.RegistrationService.
func (s *RegistrationService) RegisterEntry(ctx context.Context, in *procedo.RegistrationInput) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.RegisterEntry")
	a := procedo.ActorFromContext(ctx)
	if err := procedo.RequireRole(a, procedo.RoleRegistry, procedo.RoleAdmin); err != nil {
		return nil, err
	}
	s.db.startRegistrar()
	// Counted until the request is queued, so the registrar knows who is coming.
	s.db.registrar.inflight.Add(1)
	queued := false
	defer func() {
		if !queued {
			s.db.registrar.inflight.Add(-1)
		}
	}()
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	in.Subject = strings.TrimSpace(in.Subject)
	for i := range in.Correspondents {
		c := &in.Correspondents[i]
		c.Name, c.FiscalCode, c.Email = strings.TrimSpace(c.Name), strings.ToUpper(strings.TrimSpace(c.FiscalCode)), strings.TrimSpace(c.Email)
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkRegistrationRefs(ctx, tid, in); err != nil {
		return nil, err
	}
	if err := s.checkNotImported(ctx, tid, in.Sender); err != nil {
		return nil, err
	}
	uploads := append([]*procedo.Upload{}, in.Attachments...)
	if in.Main != nil {
		uploads = append(uploads, in.Main)
	}
	if err := s.db.checkUploads(ctx, tid, uploads); err != nil {
		return nil, err
	}
	reg := &procedo.Registration{TenantID: tid, Direction: in.Direction, Subject: in.Subject, Correspondents: in.Correspondents,
		AttachmentCount: len(in.Attachments), Attachments: in.AttachmentsNote, OrgUnitID: in.ActionOffice,
		Classification: in.Classification, Channel: in.Channel, Reserved: in.Reserved, SenderProtocol: strings.TrimSpace(in.SenderProtocol),
		SenderProtocolDate: in.SenderProtocolDate, CreatedBy: a.Ref()}
	if reg.Correspondents == nil {
		reg.Correspondents = []procedo.Correspondent{}
	}
	if in.Main != nil {
		reg.Fingerprint = in.Main.SHA256
	}
	if reg.Attachments == "" && len(in.Attachments) > 0 {
		names := make([]string, len(in.Attachments))
		for i, u := range in.Attachments {
			names[i] = u.Filename
		}
		reg.Attachments = truncate(strings.Join(names, "; "), 1000)
	}
	if e := in.Emergency; e != nil {
		at := e.At.UTC().Truncate(time.Microsecond)
		reg.EmergencyNumber, reg.EmergencyAt = strings.TrimSpace(e.Number), &at
	}
	req := &regRequest{ctx: ctx, in: in, reg: reg, index: s.db.dialect.indexRow(reg), done: make(chan error, 1)}
	select {
	case s.db.registrar.reqs <- req:
		queued = true
		s.db.registrar.inflight.Add(-1)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := <-req.done; err != nil {
		if procedo.ErrorCode(err) == procedo.ECONFLICT && in.Sender != nil {
			return nil, alreadyImported(in.Sender, nil)
		}
		if procedo.ErrorCode(err) == procedo.ECONFLICT && reg.EmergencyNumber != "" {
			return nil, procedo.FieldErrors{"emergency_number": "Questa registrazione di emergenza è già stata riportata nel registro ordinario."}
		}
		return nil, err
	}
	return reg, nil
}

// checkRegistrationRefs checks that offices and classification exist in the tenant.
func (s *RegistrationService) checkRegistrationRefs(ctx context.Context, tid int64, in *procedo.RegistrationInput) error {
	offices := append([]int64{}, in.InfoOffices...)
	if in.ActionOffice != nil {
		offices = append(offices, *in.ActionOffice)
	}
	for _, o := range offices {
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE tenant_id = ? AND id = ?`, tid, o).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return procedo.FieldErrors{"offices": "Ufficio assegnatario sconosciuto."}
		}
	}
	return s.checkClassification(ctx, tid, in.Classification)
}
