// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// opinionEnv is the case engine's environment plus, in Comune A, the office
// asked for opinions (TEC) with an operator and a manager.
type opinionEnv struct {
	*caseEnv
	tec            *procedo.OrgUnit
	tecOp, tecMgr  *procedo.User
	regs           *sqlstore.RegistrationService
	tecOpCtx, regA context.Context
}

func newOpinionEnv(t *testing.T) *opinionEnv {
	t.Helper()
	ce := newCaseEnv(t, nil)
	oe := &opinionEnv{caseEnv: ce, regs: sqlstore.NewRegistrationService(ce.DB)}
	oe.tec = &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico", Email: "tecnico@a.test"}
	if err := sqlstore.NewOrgUnitService(ce.DB).CreateOrgUnit(ce.sys(), oe.tec); err != nil {
		t.Fatal(err)
	}
	users := sqlstore.NewUserService(ce.DB)
	mk := func(name string, roles ...procedo.Role) *procedo.User {
		u := &procedo.User{Username: name, FullName: "Utente " + name, Email: name + "@a.test", Roles: roles, OrgUnitID: &oe.tec.ID}
		if err := users.CreateUser(ce.sys(), u, testkit.Password); err != nil {
			t.Fatal(err)
		}
		return u
	}
	oe.tecOp, oe.tecMgr = mk("tecnico", procedo.RoleOperator), mk("capotecnico", procedo.RoleManager)
	oe.tecOpCtx, oe.regA = ce.A.AsUser(oe.tecOp), ce.A.AsUser(ce.A.Registry)
	return oe
}

// inReview opens a case of Mario and starts its review on 3 March 2026.
func (oe *opinionEnv) inReview(t *testing.T) *procedo.Case {
	t.Helper()
	cas := oe.submit(t, testkit.Mario)
	oe.at("2026-03-03")
	return oe.fire(t, oe.op(), cas.ID, "start", "")
}

// upload stores a small PDF in Comune A's blob store.
func (oe *opinionEnv) upload(t *testing.T, name string) *procedo.Upload {
	t.Helper()
	content := []byte("%PDF-1.4\n% " + name + "\n")
	info, err := oe.DB.Blobs.Put(context.Background(), oe.A.Tenant.ID, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return &procedo.Upload{Field: "file", Filename: name, MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}
}

func (oe *opinionEnv) events(t *testing.T, id int64, kind string) []*procedo.CaseEvent {
	t.Helper()
	all, err := oe.cases.FindCaseEvents(oe.op(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []*procedo.CaseEvent
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestCaseOpinions_Internal(t *testing.T) {
	oe := newOpinionEnv(t)
	cas := oe.inReview(t)
	docs, err := oe.cases.FindCaseDocuments(oe.op(), cas.ID)
	if err != nil || len(docs) < 2 {
		t.Fatalf("documents %v %v", docs, err)
	}
	sent := docs[0] // the application's PDF
	oe.at("2026-03-04")
	o, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{OrgUnitID: oe.tec.ID,
		Question: "La documentazione è conforme al regolamento edilizio?", DocumentIDs: []int64{sent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Request", func(t *testing.T) {
		if o.Days != procedo.DefaultOpinionDays || o.DueDate != day("2026-03-24") || o.Suspends || o.Transition != "" ||
			o.Status != procedo.OpinionRequested || o.Recipient != procedo.OpinionInternal || o.RequestProtocol == "" {
			t.Fatalf("opinion %+v", o)
		}
		reg, err := oe.regs.FindRegistrationByID(oe.op(), o.RequestRegistrationID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Direction != procedo.DirectionInternal || reg.AttachmentCount != 1 || reg.Channel != "interno" ||
			len(reg.Correspondents) != 1 || reg.Correspondents[0].Name != "Ufficio Tecnico" {
			t.Fatalf("registration %+v", reg)
		}
		// No model transition into a consultation state without a suspension:
		// the state and the clock do not change.
		if c := oe.reload(t, cas.ID); c.Status != procedo.CaseInReview || c.ClockState != procedo.ClockRunning || c.DueDate != cas.DueDate {
			t.Fatalf("case %+v", c)
		}
		if evs := oe.events(t, cas.ID, procedo.CaseEventOpinionRequest); len(evs) != 1 || !strings.Contains(evs[0].Reason, "Ufficio Tecnico") ||
			evs[0].RegistrationID == nil || *evs[0].RegistrationID != o.RequestRegistrationID {
			t.Fatalf("events %+v", evs)
		}
		if m := oe.mails(t, "tecnico@a.test"); len(m) != 1 || !strings.Contains(m[0].Body, "/ufficio/pareri/") {
			t.Fatalf("mail to the office asked: %+v", m)
		}
		// The request is an internal document of the case: staff see it, the applicant does not.
		staff, _ := oe.cases.FindCaseDocuments(oe.op(), cas.ID)
		mine, _ := oe.cases.FindCaseDocuments(oe.A.AsCitizen(testkit.Mario), cas.ID)
		has := func(ds []*procedo.Document, id int64) bool {
			return slices.ContainsFunc(ds, func(d *procedo.Document) bool { return d.ID == id })
		}
		if !has(staff, o.RequestDocumentID) || has(mine, o.RequestDocumentID) {
			t.Fatal("request document visibility")
		}
	})
	t.Run("RecipientReadsThroughTheRequestOnly", func(t *testing.T) {
		_, err := oe.cases.FindCaseByID(oe.tecOpCtx, cas.ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
		_, err = oe.cases.FindCaseOpinions(oe.tecOpCtx, cas.ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
		_, err = sqlstore.NewDocumentService(oe.DB).FindDocumentByID(oe.tecOpCtx, sent.ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
		file, err := oe.cases.FindOpinionByID(oe.tecOpCtx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if file.Definition == nil || file.Form["oggetto"] == "" || len(file.Documents) != 2 || file.Case.ID != cas.ID {
			t.Fatalf("file %+v", file)
		}
		d, rc, err := oe.cases.OpenOpinionDocument(oe.tecOpCtx, o.ID, sent.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if d.ID != sent.ID {
			t.Fatal(d)
		}
		// A document of the case not sent with the request stays closed.
		_, _, err = oe.cases.OpenOpinionDocument(oe.tecOpCtx, o.ID, docs[1].ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
		if n, total, err := oe.cases.FindOpinions(oe.tecOpCtx, procedo.OpinionFilter{Box: procedo.OpinionBoxToAnswer}); err != nil || total != 1 || len(n) != 1 {
			t.Fatalf("to answer %v %d %v", n, total, err)
		}
		counts, err := oe.cases.CountOpinions(oe.tecOpCtx)
		if err != nil || counts[procedo.OpinionBoxToAnswer] != 1 || counts[procedo.OpinionBoxRequested] != 0 {
			t.Fatalf("counts %v %v", counts, err)
		}
		counts, err = oe.cases.CountOpinions(oe.op())
		if err != nil || counts[procedo.OpinionBoxToAnswer] != 0 || counts[procedo.OpinionBoxRequested] != 1 || counts[procedo.OpinionBoxExternal] != 0 {
			t.Fatalf("counts of the case's office %v %v", counts, err)
		}
	})
	t.Run("OthersCannotSee", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{"registry": oe.regA, "operator B": oe.B.AsUser(oe.B.Operator),
			"manager B": oe.B.AsUser(oe.B.Manager), "citizen": oe.A.AsCitizen(testkit.Mario)} {
			if _, err := oe.cases.FindOpinionByID(ctx, o.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: FindOpinionByID %v", name, err)
			}
			if _, _, err := oe.cases.OpenOpinionDocument(ctx, o.ID, sent.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: OpenOpinionDocument %v", name, err)
			}
		}
		if ops, n, err := oe.cases.FindOpinions(oe.B.AsUser(oe.B.Manager), procedo.OpinionFilter{}); err != nil || n != 0 || len(ops) != 0 {
			t.Fatalf("tenant B lists %v %d %v", ops, n, err)
		}
		_, _, err := oe.cases.FindOpinions(oe.A.AsCitizen(testkit.Mario), procedo.OpinionFilter{})
		wantCaseCode(t, err, procedo.EFORBIDDEN)
		_, _, err = oe.cases.FindOpinions(oe.op(), procedo.OpinionFilter{Box: "tutti"})
		wantCaseCode(t, err, procedo.EINVALID)
	})
	t.Run("AnswerRefused", func(t *testing.T) {
		ans := procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable}
		for name, c := range map[string]struct {
			ctx  context.Context
			code string
		}{
			"requesting office": {oe.op(), procedo.EFORBIDDEN}, "manager of the case's office": {oe.mgr(), procedo.EFORBIDDEN},
			"registry": {oe.regA, procedo.ENOTFOUND}, "admin": {oe.A.AsUser(oe.A.Admin), procedo.EFORBIDDEN},
			"operator B": {oe.B.AsUser(oe.B.Operator), procedo.ENOTFOUND}, "citizen": {oe.A.AsCitizen(testkit.Mario), procedo.ENOTFOUND},
		} {
			if _, err := oe.cases.AnswerOpinion(c.ctx, o.ID, ans); procedo.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		_, err := oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: "forse"})
		if procedo.FieldErrorsOf(err)["outcome"] == "" {
			t.Fatalf("got %v", err)
		}
		_, err = oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionUnfavourable, Text: "  "})
		if procedo.FieldErrorsOf(err)["text"] == "" {
			t.Fatalf("got %v", err)
		}
		_, err = oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable, SenderProtocol: "n. 5"})
		if procedo.FieldErrorsOf(err)["sender_protocol"] == "" {
			t.Fatalf("got %v", err)
		}
		if got, _ := oe.cases.FindOpinionByID(oe.op(), o.ID); got.Opinion.Status != procedo.OpinionRequested {
			t.Fatalf("refused answers changed the request: %+v", got.Opinion)
		}
	})
	t.Run("Answer", func(t *testing.T) {
		oe.at("2026-03-10")
		before := len(oe.mails(t, "segreteria@a.test"))
		got, err := oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionConditional,
			Text: "Favorevole a condizione che la recinzione resti sotto 1,5 m.", Upload: oe.upload(t, "relazione.pdf")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != procedo.OpinionGiven || got.AnswerRegistrationID == nil || got.AnswerFileID == nil || got.AnsweredByName == "" {
			t.Fatalf("answer %+v", got)
		}
		reg, err := oe.regs.FindRegistrationByID(oe.op(), *got.AnswerRegistrationID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Direction != procedo.DirectionInternal || reg.AttachmentCount != 1 || *reg.DocumentID != *got.AnswerDocumentID {
			t.Fatalf("registration %+v", reg)
		}
		if evs := oe.events(t, cas.ID, procedo.CaseEventOpinionAnswer); len(evs) != 1 || !strings.Contains(evs[0].Reason, "favorevole con prescrizioni") {
			t.Fatalf("events %+v", evs)
		}
		// The case's office (no responsible person yet) is told.
		if m := oe.mails(t, "segreteria@a.test"); len(m) != before+1 || !strings.Contains(m[0].Subject, "parere reso") {
			t.Fatalf("mails %d→%d", before, len(m))
		}
		staff, _ := oe.cases.FindCaseDocuments(oe.op(), cas.ID)
		if !slices.ContainsFunc(staff, func(d *procedo.Document) bool { return d.ID == *got.AnswerFileID && d.Kind == procedo.DocumentOpinion }) {
			t.Fatal("the answer's file is not a document of the case")
		}
		_, err = oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable})
		wantCaseCode(t, err, procedo.ECONFLICT)
	})
	t.Run("RecipientLosesTheCaseOnceAnswered", func(t *testing.T) {
		file, err := oe.cases.FindOpinionByID(oe.tecOpCtx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if file.Definition != nil || file.Form != nil || len(file.Documents) != 3 { // request, answer, its file
			t.Fatalf("file %+v, %d documents", file, len(file.Documents))
		}
		_, _, err = oe.cases.OpenOpinionDocument(oe.tecOpCtx, o.ID, sent.ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
		if _, _, err := oe.cases.OpenOpinionDocument(oe.tecOpCtx, o.ID, o.RequestDocumentID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ApplicantSeesTheOutcomeOnly", func(t *testing.T) {
		ops, err := oe.cases.FindCaseOpinions(oe.A.AsCitizen(testkit.Mario), cas.ID)
		if err != nil || len(ops) != 1 {
			t.Fatalf("%v %v", ops, err)
		}
		x := ops[0]
		if x.Outcome != procedo.OpinionConditional || x.Question != "" || x.Answer != "" || x.AnswerDocumentID != nil ||
			x.RequestedByName != "" || x.OrgUnitName != "Ufficio Tecnico" {
			t.Fatalf("applicant's view %+v", x)
		}
		_, err = oe.cases.FindCaseOpinions(oe.A.AsCitizen(testkit.Lucia), cas.ID)
		wantCaseCode(t, err, procedo.ENOTFOUND)
	})
}

func TestCaseOpinions_ExternalSuspends(t *testing.T) {
	oe := newOpinionEnv(t)
	cas := oe.inReview(t)
	docs, _ := oe.cases.FindCaseDocuments(oe.op(), cas.ID)
	oe.at("2026-03-05")
	o, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{ExternalName: "ASL Lecce", ExternalEmail: "protocollo@pec.asl.example.it",
		Question: "Parere igienico-sanitario sull'intervento.", Days: 30, DocumentIDs: []int64{docs[0].ID, docs[0].ID}, Suspend: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Request", func(t *testing.T) {
		if !o.Suspends || o.Transition != "ask_opinion" || o.DueDate != day("2026-04-04") || len(o.DocumentIDs) != 1 {
			t.Fatalf("opinion %+v", o)
		}
		reg, err := oe.regs.FindRegistrationByID(oe.op(), o.RequestRegistrationID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Direction != procedo.DirectionOutgoing || reg.Channel != "pec" || reg.Correspondents[0].Email != "protocollo@pec.asl.example.it" {
			t.Fatalf("registration %+v", reg)
		}
		c := oe.reload(t, cas.ID)
		if c.Status != procedo.CaseConsultation || c.ClockState != procedo.ClockSuspended || c.Waiting != procedo.WaitingOpinion {
			t.Fatalf("case %+v", c)
		}
		m := oe.mails(t, "protocollo@pec.asl.example.it")
		if len(m) != 1 || len(m[0].Attachments) != 2 || !strings.Contains(m[0].Body, "Parere igienico-sanitario") {
			t.Fatalf("mail %+v", m)
		}
		// The request took the place of the transition's own document.
		all, _ := oe.cases.FindCaseDocuments(oe.op(), cas.ID)
		if slices.ContainsFunc(all, func(d *procedo.Document) bool {
			return strings.Contains(d.Description, "Richiesta di parere") && d.ID != o.RequestDocumentID
		}) {
			t.Fatal("two request documents")
		}
		if evs := oe.events(t, cas.ID, procedo.CaseEventTransition); evs[len(evs)-1].Transition != "ask_opinion" {
			t.Fatalf("transition event %+v", evs[len(evs)-1])
		}
	})
	t.Run("SuspendNotOfferedInConsultation", func(t *testing.T) {
		_, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "Altro?", Suspend: true})
		if procedo.FieldErrorsOf(err)["suspend"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("RegistryRecordsTheAnswer", func(t *testing.T) {
		ops, n, err := oe.cases.FindOpinions(oe.regA, procedo.OpinionFilter{Box: procedo.OpinionBoxExternal})
		if err != nil || n != 1 || ops[0].ID != o.ID {
			t.Fatalf("external box %v %d %v", ops, n, err)
		}
		file, err := oe.cases.FindOpinionByID(oe.regA, o.ID)
		if err != nil || file.Definition != nil {
			t.Fatalf("registry reads the case's data: %+v %v", file, err)
		}
		_, err = oe.cases.AnswerOpinion(oe.tecOpCtx, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable})
		wantCaseCode(t, err, procedo.ENOTFOUND)
		oe.at("2026-03-15")
		up := oe.upload(t, "parere-asl.pdf")
		got, err := oe.cases.AnswerOpinion(oe.regA, o.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable, Upload: up,
			SenderProtocol: "n. 4521 del 14/03/2026"})
		if err != nil {
			t.Fatal(err)
		}
		reg, err := oe.regs.FindRegistrationByID(oe.regA, *got.AnswerRegistrationID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Direction != procedo.DirectionIncoming || reg.Fingerprint != up.SHA256 || reg.SenderProtocol != "n. 4521 del 14/03/2026" ||
			reg.Correspondents[0].Name != "ASL Lecce" {
			t.Fatalf("registration %+v", reg)
		}
		// The suspension lasts from the request to the answer, both included.
		want := procedo.DueDate(cas.StartDate, cas.TermDays, procedo.Calendar{PatronDay: oe.A.Tenant.PatronDay},
			procedo.DateRange{From: day("2026-03-05"), To: day("2026-03-15")})
		c := oe.reload(t, cas.ID)
		if c.Status != procedo.CaseConsultation || c.ClockState != procedo.ClockRunning || c.DueDate != want || !want.After(cas.DueDate.AddDays(10)) {
			t.Fatalf("case %+v (was due %s, want %s)", c, cas.DueDate, want)
		}
		// The office then records the outcome with the model's action: the
		// clock is not resumed twice.
		oe.fire(t, oe.op(), cas.ID, "receive_opinion", "")
		if k := oe.clock(t, cas.ID, "2026-03-16"); len(k.Events) != 2 || k.Due != want {
			t.Fatalf("clock %+v", k)
		}
	})
}

func TestCaseOpinions_RequestRefused(t *testing.T) {
	oe := newOpinionEnv(t)
	cas := oe.inReview(t)
	other := oe.submit(t, testkit.Lucia)
	otherDocs, _ := oe.cases.FindCaseDocuments(oe.op(), other.ID)
	ok := procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "Quesito"}
	regsBefore := countRows(t, oe.DB, "registrations")
	for name, c := range map[string]struct {
		ctx   context.Context
		req   procedo.OpinionRequest
		code  string
		field string
	}{
		"operator B":             {oe.B.AsUser(oe.B.Operator), ok, procedo.ENOTFOUND, ""},
		"manager B":              {oe.B.AsUser(oe.B.Manager), ok, procedo.ENOTFOUND, ""},
		"registry":               {oe.regA, ok, procedo.ENOTFOUND, ""},
		"admin":                  {oe.A.AsUser(oe.A.Admin), ok, procedo.EFORBIDDEN, ""},
		"office asked":           {oe.A.AsUser(oe.tecMgr), ok, procedo.EFORBIDDEN, ""},
		"applicant":              {oe.A.AsCitizen(testkit.Mario), ok, procedo.EFORBIDDEN, ""},
		"no recipient":           {oe.op(), procedo.OpinionRequest{Question: "x"}, procedo.EINVALID, "recipient"},
		"both recipients":        {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, ExternalName: "ASL", Question: "x"}, procedo.EINVALID, "recipient"},
		"bad e-mail":             {oe.op(), procedo.OpinionRequest{ExternalName: "ASL", ExternalEmail: "asl", Question: "x"}, procedo.EINVALID, "external_email"},
		"no question":            {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: " "}, procedo.EINVALID, "question"},
		"long question":          {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: strings.Repeat("a", 4001)}, procedo.EINVALID, "question"},
		"91 days":                {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "x", Days: 91}, procedo.EINVALID, "days"},
		"own office":             {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.A.Office.ID, Question: "x"}, procedo.EINVALID, "org_unit_id"},
		"office of B":            {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.B.Office.ID, Question: "x"}, procedo.EINVALID, "org_unit_id"},
		"document of other case": {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "x", DocumentIDs: []int64{otherDocs[0].ID}}, procedo.EINVALID, "documents"},
		"suspend not allowed":    {oe.op(), procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "x", Suspend: true}, procedo.EINVALID, ""},
	} {
		id := cas.ID
		if name == "suspend not allowed" {
			id = other.ID // still submitted: no consultation transition from there
		}
		_, err := oe.cases.RequestOpinion(c.ctx, id, c.req)
		if procedo.ErrorCode(err) != c.code || (c.field != "" && procedo.FieldErrorsOf(err)[c.field] == "") {
			t.Errorf("%s: got %v, want %s %s", name, err, c.code, c.field)
		}
	}
	oe.at("2026-03-20")
	oe.fire(t, oe.mgr(), cas.ID, "accept", "")
	_, err := oe.cases.RequestOpinion(oe.op(), cas.ID, ok)
	wantCaseCode(t, err, procedo.ECONFLICT)
	if n := countRows(t, oe.DB, "case_opinions"); n != 0 {
		t.Fatalf("%d opinions stored", n)
	}
	if n := countRows(t, oe.DB, "registrations"); n != regsBefore+1 { // the decision only
		t.Fatalf("registrations %d → %d", regsBefore, n)
	}
}

func TestCaseOpinions_DeadlineSkipsHolidays(t *testing.T) {
	oe := newOpinionEnv(t)
	for _, c := range []struct {
		name, on string
		days     int
		due      string
	}{
		{"Working day", "2026-03-04", 20, "2026-03-24"},
		{"Sunday", "2026-03-02", 20, "2026-03-23"},        // 22 March is a Sunday
		{"Easter Monday", "2026-03-17", 20, "2026-04-07"}, // 6 April 2026
		{"Patron saint", "2026-05-24", 20, "2026-06-15"},  // 13 June (Comune A), then Sunday 14
		{"Four October", "2026-09-14", 20, "2026-10-05"},  // national holiday from 2026, a Sunday anyway
		{"One day", "2026-04-24", 1, "2026-04-27"},        // 25 April, then Sunday 26
	} {
		t.Run(c.name, func(t *testing.T) {
			oe.at(c.on)
			cas := oe.submit(t, testkit.Mario)
			o, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "x", Days: c.days})
			if err != nil {
				t.Fatal(err)
			}
			if o.DueDate != day(c.due) {
				t.Fatalf("due %s, want %s", o.DueDate, c.due)
			}
		})
	}
}

func TestCaseOpinions_OverdueAlertOnce(t *testing.T) {
	oe := newOpinionEnv(t)
	cas := oe.inReview(t)
	late, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{OrgUnitID: oe.tec.ID, Question: "x", Days: 5})
	if err != nil {
		t.Fatal(err)
	}
	given, err := oe.cases.RequestOpinion(oe.op(), cas.ID, procedo.OpinionRequest{ExternalName: "Provincia", ExternalEmail: "prov@example.it",
		Question: "y", Days: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oe.cases.AnswerOpinion(oe.op(), given.ID, procedo.OpinionAnswer{Outcome: procedo.OpinionFavourable}); err != nil {
		t.Fatal(err)
	}
	_, err = oe.cases.AlertOverdueOpinions(oe.op(), day("2026-04-01"))
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	if n, err := oe.cases.AlertOverdueOpinions(oe.sys(), late.DueDate); err != nil || n != 0 {
		t.Fatalf("on the deadline: %d %v", n, err)
	}
	oe.at("2026-03-10")
	before := len(oe.mails(t, "segreteria@a.test"))
	for i, want := range []int{1, 0} {
		n, err := oe.cases.AlertOverdueOpinions(oe.sys(), late.DueDate.AddDays(1))
		if err != nil || n != want {
			t.Fatalf("run %d: %d %v, want %d", i, n, err, want)
		}
	}
	if _, err := oe.cases.AlertOverdueOpinions(oe.sys(), late.DueDate.AddDays(2)); err != nil {
		t.Fatal(err)
	}
	m := oe.mails(t, "segreteria@a.test")
	if len(m) != before+1 || !strings.Contains(m[0].Body, "non è stato reso entro il "+late.DueDate.Italian()) {
		t.Fatalf("mails %d→%d", before, len(m))
	}
	if evs := oe.events(t, cas.ID, procedo.CaseEventOpinionOverdue); len(evs) != 1 {
		t.Fatalf("events %+v", evs)
	}
	// Tenant B's job sees nothing of A's.
	if n, err := oe.cases.AlertOverdueOpinions(oe.B.As(procedo.SystemActor), day("2026-12-31")); err != nil || n != 0 {
		t.Fatalf("tenant B: %d %v", n, err)
	}
	file, err := oe.cases.FindOpinionByID(oe.op(), late.ID)
	if err != nil || file.Opinion.OverdueAlertSentAt == nil || !file.Opinion.Overdue(day("2026-03-10")) ||
		file.Opinion.StatusLabel(day("2026-03-10")) != "Scaduto" {
		t.Fatalf("%+v %v", file, err)
	}
}

func TestDB_ScheduleOpinionJobs(t *testing.T) {
	env := testkit.NewEnv(t)
	for range 3 {
		if err := env.DB.ScheduleOpinionJobs(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := countRows(t, env.DB, "jobs"); n != 2 { // one per tenant
		t.Fatalf("%d jobs", n)
	}
}
