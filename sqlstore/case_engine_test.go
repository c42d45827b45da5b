// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// caseEnv is two Comuni, a fixed clock and, in Comune A, a procedure with the
// whole Law 241 workflow (start notice, integrations, 10-bis, opinions,
// decisions only managers may adopt, an extension).
type caseEnv struct {
	*testkit.Env
	cases   *sqlstore.CaseService
	version *procedo.ProcedureVersion
	mu      sync.Mutex
	now     time.Time
}

// testWorkflow is the workflow of the test procedure.
func testWorkflow() *procedo.ProcedureWorkflow {
	all := []procedo.Role{procedo.RoleOperator, procedo.RoleManager}
	mgr := []procedo.Role{procedo.RoleManager}
	return &procedo.ProcedureWorkflow{
		States: []procedo.WorkflowState{
			{Name: procedo.CaseSubmitted, Label: "Presentata", Phase: procedo.PhasePreparatory},
			{Name: procedo.CaseInReview, Label: "In istruttoria", Phase: procedo.PhaseInquiry},
			{Name: procedo.CaseSuspended, Label: "In attesa di integrazioni", Phase: procedo.PhaseInquiry},
			{Name: procedo.CaseNotice10bis, Label: "Preavviso di rigetto inviato", Phase: procedo.PhaseDecision},
			{Name: procedo.CaseConsultation, Label: "In attesa del parere", Phase: procedo.PhaseConsultive},
			{Name: procedo.CaseAccepted, Label: "Accolta", Phase: procedo.PhaseDecision},
			{Name: procedo.CaseRejected, Label: "Respinta", Phase: procedo.PhaseDecision},
			{Name: procedo.CaseArchived, Label: "Archiviata", Phase: procedo.PhaseDecision},
		},
		Transitions: []procedo.Transition{
			{Name: "start", Label: "Avvia", From: procedo.CaseSubmitted, To: procedo.CaseInReview, Roles: all, Document: procedo.DocStartNotice, Register: true, NotifyApplicant: true},
			{Name: "request_integration", Label: "Richiedi integrazioni", From: procedo.CaseInReview, To: procedo.CaseSuspended, Roles: all, NeedsReason: true,
				Document: procedo.DocIntegrationRequest, Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectSuspend},
			{Name: "receive_integration", Label: "Registra le integrazioni", From: procedo.CaseSuspended, To: procedo.CaseInReview,
				Roles: []procedo.Role{procedo.RoleOperator, procedo.RoleManager, procedo.RoleRegistry}, Clock: procedo.ClockEffectResume},
			{Name: "send_10bis", Label: "Preavviso di rigetto", From: procedo.CaseInReview, To: procedo.CaseNotice10bis, Roles: all, NeedsReason: true,
				Document: procedo.DocNotice10bis, Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectSuspend},
			{Name: "receive_observations", Label: "Registra le osservazioni", From: procedo.CaseNotice10bis, To: procedo.CaseInReview, Roles: all,
				Clock: procedo.ClockEffectResume},
			{Name: "ask_opinion", Label: "Chiedi il parere", From: procedo.CaseInReview, To: procedo.CaseConsultation, Roles: all, Document: "richiesta_parere",
				Register: true, Clock: procedo.ClockEffectSuspend},
			{Name: "receive_opinion", Label: "Registra il parere", From: procedo.CaseConsultation, To: procedo.CaseInReview, Roles: all, Clock: procedo.ClockEffectResume},
			{Name: "accept", Label: "Accogli", From: procedo.CaseInReview, To: procedo.CaseAccepted, Roles: mgr, Document: procedo.DocDecision, Register: true,
				NotifyApplicant: true, Clock: procedo.ClockEffectStop},
			{Name: "reject", Label: "Respingi", From: procedo.CaseNotice10bis, To: procedo.CaseRejected, Roles: mgr, NeedsReason: true, Document: procedo.DocDecision,
				Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectStop},
			{Name: "archive", Label: "Archivia", From: procedo.CaseSuspended, To: procedo.CaseArchived, Roles: all, NeedsReason: true, Document: procedo.DocDecision,
				Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectStop},
		},
	}
}

// testModel is accesso-documentale's form with the test workflow; mutate changes it further.
func testModel(t *testing.T, mutate func(*procedo.ProcedureDefinition)) *procedo.ProcedureDefinition {
	t.Helper()
	def, err := library.Model("accesso-documentale")
	if err != nil {
		t.Fatal(err)
	}
	def.ID, def.Title, def.Silence, def.SuspensionAllowed = "pratica-prova", "Pratica di prova", procedo.SilenceNone, true
	def.SubstitutePower = "il Segretario comunale"
	def.Workflow = testWorkflow()
	def.Documents = map[string]procedo.DocumentTemplate{
		"richiesta_parere": {Title: "Richiesta di parere", Text: "Si chiede il parere sulla pratica {{numero_pratica}}: {{campo.oggetto}}."},
	}
	def.Decisions = map[string]string{
		procedo.OutcomeAccepted: "Si accoglie l'istanza di {{richiedente}} relativa a {{campo.oggetto}}.",
		procedo.OutcomeRejected: "Si respinge l'istanza di {{richiedente}}: {{motivazione}}.",
	}
	def.RetentionYears, def.Retention = 20, map[string]int{procedo.OutcomeAccepted: 10, procedo.OutcomeRejected: 5}
	def.Extensions = []procedo.Extension{{Days: 30, Reason: "Parere della commissione (art. 16 L. 241/1990)"}}
	if mutate != nil {
		mutate(def)
	}
	return def
}

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, procedo.Rome) // a Monday; 30 days end on Wednesday 1 April

func newCaseEnv(t *testing.T, mutate func(*procedo.ProcedureDefinition)) *caseEnv {
	t.Helper()
	ce := &caseEnv{Env: testkit.NewEnv(t), now: start}
	ce.DB.Now = func() time.Time {
		ce.mu.Lock()
		defer ce.mu.Unlock()
		return ce.now
	}
	ce.cases = sqlstore.NewCaseService(ce.DB)
	v, err := sqlstore.NewProcedureService(ce.DB).PublishProcedure(ce.A.As(procedo.SystemActor), testModel(t, mutate))
	if err != nil {
		t.Fatal(err)
	}
	ce.version = v
	return ce
}

// at moves the clock to day (at 10:00 in Rome).
func (ce *caseEnv) at(day string) {
	d, err := procedo.ParseDate(day)
	if err != nil {
		panic(err)
	}
	ce.mu.Lock()
	ce.now = time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, procedo.Rome)
	ce.mu.Unlock()
}

func day(s string) procedo.Date {
	d, err := procedo.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// submit files an application of the test procedure for z in Comune A.
func (ce *caseEnv) submit(t *testing.T, z *procedo.Citizen) *procedo.Case {
	t.Helper()
	r, err := sqlstore.NewApplicationService(ce.DB).SubmitApplication(ce.A.AsCitizen(z), ce.version.ID, testkit.ValidForm(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return r.Case
}

func (ce *caseEnv) op() context.Context  { return ce.A.AsUser(ce.A.Operator) }
func (ce *caseEnv) mgr() context.Context { return ce.A.AsUser(ce.A.Manager) }
func (ce *caseEnv) sys() context.Context { return ce.A.As(procedo.SystemActor) }

func (ce *caseEnv) fire(t *testing.T, ctx context.Context, id int64, name, reason string) *procedo.Case {
	t.Helper()
	c, err := ce.cases.TransitionCase(ctx, id, name, reason)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func (ce *caseEnv) clock(t *testing.T, id int64, at string) *procedo.CaseClock {
	t.Helper()
	c, err := ce.cases.FindCaseClock(ce.op(), id, day(at))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (ce *caseEnv) reload(t *testing.T, id int64) *procedo.Case {
	t.Helper()
	c, err := ce.cases.FindCaseByID(ce.op(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mails returns the outbox messages to addr, newest first.
func (ce *caseEnv) mails(t *testing.T, addr string) []*procedo.MailMessage {
	t.Helper()
	msgs, _, err := sqlstore.NewOutboxService(ce.DB).FindMailMessages(ce.sys(), procedo.MailFilter{To: &addr, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func wantCaseCode(t *testing.T, err error, code string) {
	t.Helper()
	if procedo.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestCaseEngine_StartNoticeAndIntegration(t *testing.T) {
	ce := newCaseEnv(t, nil)
	cas := ce.submit(t, testkit.Mario)
	if cas.Regime != procedo.RegimeExpress || cas.ClockState != procedo.ClockRunning || cas.DueDate != day("2026-04-01") {
		t.Fatalf("opened case %+v", cas)
	}
	ce.at("2026-03-03")
	ce.fire(t, ce.op(), cas.ID, "start", "")
	docs, err := ce.cases.FindCaseDocuments(ce.A.AsCitizen(testkit.Mario), cas.ID)
	if err != nil {
		t.Fatal(err)
	}
	notice := docs[len(docs)-1]
	if notice.Kind != procedo.DocumentNotice || !strings.HasPrefix(notice.Filename, "comunicazione-avvio") {
		t.Fatalf("start notice %+v", notice)
	}
	d, rc, err := sqlstore.NewDocumentService(ce.DB).OpenDocument(ce.A.AsCitizen(testkit.Mario), notice.ID)
	if err != nil {
		t.Fatalf("the applicant cannot open the start notice: %v", err)
	}
	rc.Close()
	if d.MediaType != "application/pdf" {
		t.Fatalf("document %+v", d)
	}
	if m := ce.mails(t, testkit.Mario.Email); len(m) != 2 || !strings.Contains(m[0].Subject, "avvio del procedimento") || len(m[0].Attachments) != 1 {
		t.Fatalf("start notice mail %+v", m[0])
	}
	evs, err := ce.cases.FindCaseEvents(ce.op(), cas.ID)
	if err != nil || evs[len(evs)-1].RegistrationID == nil || evs[len(evs)-1].DocumentID == nil {
		t.Fatalf("start event %+v %v", evs, err)
	}

	ce.at("2026-03-10")
	c := ce.fire(t, ce.op(), cas.ID, "request_integration", "Manca la planimetria.")
	if c.ClockState != procedo.ClockSuspended || c.Waiting != procedo.WaitingIntegration || c.WaitingUntil != day("2026-04-08") {
		t.Fatalf("after the request %+v", c)
	}
	if got := ce.clock(t, cas.ID, "2026-03-12"); got.State != procedo.ClockSuspended || got.SuspendedSince != day("2026-03-10") {
		t.Fatalf("clock %+v", got)
	}
	list, _, err := ce.cases.FindCases(ce.op(), procedo.CaseFilter{View: procedo.CaseViewWaiting})
	if err != nil || len(list) != 1 {
		t.Fatalf("waiting view %v %v", list, err)
	}

	// Observations are not what the case waits for.
	_, err = ce.cases.AnswerCase(ce.A.AsCitizen(testkit.Mario), cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingObservations, Message: "x"})
	wantCaseCode(t, err, procedo.ECONFLICT)
	_, err = ce.cases.AnswerCase(ce.A.AsCitizen(testkit.Mario), cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingIntegration})
	if procedo.FieldErrorsOf(err)["message"] == "" {
		t.Fatalf("empty answer: %v", err)
	}

	ce.at("2026-03-15")
	ctx := ce.A.AsCitizen(testkit.Mario)
	info, err := ce.DB.Blobs.Put(ctx, ce.A.Tenant.ID, bytes.NewReader([]byte("%PDF-1.4\n% planimetria\n")))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ce.cases.AnswerCase(ctx, cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingIntegration, Message: "Allego la planimetria.",
		Uploads: []*procedo.Upload{{Field: "file", Filename: "planimetria.pdf", MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Registration.Direction != procedo.DirectionIncoming || rec.Registration.AttachmentCount != 1 || len(rec.Documents) != 2 {
		t.Fatalf("answer %+v", rec)
	}
	c = ce.reload(t, cas.ID)
	// Suspended 10–15 March (6 days): 1 April becomes 7 April.
	if c.Status != procedo.CaseInReview || c.ClockState != procedo.ClockRunning || c.DueDate != day("2026-04-07") || c.Waiting != "" {
		t.Fatalf("after the answer %+v", c)
	}
	if docs, _ := ce.cases.FindCaseDocuments(ctx, cas.ID); len(docs) != 5 {
		t.Fatalf("documents after the answer: %d", len(docs))
	}
	if m := ce.mails(t, ce.A.Office.Email); len(m) != 1 || !strings.Contains(m[0].Body, "Integrazioni") {
		t.Fatalf("office mail %+v", m)
	}

	// Art. 2 c.7: once.
	_, err = ce.cases.TransitionCase(ce.op(), cas.ID, "request_integration", "Ancora qualcosa.")
	wantCaseCode(t, err, procedo.ECONFLICT)
	if !strings.Contains(procedo.ErrorMessage(err), "una sola volta") {
		t.Fatalf("message %q", procedo.ErrorMessage(err))
	}
	_, err = ce.cases.AnswerCase(ctx, cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingIntegration, Message: "di nuovo"})
	wantCaseCode(t, err, procedo.ECONFLICT)
}

func TestCaseEngine_IntegrationTimeout(t *testing.T) {
	ce := newCaseEnv(t, nil)
	cas := ce.submit(t, testkit.Mario)
	ce.fire(t, ce.op(), cas.ID, "start", "")
	ce.at("2026-03-03")
	ce.fire(t, ce.op(), cas.ID, "request_integration", "Manca la delega.")
	ce.at("2026-04-01") // the 30th day: still suspended
	if n, err := ce.cases.ResumeLapsedSuspensions(ce.sys(), day("2026-04-01")); err != nil || n != 0 {
		t.Fatalf("resumed early: %d %v", n, err)
	}
	_, err := ce.cases.ResumeLapsedSuspensions(ce.op(), day("2026-04-02"))
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	ce.at("2026-04-03")
	n, err := ce.cases.ResumeLapsedSuspensions(ce.sys(), day("2026-04-03"))
	if err != nil || n != 1 {
		t.Fatalf("resume: %d %v", n, err)
	}
	c := ce.reload(t, cas.ID)
	// Suspended 3 March – 1 April (30 days): 1 April + 30 = 1 May, a holiday → 2 May.
	if c.ClockState != procedo.ClockRunning || c.DueDate != day("2026-05-02") || c.Status != procedo.CaseSuspended {
		t.Fatalf("after the time-out %+v", c)
	}
	clk := ce.clock(t, cas.ID, "2026-04-03")
	last := clk.Events[len(clk.Events)-1]
	if last.Kind != procedo.ClockResume || last.Date != day("2026-04-01") || clk.Due != day("2026-05-02") {
		t.Fatalf("resume event %+v", last)
	}
	if m := ce.mails(t, testkit.Mario.Email); !strings.Contains(m[0].Body, "30 giorni") {
		t.Fatalf("applicant not told: %+v", m[0])
	}
	if m := ce.mails(t, ce.A.Office.Email); len(m) == 0 || !strings.Contains(m[0].Subject, "sospensione terminata") {
		t.Fatalf("office not told: %+v", m)
	}
	if n, err := ce.cases.ResumeLapsedSuspensions(ce.sys(), day("2026-04-04")); err != nil || n != 0 {
		t.Fatalf("resumed twice: %d %v", n, err)
	}
	// The applicant may still answer: the case leaves the waiting state, the clock is untouched.
	ce.at("2026-04-05")
	if _, err := ce.cases.AnswerCase(ce.A.AsCitizen(testkit.Mario), cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingIntegration, Message: "In ritardo."}); err != nil {
		t.Fatal(err)
	}
	if c := ce.reload(t, cas.ID); c.Status != procedo.CaseInReview || c.DueDate != day("2026-05-02") {
		t.Fatalf("late answer %+v", c)
	}
}

func TestCaseEngine_Notice10bis(t *testing.T) {
	t.Run("Observations", func(t *testing.T) {
		ce := newCaseEnv(t, nil)
		cas := ce.submit(t, testkit.Mario)
		ce.fire(t, ce.op(), cas.ID, "start", "")
		ce.at("2026-03-05")
		c := ce.fire(t, ce.op(), cas.ID, "send_10bis", "Il richiedente non è legittimato.")
		if c.Waiting != procedo.WaitingObservations || c.WaitingUntil != day("2026-03-15") {
			t.Fatalf("after 10-bis %+v", c)
		}
		ce.at("2026-03-09")
		if _, err := ce.cases.AnswerCase(ce.A.AsCitizen(testkit.Mario), cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingObservations,
			Message: "Sono il proprietario confinante."}); err != nil {
			t.Fatal(err)
		}
		c = ce.reload(t, cas.ID)
		// The term resumes ten days after the observations (art. 10-bis): on 19 March.
		if c.Status != procedo.CaseInReview || c.ClockState != procedo.ClockSuspended || c.WaitingUntil != day("2026-03-19") {
			t.Fatalf("after the observations %+v", c)
		}
		if got := ce.clock(t, cas.ID, "2026-03-12"); got.State != procedo.ClockSuspended {
			t.Fatalf("clock on 12 March %+v", got)
		}
		ce.at("2026-03-20")
		if n, err := ce.cases.ResumeLapsedSuspensions(ce.sys(), day("2026-03-20")); err != nil || n != 1 {
			t.Fatalf("%d %v", n, err)
		}
		// Suspended 5–19 March (15 days): 16 April.
		if c = ce.reload(t, cas.ID); c.ClockState != procedo.ClockRunning || c.DueDate != day("2026-04-16") {
			t.Fatalf("after the scheduled resume %+v", c)
		}
	})
	t.Run("TimeOut", func(t *testing.T) {
		ce := newCaseEnv(t, nil)
		cas := ce.submit(t, testkit.Mario)
		ce.fire(t, ce.op(), cas.ID, "start", "")
		ce.at("2026-03-05")
		ce.fire(t, ce.op(), cas.ID, "send_10bis", "Il richiedente non è legittimato.")
		ce.at("2026-03-16")
		if n, err := ce.cases.ResumeLapsedSuspensions(ce.sys(), day("2026-03-16")); err != nil || n != 1 {
			t.Fatalf("%d %v", n, err)
		}
		// Suspended 5–15 March (11 days): 12 April is a Sunday → Monday 13 April.
		c := ce.reload(t, cas.ID)
		if c.ClockState != procedo.ClockRunning || c.DueDate != day("2026-04-13") || c.Status != procedo.CaseNotice10bis {
			t.Fatalf("after the time-out %+v", c)
		}
		// The manager rejects: the 10-bis notice gives the reasons.
		ce.at("2026-03-20")
		c = ce.fire(t, ce.mgr(), cas.ID, "reject", "Nessuna osservazione pervenuta.")
		if c.Status != procedo.CaseRejected || c.Late || c.RetentionYears == nil || *c.RetentionYears != 5 || c.ClockState != procedo.ClockStopped {
			t.Fatalf("rejected %+v", c)
		}
	})
}

func TestCaseEngine_OpinionIsInternal(t *testing.T) {
	ce := newCaseEnv(t, nil)
	cas := ce.submit(t, testkit.Mario)
	ce.fire(t, ce.op(), cas.ID, "start", "")
	ce.fire(t, ce.op(), cas.ID, "ask_opinion", "")
	staff, err := ce.cases.FindCaseDocuments(ce.op(), cas.ID)
	if err != nil {
		t.Fatal(err)
	}
	citizen, err := ce.cases.FindCaseDocuments(ce.A.AsCitizen(testkit.Mario), cas.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) != len(citizen)+1 {
		t.Fatalf("staff %d, citizen %d documents", len(staff), len(citizen))
	}
	opinion := staff[len(staff)-1]
	if _, err := sqlstore.NewDocumentService(ce.DB).FindDocumentByID(ce.A.AsCitizen(testkit.Mario), opinion.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("the applicant reads an internal document: %v", err)
	}
	if c := ce.reload(t, cas.ID); c.Waiting != procedo.WaitingOpinion || !c.WaitingUntil.IsZero() || c.ClockState != procedo.ClockSuspended {
		t.Fatalf("waiting for the opinion %+v", c)
	}
	_, err = ce.cases.AnswerCase(ce.A.AsCitizen(testkit.Mario), cas.ID, procedo.CaseAnswer{Kind: procedo.WaitingIntegration, Message: "x"})
	wantCaseCode(t, err, procedo.ECONFLICT)
}

func TestCaseEngine_DecisionApproval(t *testing.T) {
	ce := newCaseEnv(t, nil)
	cas := ce.submit(t, testkit.Mario)
	ce.fire(t, ce.op(), cas.ID, "start", "")
	_, err := ce.cases.TransitionCase(ce.op(), cas.ID, "accept", "")
	wantCaseCode(t, err, procedo.EFORBIDDEN)

	text, err := ce.cases.DocumentText(ce.op(), cas.ID, "accept", "")
	if err != nil || text != "Si accoglie l'istanza di Mario Rossi relativa a Permesso di costruire n. 12/2024." {
		t.Fatalf("prefilled text %q %v", text, err)
	}
	_, err = ce.cases.SubmitDecisionDraft(ce.A.AsUser(ce.A.Registry), cas.ID, "accept", "", "")
	wantCaseCode(t, err, procedo.ENOTFOUND) // the registry desk does not see cases
	_, err = ce.cases.SubmitDecisionDraft(ce.op(), cas.ID, "start_missing", "", "")
	wantCaseCode(t, err, procedo.ENOTFOUND)
	d, err := ce.cases.SubmitDecisionDraft(ce.op(), cas.ID, "accept", "", "")
	if err != nil || d.Status != procedo.DraftPending || d.Text != text {
		t.Fatalf("draft %+v %v", d, err)
	}
	if c := ce.reload(t, cas.ID); !c.AwaitingApproval {
		t.Fatal("not awaiting approval")
	}
	list, _, err := ce.cases.FindCases(ce.mgr(), procedo.CaseFilter{View: procedo.CaseViewApproval})
	if err != nil || len(list) != 1 {
		t.Fatalf("approval view %v %v", list, err)
	}
	_, err = ce.cases.ApproveDecisionDraft(ce.op(), d.ID)
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	_, err = ce.cases.ReturnDecisionDraft(ce.mgr(), d.ID, " ")
	if procedo.FieldErrorsOf(err)["note"] == "" {
		t.Fatalf("return without a note: %v", err)
	}
	if d, err = ce.cases.ReturnDecisionDraft(ce.mgr(), d.ID, "Cita il regolamento."); err != nil || d.Status != procedo.DraftReturned {
		t.Fatalf("returned %+v %v", d, err)
	}
	if c := ce.reload(t, cas.ID); c.AwaitingApproval {
		t.Fatal("still awaiting approval")
	}
	_, err = ce.cases.ApproveDecisionDraft(ce.mgr(), d.ID)
	wantCaseCode(t, err, procedo.ECONFLICT)

	ce.at("2026-04-10") // after the due date (1 April): the decision is late
	edited := "Visto il regolamento comunale, si accoglie l'istanza di Mario Rossi."
	d, err = ce.cases.SubmitDecisionDraft(ce.op(), cas.ID, "accept", "", edited)
	if err != nil {
		t.Fatal(err)
	}
	drafts, err := ce.cases.FindDecisionDrafts(ce.mgr(), cas.ID)
	if err != nil || len(drafts) != 2 || drafts[0].ID != d.ID {
		t.Fatalf("drafts %v %v", drafts, err)
	}
	c, err := ce.cases.ApproveDecisionDraft(ce.mgr(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != procedo.CaseAccepted || !c.Late || c.DecisionDocumentID == nil || c.DecisionRegistrationID == nil ||
		c.RetentionYears == nil || *c.RetentionYears != 10 || c.AwaitingApproval {
		t.Fatalf("approved %+v", c)
	}
	drafts, _ = ce.cases.FindDecisionDrafts(ce.mgr(), cas.ID)
	if drafts[0].Status != procedo.DraftApproved || drafts[0].ReviewerName == "" {
		t.Fatalf("draft after approval %+v", drafts[0])
	}
	if m := ce.mails(t, testkit.Mario.Email); !strings.Contains(m[0].Subject, "Esito") || len(m[0].Attachments) != 1 {
		t.Fatalf("decision mail %+v", m[0])
	}
	_, err = ce.cases.FindDecisionDrafts(ce.A.AsCitizen(testkit.Mario), cas.ID)
	wantCaseCode(t, err, procedo.EFORBIDDEN)
}

func TestCaseEngine_Assignment(t *testing.T) {
	ce := newCaseEnv(t, nil)
	a, b, c := ce.submit(t, testkit.Mario), ce.submit(t, testkit.Mario), ce.submit(t, testkit.Lucia)
	op2 := &procedo.User{Username: "operatore2", FullName: "Paolo Neri", Email: "paolo.neri@a.test", Roles: []procedo.Role{procedo.RoleOperator},
		OrgUnitID: &ce.A.Office.ID}
	if err := sqlstore.NewUserService(ce.DB).CreateUser(ce.sys(), op2, testkit.Password); err != nil {
		t.Fatal(err)
	}
	got, err := ce.cases.AssignCase(ce.op(), a.ID, ce.A.Operator.ID) // prendi in carico
	if err != nil || got.ResponsibleName != ce.A.Operator.FullName {
		t.Fatalf("take %+v %v", got, err)
	}
	_, err = ce.cases.AssignCase(ce.A.AsUser(op2), a.ID, op2.ID)
	wantCaseCode(t, err, procedo.ECONFLICT)
	_, err = ce.cases.AssignCase(ce.op(), b.ID, op2.ID)
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	_, err = ce.cases.AssignCase(ce.mgr(), b.ID, ce.A.Registry.ID)
	if procedo.FieldErrorsOf(err)["user_id"] == "" {
		t.Fatalf("assigned to the registry desk: %v", err)
	}
	_, err = ce.cases.AssignCase(ce.mgr(), b.ID, ce.B.Operator.ID)
	if procedo.FieldErrorsOf(err)["user_id"] == "" {
		t.Fatalf("assigned to another tenant's user: %v", err)
	}

	// Bulk: all or nothing.
	other := testkit.MustSubmit(t, ce.DB, ce.B, testkit.Mario)
	err = ce.cases.AssignCases(ce.mgr(), []int64{a.ID, b.ID, other.Case.ID}, op2.ID)
	wantCaseCode(t, err, procedo.ENOTFOUND)
	if x := ce.reload(t, b.ID); x.ResponsibleUserID != nil {
		t.Fatal("a failed bulk assignment changed a case")
	}
	err = ce.cases.AssignCases(ce.op(), []int64{a.ID, b.ID}, op2.ID)
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	if err := ce.cases.AssignCases(ce.mgr(), []int64{a.ID, b.ID, c.ID}, op2.ID); err != nil {
		t.Fatal(err)
	}
	mine, total, err := ce.cases.FindCases(ce.A.AsUser(op2), procedo.CaseFilter{View: procedo.CaseViewMine})
	if err != nil || total != 3 || len(mine) != 3 {
		t.Fatalf("mine %d %v", total, err)
	}
	if m := ce.mails(t, op2.Email); len(m) != 3 {
		t.Fatalf("assignment mails %d", len(m))
	}
	action := "case.assign"
	if _, n, _ := sqlstore.NewAuditService(ce.DB).FindAuditEvents(ce.mgr(), procedo.AuditFilter{Action: &action}); n != 4 {
		t.Fatalf("audited assignments: %d", n)
	}

	// Reminders.
	err = ce.cases.RemindCases(ce.op(), []int64{a.ID}, "Per favore")
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	if err := ce.cases.RemindCases(ce.mgr(), []int64{a.ID, b.ID}, " "); procedo.FieldErrorsOf(err)["message"] == "" {
		t.Fatalf("empty reminder: %v", err)
	}
	if err := ce.cases.RemindCases(ce.mgr(), []int64{a.ID, b.ID}, "Concludere entro venerdì."); err != nil {
		t.Fatal(err)
	}
	if m := ce.mails(t, op2.Email); len(m) != 5 || !strings.Contains(m[0].Body, "Concludere entro venerdì.") {
		t.Fatalf("reminder mails %d", len(m))
	}
}

func TestCaseEngine_SilenceAssent(t *testing.T) {
	ce := newCaseEnv(t, func(d *procedo.ProcedureDefinition) { d.Silence = procedo.SilenceAssent })
	cas := ce.submit(t, testkit.Mario)
	if cas.Regime != procedo.SilenceAssent {
		t.Fatalf("regime %q", cas.Regime)
	}
	_, err := ce.cases.IssueSilenceAttestation(ce.A.AsCitizen(testkit.Mario), cas.ID)
	wantCaseCode(t, err, procedo.ECONFLICT)
	ce.fire(t, ce.op(), cas.ID, "start", "")
	ce.at("2026-04-01")
	if n, err := ce.cases.FormSilentAssent(ce.sys(), day("2026-04-01")); err != nil || n != 0 {
		t.Fatalf("formed on the last day: %d %v", n, err)
	}
	ce.at("2026-04-02")
	if n, err := ce.cases.FormSilentAssent(ce.sys(), day("2026-04-02")); err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	if n, _ := ce.cases.FormSilentAssent(ce.sys(), day("2026-04-03")); n != 0 {
		t.Fatal("formed twice")
	}
	c := ce.reload(t, cas.ID)
	if c.SilenceFormedOn != day("2026-04-02") {
		t.Fatalf("silence %+v", c)
	}
	if m := ce.mails(t, testkit.Mario.Email); !strings.Contains(m[0].Body, "silenzio-assenso") {
		t.Fatalf("mail %+v", m[0])
	}
	_, err = ce.cases.IssueSilenceAttestation(ce.A.AsCitizen(testkit.Lucia), cas.ID)
	wantCaseCode(t, err, procedo.ENOTFOUND)
	_, err = ce.cases.IssueSilenceAttestation(ce.A.AsUser(ce.A.Admin), cas.ID)
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	c, err = ce.cases.IssueSilenceAttestation(ce.A.AsCitizen(testkit.Mario), cas.ID)
	if err != nil || c.AttestationDocumentID == nil {
		t.Fatalf("attestation %+v %v", c, err)
	}
	_, err = ce.cases.IssueSilenceAttestation(ce.A.AsCitizen(testkit.Mario), cas.ID)
	wantCaseCode(t, err, procedo.ECONFLICT)
	// A later express decision is flagged late.
	d, err := ce.cases.SubmitDecisionDraft(ce.op(), cas.ID, "accept", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c, err = ce.cases.ApproveDecisionDraft(ce.mgr(), d.ID); err != nil || !c.Late {
		t.Fatalf("late decision %+v %v", c, err)
	}
}

func TestCaseEngine_SCIA(t *testing.T) {
	ce := newCaseEnv(t, func(d *procedo.ProcedureDefinition) {
		d.SCIA, d.TermDays = &procedo.SCIARule{ControlDays: 30}, 30
		all := []procedo.Role{procedo.RoleOperator, procedo.RoleManager}
		d.Workflow = &procedo.ProcedureWorkflow{
			States: []procedo.WorkflowState{
				{Name: procedo.CaseSubmitted, Label: "Efficace, in controllo", Phase: procedo.PhaseInquiry},
				{Name: procedo.CaseSuspended, Label: "In conformazione", Phase: procedo.PhaseInquiry},
				{Name: procedo.CaseArchived, Label: "Controllo concluso", Phase: procedo.PhaseEfficacy},
				{Name: procedo.CaseRejected, Label: "Attività vietata", Phase: procedo.PhaseDecision},
			},
			Transitions: []procedo.Transition{
				{Name: "close_control", Label: "Concludi il controllo", From: procedo.CaseSubmitted, To: procedo.CaseArchived, Roles: all, Clock: procedo.ClockEffectStop},
				{Name: "request_conformation", Label: "Ordina la conformazione", From: procedo.CaseSubmitted, To: procedo.CaseSuspended, Roles: all,
					NeedsReason: true, Clock: procedo.ClockEffectSuspend},
				{Name: "confirm_conformation", Label: "Registra la conformazione", From: procedo.CaseSuspended, To: procedo.CaseSubmitted, Roles: all,
					Clock: procedo.ClockEffectResume},
				{Name: "prohibit", Label: "Vieta", From: procedo.CaseSubmitted, To: procedo.CaseRejected, Roles: all, NeedsReason: true,
					Document: procedo.DocDecision, Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectStop},
			},
		}
	})
	first, second := ce.submit(t, testkit.Mario), ce.submit(t, testkit.Mario)
	if first.Regime != procedo.RegimeSCIA || first.EffectiveOn != day("2026-03-02") {
		t.Fatalf("SCIA %+v", first)
	}
	if clk := ce.clock(t, first.ID, "2026-03-10"); clk.ControlEnd != day("2026-04-01") {
		t.Fatalf("control end %s", clk.ControlEnd)
	}
	ce.at("2026-03-20")
	if c := ce.fire(t, ce.op(), first.ID, "prohibit", "Requisiti mancanti."); c.Status != procedo.CaseRejected {
		t.Fatalf("prohibited %+v", c)
	}
	ce.at("2026-04-02")
	for _, name := range []string{"prohibit", "request_conformation"} {
		_, err := ce.cases.TransitionCase(ce.op(), second.ID, name, "Troppo tardi.")
		wantCaseCode(t, err, procedo.ECONFLICT)
		if !strings.Contains(procedo.ErrorMessage(err), "periodo di controllo") {
			t.Fatalf("message %q", procedo.ErrorMessage(err))
		}
	}
	ce.fire(t, ce.op(), second.ID, "close_control", "")
}

func TestCaseEngine_SubstituteAndExtension(t *testing.T) {
	ce := newCaseEnv(t, nil)
	early, late := ce.submit(t, testkit.Mario), ce.submit(t, testkit.Mario)
	ce.fire(t, ce.op(), early.ID, "start", "")
	c, err := ce.cases.ExtendCaseTerm(ce.op(), early.ID, 0, "")
	if err != nil || c.DueDate != day("2026-05-02") {
		t.Fatalf("extended %+v %v", c, err)
	}
	_, err = ce.cases.ExtendCaseTerm(ce.op(), early.ID, 0, "")
	wantCaseCode(t, err, procedo.ECONFLICT)
	_, err = ce.cases.ExtendCaseTerm(ce.op(), early.ID, 3, "")
	wantCaseCode(t, err, procedo.EINVALID)
	_, err = ce.cases.ExtendCaseTerm(ce.A.AsUser(ce.A.Admin), early.ID, 0, "")
	wantCaseCode(t, err, procedo.EFORBIDDEN)

	ce.at("2026-04-02")
	_, err = ce.cases.RequestSubstitute(ce.A.AsCitizen(testkit.Mario), early.ID, "")
	wantCaseCode(t, err, procedo.ECONFLICT) // extended: not overdue
	_, err = ce.cases.RequestSubstitute(ce.op(), late.ID, "")
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	c, err = ce.cases.RequestSubstitute(ce.A.AsCitizen(testkit.Mario), late.ID, "Attendo da troppo tempo.")
	if err != nil {
		t.Fatal(err)
	}
	// Half of 30 days from 2 April: 17 April.
	if c.SubstituteRequestedAt == nil || c.SubstituteDueDate != day("2026-04-17") {
		t.Fatalf("substitute %+v", c)
	}
	_, err = ce.cases.RequestSubstitute(ce.A.AsCitizen(testkit.Mario), late.ID, "")
	wantCaseCode(t, err, procedo.ECONFLICT)
	evs, _ := ce.cases.FindCaseEvents(ce.A.AsCitizen(testkit.Mario), late.ID)
	if e := evs[len(evs)-1]; e.Kind != procedo.CaseEventSubstitute || e.RegistrationID == nil {
		t.Fatalf("event %+v", e)
	}
}

func TestCaseEngine_Worklists(t *testing.T) {
	ce := newCaseEnv(t, nil)
	fresh := ce.submit(t, testkit.Mario)
	mine := ce.submit(t, testkit.Lucia)
	waiting := ce.submit(t, testkit.Mario)
	if _, err := ce.cases.AssignCase(ce.op(), mine.ID, ce.A.Operator.ID); err != nil {
		t.Fatal(err)
	}
	ce.fire(t, ce.op(), waiting.ID, "start", "")
	ce.fire(t, ce.op(), waiting.ID, "request_integration", "Manca la delega.")
	ce.at("2026-03-20")
	late := ce.submit(t, testkit.Lucia) // due 20 April
	count := func(ctx context.Context, f procedo.CaseFilter) map[procedo.CaseView]int {
		t.Helper()
		m, err := ce.cases.CountCaseViews(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ids := func(list []*procedo.Case) []int64 {
		var out []int64
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	today := day("2026-03-28")
	m := count(ce.op(), procedo.CaseFilter{Today: today})
	want := map[procedo.CaseView]int{procedo.CaseViewNew: 2, procedo.CaseViewMine: 1, procedo.CaseViewWaiting: 1,
		procedo.CaseViewExpiring: 2, procedo.CaseViewOverdue: 0, procedo.CaseViewApproval: 0}
	for v, n := range want {
		if m[v] != n {
			t.Errorf("%s: %d, want %d", v, m[v], n)
		}
	}
	list, _, err := ce.cases.FindCases(ce.op(), procedo.CaseFilter{View: procedo.CaseViewOverdue, Today: day("2026-04-05")})
	if err != nil || len(list) != 2 || list[0].ID != fresh.ID {
		t.Fatalf("overdue %v %v", ids(list), err)
	}
	list, _, _ = ce.cases.FindCases(ce.op(), procedo.CaseFilter{View: procedo.CaseViewExpiring, Today: day("2026-04-14"), Within: 10})
	if len(list) != 1 || list[0].ID != late.ID {
		t.Fatalf("expiring %v", ids(list))
	}
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"verd", []int64{late.ID, mine.ID}},
		{"LUCIA verdi", []int64{late.ID, mine.ID}},
		{testkit.Mario.FiscalCode, []int64{waiting.ID, fresh.ID}},
		{"n. " + strconv.FormatInt(waiting.ID, 10), []int64{waiting.ID}},
		{"permesso costr", []int64{late.ID, waiting.ID, mine.ID, fresh.ID}},
		{"inesistente", nil},
	} {
		list, total, err := ce.cases.FindCases(ce.op(), procedo.CaseFilter{Query: tc.q})
		if err != nil || total != len(tc.want) || !equalIDs(ids(list), tc.want) {
			t.Errorf("search %q: %v (%d) %v, want %v", tc.q, ids(list), total, err, tc.want)
		}
	}
	list, _, _ = ce.cases.FindCases(ce.op(), procedo.CaseFilter{Sort: procedo.CaseSortOldest, Limit: 2})
	if len(list) != 2 || list[0].ID != fresh.ID {
		t.Fatalf("oldest %v", ids(list))
	}
	list, _, _ = ce.cases.FindCases(ce.op(), procedo.CaseFilter{ProcedureTypeID: &ce.version.ProcedureTypeID, Open: ptr(true)})
	if len(list) != 4 {
		t.Fatalf("by procedure %v", ids(list))
	}
	_, _, err = ce.cases.FindCases(ce.op(), procedo.CaseFilter{View: "nonsense"})
	wantCaseCode(t, err, procedo.EINVALID)
	_, _, err = ce.cases.FindCases(ce.op(), procedo.CaseFilter{Sort: "nonsense"})
	wantCaseCode(t, err, procedo.EINVALID)
	_, err = ce.cases.CountCaseViews(ce.A.AsCitizen(testkit.Mario), procedo.CaseFilter{})
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	if m := count(ce.B.AsUser(ce.B.Manager), procedo.CaseFilter{Today: today}); m[procedo.CaseViewNew] != 0 || m[procedo.CaseViewExpiring] != 0 {
		t.Fatalf("another tenant counts A's cases: %v", m)
	}
	if list, _, _ := ce.cases.FindCases(ce.A.AsCitizen(testkit.Lucia), procedo.CaseFilter{View: procedo.CaseViewMine}); len(list) != 0 {
		t.Fatalf("a citizen's 'mine' view: %v", ids(list))
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCaseEngine_DeadlineAlerts(t *testing.T) {
	ce := newCaseEnv(t, nil)
	cas := ce.submit(t, testkit.Mario) // due 1 April
	office := ce.A.Office.Email
	for _, tc := range []struct {
		day  string
		want int
	}{
		{"2026-03-20", 0}, // 12 days left
		{"2026-03-26", 1}, // 6 days: the 7-day reminder
		{"2026-03-27", 0}, // already sent for 7
		{"2026-03-30", 1}, // 2 days: the 3-day reminder
		{"2026-03-31", 1}, // 1 day
		{"2026-04-01", 0}, // the last day: nothing new
	} {
		n, err := ce.cases.RemindExpiringCases(ce.sys(), day(tc.day))
		if err != nil || n != tc.want {
			t.Fatalf("%s: %d %v, want %d", tc.day, n, err, tc.want)
		}
	}
	if m := ce.mails(t, office); len(m) != 3 || !strings.Contains(m[0].Subject, "in scadenza") {
		t.Fatalf("reminders %d", len(m))
	}
	if n, err := ce.cases.AlertOverdueCases(ce.sys(), day("2026-04-01")); err != nil || n != 0 {
		t.Fatalf("overdue on the last day: %d %v", n, err)
	}
	if n, err := ce.cases.AlertOverdueCases(ce.sys(), day("2026-04-02")); err != nil || n != 1 {
		t.Fatalf("overdue: %d %v", n, err)
	}
	if n, _ := ce.cases.AlertOverdueCases(ce.sys(), day("2026-04-03")); n != 0 {
		t.Fatal("alerted twice")
	}
	if m := ce.mails(t, office); len(m) != 4 || !strings.Contains(m[0].Subject, "termine scaduto") {
		t.Fatalf("overdue alert %d", len(m))
	}
	_, err := ce.cases.AlertOverdueCases(ce.mgr(), day("2026-04-03"))
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	_, err = ce.cases.RemindExpiringCases(ce.op(), day("2026-04-03"))
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	_, err = ce.cases.FormSilentAssent(ce.A.AsCitizen(testkit.Mario), day("2026-04-03"))
	wantCaseCode(t, err, procedo.EFORBIDDEN)
	evs, _ := ce.cases.FindCaseEvents(ce.op(), cas.ID)
	alerts := 0
	for _, e := range evs {
		if e.Kind == procedo.CaseEventAlert {
			alerts++
		}
	}
	if alerts != 4 {
		t.Fatalf("alert events %d", alerts)
	}
}

// TestCaseEngine_IsolationAndRoles: every new method refuses another tenant's
// actors (not found) and the wrong role (forbidden).
func TestCaseEngine_IsolationAndRoles(t *testing.T) {
	ce := newCaseEnv(t, func(d *procedo.ProcedureDefinition) { d.Silence = procedo.SilenceAssent })
	cas := ce.submit(t, testkit.Mario)
	ce.fire(t, ce.op(), cas.ID, "start", "")
	d, err := ce.cases.SubmitDecisionDraft(ce.op(), cas.ID, "accept", "", "")
	if err != nil {
		t.Fatal(err)
	}
	id := cas.ID
	calls := map[string]func(ctx context.Context) error{
		"FindCaseClock": func(ctx context.Context) error { _, err := ce.cases.FindCaseClock(ctx, id, procedo.Date{}); return err },
		"TransitionCaseText": func(ctx context.Context) error {
			_, err := ce.cases.TransitionCaseText(ctx, id, "ask_opinion", "", "")
			return err
		},
		"AssignCase":     func(ctx context.Context) error { _, err := ce.cases.AssignCase(ctx, id, ce.A.Operator.ID); return err },
		"AssignCases":    func(ctx context.Context) error { return ce.cases.AssignCases(ctx, []int64{id}, ce.A.Operator.ID) },
		"RemindCases":    func(ctx context.Context) error { return ce.cases.RemindCases(ctx, []int64{id}, "sollecito") },
		"ExtendCaseTerm": func(ctx context.Context) error { _, err := ce.cases.ExtendCaseTerm(ctx, id, 0, ""); return err },
		"DocumentText":   func(ctx context.Context) error { _, err := ce.cases.DocumentText(ctx, id, "accept", ""); return err },
		"SubmitDecisionDraft": func(ctx context.Context) error {
			_, err := ce.cases.SubmitDecisionDraft(ctx, id, "accept", "", "")
			return err
		},
		"FindDecisionDrafts":   func(ctx context.Context) error { _, err := ce.cases.FindDecisionDrafts(ctx, id); return err },
		"ApproveDecisionDraft": func(ctx context.Context) error { _, err := ce.cases.ApproveDecisionDraft(ctx, d.ID); return err },
		"ReturnDecisionDraft":  func(ctx context.Context) error { _, err := ce.cases.ReturnDecisionDraft(ctx, d.ID, "no"); return err },
		"IssueSilenceAttestation": func(ctx context.Context) error {
			_, err := ce.cases.IssueSilenceAttestation(ctx, id)
			return err
		},
		"AnswerCase": func(ctx context.Context) error {
			_, err := ce.cases.AnswerCase(ctx, id, procedo.CaseAnswer{Kind: procedo.WaitingIntegration, Message: "x"})
			return err
		},
		"RequestSubstitute": func(ctx context.Context) error { _, err := ce.cases.RequestSubstitute(ctx, id, ""); return err },
	}
	// Another tenant: the case does not exist for anyone of Comune B.
	for name, call := range calls {
		for _, ctx := range []context.Context{ce.B.AsUser(ce.B.Manager), ce.B.AsUser(ce.B.Operator), ce.B.AsUser(ce.B.Admin), ce.B.AsCitizen(testkit.Mario)} {
			if err := call(ctx); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s from Comune B: %v", name, err)
			}
		}
	}
	// Wrong role in the right tenant.
	citizenOnly := map[string]bool{"AnswerCase": true, "RequestSubstitute": true}
	for name, call := range calls {
		var ctx context.Context
		switch {
		case citizenOnly[name]:
			ctx = ce.mgr() // staff cannot answer for the applicant
		case name == "FindCaseClock":
			ctx = ce.A.AsCitizen(testkit.Lucia) // not her case
		case name == "IssueSilenceAttestation":
			ctx = ce.A.AsUser(ce.A.Admin)
		default:
			ctx = ce.A.AsCitizen(testkit.Mario) // the applicant is not staff
		}
		err := call(ctx)
		if c := procedo.ErrorCode(err); c != procedo.EFORBIDDEN && !(name == "FindCaseClock" && c == procedo.ENOTFOUND) {
			t.Errorf("%s with the wrong role: %v", name, err)
		}
	}
}

// TestGenerateCases: the benchmark's generator stores consistent cases: the
// stored due date and clock state are what the engine computes from the
// stored events.
func TestGenerateCases(t *testing.T) {
	env := testkit.NewEnv(t)
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	sys := env.A.As(procedo.SystemActor)
	if err := env.DB.GenerateCases(sys, defs[:4], 2500, nil); err != nil {
		t.Fatal(err)
	}
	cases := sqlstore.NewCaseService(env.DB)
	open := true
	list, total, err := cases.FindCases(sys, procedo.CaseFilter{Open: &open, Limit: 200})
	if err != nil || total < 30 || total > 800 {
		t.Fatalf("open cases: %d %v", total, err)
	}
	today := procedo.DateOf(env.DB.Now())
	for _, c := range list {
		clk, err := cases.FindCaseClock(sys, c.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		if clk.State != c.ClockState || (c.ClockState == procedo.ClockRunning && clk.Due != c.DueDate) {
			t.Fatalf("case %d: stored %s %s, computed %s %s", c.ID, c.ClockState, c.DueDate, clk.State, clk.Due)
		}
	}
	m, err := cases.CountCaseViews(sys, procedo.CaseFilter{})
	if err != nil || m[procedo.CaseViewNew] == 0 || m[procedo.CaseViewOverdue] == 0 || m[procedo.CaseViewWaiting] == 0 {
		t.Fatalf("views %v %v", m, err)
	}
	if _, n, _ := cases.FindCases(sys, procedo.CaseFilter{Query: "rossi"}); n == 0 {
		t.Fatal("search finds no generated case")
	}
}
