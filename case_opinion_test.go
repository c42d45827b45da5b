// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strings"
	"testing"
	"time"
)

func TestOpinionRequest_Clean(t *testing.T) {
	for _, c := range []struct {
		name  string
		req   OpinionRequest
		field string // "" = valid
	}{
		{"Internal", OpinionRequest{OrgUnitID: 2, Question: " Quesito "}, ""},
		{"External", OpinionRequest{ExternalName: "ASL", ExternalEmail: "asl@pec.example.it", Question: "q", Days: 90}, ""},
		{"NoRecipient", OpinionRequest{Question: "q"}, "recipient"},
		{"Both", OpinionRequest{OrgUnitID: 2, ExternalName: "ASL", Question: "q"}, "recipient"},
		{"EmailOnly", OpinionRequest{ExternalEmail: "asl@example.it", Question: "q"}, "external_name"},
		{"BadEmail", OpinionRequest{ExternalName: "ASL", ExternalEmail: "ASL <asl@example.it>", Question: "q"}, "external_email"},
		{"NoQuestion", OpinionRequest{OrgUnitID: 2}, "question"},
		{"LongQuestion", OpinionRequest{OrgUnitID: 2, Question: strings.Repeat("è", 4001)}, "question"},
		{"ZeroDaysIsDefault", OpinionRequest{OrgUnitID: 2, Question: "q", Days: 0}, ""},
		{"TooFewDays", OpinionRequest{OrgUnitID: 2, Question: "q", Days: -1}, "days"},
		{"TooManyDays", OpinionRequest{OrgUnitID: 2, Question: "q", Days: 91}, "days"},
		{"BadDocument", OpinionRequest{OrgUnitID: 2, Question: "q", DocumentIDs: []int64{0}}, "documents"},
		{"TooManyDocuments", OpinionRequest{OrgUnitID: 2, Question: "q", DocumentIDs: make([]int64, 21)}, "documents"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.req.Clean()
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.req.Days == 0 || c.req.Question != strings.TrimSpace(c.req.Question) {
					t.Fatalf("not cleaned: %+v", c.req)
				}
				return
			}
			if FieldErrorsOf(err)[c.field] == "" {
				t.Fatalf("got %v, want an error on %s", err, c.field)
			}
		})
	}
	r := OpinionRequest{OrgUnitID: 2, Question: "q", DocumentIDs: []int64{3, 3, 4}}
	if err := r.Clean(); err != nil || len(r.DocumentIDs) != 2 || r.Days != DefaultOpinionDays {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestOpinionAnswer_Clean(t *testing.T) {
	for _, c := range []struct {
		name  string
		a     OpinionAnswer
		field string
	}{
		{"Favourable", OpinionAnswer{Outcome: OpinionFavourable}, ""},
		{"ConditionalWithText", OpinionAnswer{Outcome: OpinionConditional, Text: "a condizione che"}, ""},
		{"ConditionalWithoutText", OpinionAnswer{Outcome: OpinionConditional, Text: " "}, "text"},
		{"UnfavourableWithoutText", OpinionAnswer{Outcome: OpinionUnfavourable}, "text"},
		{"UnknownOutcome", OpinionAnswer{Outcome: "neutral", Text: "x"}, "outcome"},
		{"LongText", OpinionAnswer{Outcome: OpinionFavourable, Text: strings.Repeat("a", 4001)}, "text"},
		{"LongSenderProtocol", OpinionAnswer{Outcome: OpinionFavourable, SenderProtocol: strings.Repeat("1", 101)}, "sender_protocol"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.a.Clean()
			if (c.field == "") != (err == nil) || (c.field != "" && FieldErrorsOf(err)[c.field] == "") {
				t.Fatalf("got %v, want error on %q", err, c.field)
			}
		})
	}
}

// consultationModel has a non-suspending opinion transition from in_review,
// a suspending one from submitted and a notice to counter-parties.
func consultationModel() *ProcedureDefinition {
	all := []Role{RoleOperator, RoleManager}
	return &ProcedureDefinition{Workflow: &ProcedureWorkflow{
		States: []WorkflowState{
			{Name: CaseSubmitted, Phase: PhasePreparatory}, {Name: CaseInReview, Phase: PhaseInquiry},
			{Name: CaseConsultation, Phase: PhaseConsultive}, {Name: "counterparties", Phase: PhaseConsultive},
			{Name: CaseAccepted, Phase: PhaseDecision},
		},
		Transitions: []Transition{
			{Name: "notify", From: CaseSubmitted, To: "counterparties", Roles: all, NotifyApplicant: true, Clock: ClockEffectSuspend},
			{Name: "commission", From: CaseSubmitted, To: CaseConsultation, Roles: []Role{RoleManager}, Document: "convocazione", Clock: ClockEffectSuspend},
			{Name: "ask", From: CaseInReview, To: CaseConsultation, Roles: all},
			{Name: "accept", From: CaseInReview, To: CaseAccepted, Roles: all, Document: DocDecision},
		},
	}}
}

func TestOpinionTransition(t *testing.T) {
	office := int64(1)
	op := &Actor{Kind: ActorUser, User: &User{TenantID: 1, Roles: []Role{RoleOperator}, OrgUnitID: &office}}
	mgr := &Actor{Kind: ActorUser, User: &User{TenantID: 1, Roles: []Role{RoleManager}, OrgUnitID: &office}}
	def := consultationModel()
	for _, c := range []struct {
		name    string
		a       *Actor
		status  CaseStatus
		suspend bool
		want    string // "" = none
	}{
		{"NonSuspending", op, CaseInReview, false, "ask"},
		{"NoSuspendingFromReview", op, CaseInReview, true, ""},
		{"SuspendingForManager", mgr, CaseSubmitted, true, "commission"},
		{"RoleMissing", op, CaseSubmitted, true, ""},
		{"NoticeToApplicantNeverFired", mgr, CaseSubmitted, false, ""},
		{"FromConsultation", mgr, CaseConsultation, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cas := &Case{ID: 1, TenantID: 1, OrgUnitID: office, Status: c.status}
			tr, ok := OpinionTransition(c.a, cas, def, c.suspend)
			if ok != (c.want != "") || tr.Name != c.want {
				t.Fatalf("got %q %v, want %q", tr.Name, ok, c.want)
			}
			if OpinionMaySuspend(c.a, cas, def) != (c.suspend && c.want != "") && c.suspend {
				t.Fatal("OpinionMaySuspend disagrees")
			}
		})
	}
	// A model without a workflow (the default one) never moves.
	if _, ok := OpinionTransition(op, &Case{ID: 1, TenantID: 1, OrgUnitID: office, Status: CaseSubmitted}, &ProcedureDefinition{}, false); ok {
		t.Fatal("default workflow")
	}
}

func TestOpinionPermissions(t *testing.T) {
	segr, tec, other := int64(1), int64(2), int64(3)
	user := func(office *int64, roles ...Role) *Actor {
		return &Actor{Kind: ActorUser, User: &User{TenantID: 1, Roles: roles, OrgUnitID: office}}
	}
	cas := &Case{ID: 7, TenantID: 1, OrgUnitID: segr, Status: CaseInReview, ApplicantFiscalCode: "RSSMRA80A01H501U"}
	internal := &CaseOpinion{ID: 1, TenantID: 1, CaseID: 7, Recipient: OpinionInternal, OrgUnitID: &tec, OrgUnitName: "Tecnico", Status: OpinionRequested}
	external := &CaseOpinion{ID: 2, TenantID: 1, CaseID: 7, Recipient: OpinionExternal, ExternalName: "ASL", Status: OpinionRequested}
	answered := &CaseOpinion{ID: 3, TenantID: 1, CaseID: 7, Recipient: OpinionInternal, OrgUnitID: &tec, Status: OpinionGiven, AnsweredAt: &time.Time{}}
	for _, c := range []struct {
		name                string
		a                   *Actor
		o                   *CaseOpinion
		view, readCase      bool
		answer              string // error code, "" = allowed
		answerClosedOrGiven bool
	}{
		{"CaseOperatorInternal", user(&segr, RoleOperator), internal, true, true, EFORBIDDEN, false},
		{"RecipientOperator", user(&tec, RoleOperator), internal, true, true, "", false},
		{"RecipientManager", user(&tec, RoleManager), internal, true, true, "", false},
		{"RecipientAnswered", user(&tec, RoleOperator), answered, true, false, ECONFLICT, false},
		{"OtherOffice", user(&other, RoleOperator), internal, false, false, ENOTFOUND, false},
		{"RegistryInternal", user(nil, RoleRegistry), internal, false, false, ENOTFOUND, false},
		{"RegistryExternal", user(nil, RoleRegistry), external, true, false, "", false},
		{"CaseOperatorExternal", user(&segr, RoleOperator), external, true, true, "", false},
		{"RecipientOfficeCannotRecordExternal", user(&tec, RoleOperator), external, false, false, ENOTFOUND, false},
		{"AdminSeesButCannotAnswer", user(nil, RoleAdmin), external, true, true, EFORBIDDEN, false},
		{"OtherTenant", &Actor{Kind: ActorUser, User: &User{TenantID: 2, Roles: []Role{RoleOperator}, OrgUnitID: &tec}}, internal, false, false, ENOTFOUND, false},
		{"Applicant", &Actor{Kind: ActorCitizen, Citizen: &Citizen{FiscalCode: "RSSMRA80A01H501U"}}, internal, true, false, EFORBIDDEN, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := CanViewOpinion(c.a, c.o, cas); got != c.view {
				t.Errorf("view %v, want %v", got, c.view)
			}
			if got := CanReadOpinionCase(c.a, c.o, cas); got != c.readCase {
				t.Errorf("read case %v, want %v", got, c.readCase)
			}
			if got := ErrorCode(CanAnswerOpinion(c.a, c.o, cas)); (c.answer == "" && got != "") || (c.answer != "" && got != c.answer) {
				t.Errorf("answer %q, want %q", got, c.answer)
			}
		})
	}
	closed := *cas
	closed.Status = CaseAccepted
	if CanReadOpinionCase(user(&tec, RoleOperator), internal, &closed) {
		t.Error("the office asked reads a closed case")
	}
	if ErrorCode(CanAnswerOpinion(user(&tec, RoleOperator), internal, &closed)) != ECONFLICT {
		t.Error("answer on a closed case")
	}
	if ErrorCode(CanRequestOpinion(user(&segr, RoleOperator), &closed)) != ECONFLICT || CanRequestOpinion(user(&segr, RoleOperator), cas) != nil ||
		ErrorCode(CanRequestOpinion(user(&tec, RoleOperator), cas)) != EFORBIDDEN {
		t.Error("CanRequestOpinion")
	}
}

func TestCaseOpinion_Status(t *testing.T) {
	o := &CaseOpinion{Status: OpinionRequested, DueDate: NewDate(2026, 3, 24)}
	for _, c := range []struct {
		day  Date
		want string
	}{{NewDate(2026, 3, 24), "Richiesto"}, {NewDate(2026, 3, 25), "Scaduto"}} {
		if got := o.StatusLabel(c.day); got != c.want {
			t.Errorf("%s: %s, want %s", c.day, got, c.want)
		}
	}
	o.Status = OpinionGiven
	if o.StatusLabel(NewDate(2027, 1, 1)) != "Reso" || o.Overdue(NewDate(2027, 1, 1)) {
		t.Error("given")
	}
	if got := OpinionDueDate(NewDate(2026, 5, 24), 20, Calendar{PatronDay: "06-13"}); got != NewDate(2026, 6, 15) {
		t.Errorf("due %s", got)
	}
}
