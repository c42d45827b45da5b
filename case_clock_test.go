// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestPlanClockEffect(t *testing.T) {
	suspended := func(cause CaseWaiting, on string) []CaseClockEvent {
		return []CaseClockEvent{{Kind: ClockSuspend, Date: d(on), Cause: cause}}
	}
	for _, tc := range []struct {
		name   string
		events []CaseClockEvent
		effect ClockEffect
		on     string
		want   []ClockEventKind
		dates  []string
	}{
		{"SuspendRunning", nil, ClockEffectSuspend, "2026-03-10", []ClockEventKind{ClockSuspend}, []string{"2026-03-10"}},
		{"SuspendTwiceRecordsNothing", suspended(WaitingOpinion, "2026-03-10"), ClockEffectSuspend, "2026-03-12", nil, nil},
		{"ResumeRunningRecordsNothing", nil, ClockEffectResume, "2026-03-10", nil, nil},
		{"IntegrationAnsweredInTime", suspended(WaitingIntegration, "2026-03-10"), ClockEffectResume, "2026-03-20",
			[]ClockEventKind{ClockResume}, []string{"2026-03-20"}},
		{"IntegrationAtMost30Days", suspended(WaitingIntegration, "2026-03-10"), ClockEffectResume, "2026-05-01",
			[]ClockEventKind{ClockResume}, []string{"2026-04-08"}},
		{"ObservationsResumeTenDaysLater", suspended(WaitingObservations, "2026-03-10"), ClockEffectResume, "2026-03-15",
			[]ClockEventKind{ClockResume}, []string{"2026-03-25"}},
		{"LateObservations", suspended(WaitingObservations, "2026-03-10"), ClockEffectResume, "2026-03-30",
			[]ClockEventKind{ClockResume}, []string{"2026-03-20"}},
		{"InterruptWhileSuspended", suspended(WaitingIntegration, "2026-03-10"), ClockEffectInterrupt, "2026-03-12",
			[]ClockEventKind{ClockResume, ClockInterrupt}, []string{"2026-03-12", "2026-03-12"}},
		{"InterruptRunning", nil, ClockEffectInterrupt, "2026-03-12", []ClockEventKind{ClockInterrupt}, []string{"2026-03-12"}},
		{"StartRecordsNothing", nil, ClockEffectStart, "2026-03-12", nil, nil},
		{"StopRecordsNothing", nil, ClockEffectStop, "2026-03-12", nil, nil},
		{"ScheduledResumeClosesTheSuspension", append(suspended(WaitingObservations, "2026-03-10"),
			CaseClockEvent{Kind: ClockResume, Date: d("2026-03-25")}), ClockEffectResume, "2026-03-16", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PlanClockEffect(tc.events, tc.effect, d(tc.on), WaitingIntegration, "motivo")
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %v", got, tc.want)
			}
			for i, e := range got {
				if e.Kind != tc.want[i] || e.Date != d(tc.dates[i]) {
					t.Errorf("event %d: %s %s, want %s %s", i, e.Kind, e.Date, tc.want[i], tc.dates[i])
				}
			}
		})
	}
}

func TestComputeCaseClock(t *testing.T) {
	cal := Calendar{PatronDay: "06-13"}
	cas := &Case{ID: 7, TenantID: 1, StartDate: d("2026-03-02"), TermDays: 30, Status: CaseInReview, Regime: RegimeExpress}
	t.Run("Running", func(t *testing.T) {
		c, err := ComputeCaseClock(cas, nil, cal, d("2026-03-20"))
		if err != nil {
			t.Fatal(err)
		}
		// 2 March + 30 = 1 April (Wednesday).
		if c.State != ClockRunning || c.Due != d("2026-04-01") || c.DaysLeft != 12 || c.Overdue {
			t.Fatalf("%+v", c)
		}
		if !strings.Contains(c.Summary(), "mancano 12 giorni") {
			t.Fatalf("summary %q", c.Summary())
		}
	})
	t.Run("SuspendedForIntegrations", func(t *testing.T) {
		ev := []CaseClockEvent{{Kind: ClockSuspend, Date: d("2026-03-10"), Cause: WaitingIntegration}}
		c, err := ComputeCaseClock(cas, ev, cal, d("2026-03-14"))
		if err != nil {
			t.Fatal(err)
		}
		if c.State != ClockSuspended || c.SuspendedSince != d("2026-03-10") || c.Overdue || c.SuspendedDays != 5 {
			t.Fatalf("%+v", c)
		}
		ev = append(ev, CaseClockEvent{Kind: ClockResume, Date: d("2026-03-19")})
		if c, err = ComputeCaseClock(cas, ev, cal, d("2026-03-20")); err != nil {
			t.Fatal(err)
		}
		// 10 days of suspension (10-19 March, both included) move 1 April to 11 April.
		if c.State != ClockRunning || c.Due != d("2026-04-11") || c.SuspendedDays != 10 {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("ExtensionAndOverdue", func(t *testing.T) {
		ev := []CaseClockEvent{{Kind: ClockExtend, Date: d("2026-03-05"), Days: 30}}
		c, err := ComputeCaseClock(cas, ev, cal, d("2026-05-04"))
		if err != nil {
			t.Fatal(err)
		}
		// 1 April + 30 = 1 May, a holiday: 2 May. On 4 May it is 2 days late.
		if c.Due != d("2026-05-02") || !c.Overdue || c.DaysLeft != -2 || c.ExtendedDays != 30 {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("ClosedIsStoppedOnItsDay", func(t *testing.T) {
		closed := *cas
		at := d("2026-04-10").Time()
		closed.ClosedAt, closed.Status, closed.Late = &at, CaseAccepted, true
		c, err := ComputeCaseClock(&closed, nil, cal, d("2026-06-01"))
		if err != nil {
			t.Fatal(err)
		}
		if c.State != ClockStopped || c.At != d("2026-04-10") || c.Overdue || !strings.Contains(c.Summary(), "oltre il termine") {
			t.Fatalf("%+v %q", c, c.Summary())
		}
	})
	t.Run("SCIAControlWindow", func(t *testing.T) {
		scia := *cas
		scia.Regime, scia.TermDays = RegimeSCIA, 60
		c, err := ComputeCaseClock(&scia, nil, cal, d("2026-03-20"))
		if err != nil {
			t.Fatal(err)
		}
		if c.ControlEnd != d("2026-05-01").AddDays(1) || c.ControlEnd != c.Due {
			t.Fatalf("control end %s", c.ControlEnd)
		}
	})
}

func TestCheckCaseTransition(t *testing.T) {
	cal := Calendar{}
	integration := Transition{Name: "request_integration", Document: DocIntegrationRequest, Clock: ClockEffectSuspend, To: CaseSuspended}
	cas := &Case{StartDate: d("2026-03-02"), TermDays: 30, Status: CaseInReview, Regime: RegimeExpress}
	t.Run("IntegrationOnce", func(t *testing.T) {
		if err := CheckCaseTransition(cas, integration, nil, nil); err != nil {
			t.Fatal(err)
		}
		ev := []CaseClockEvent{{Kind: ClockSuspend, Date: d("2026-03-05"), Cause: WaitingIntegration}, {Kind: ClockResume, Date: d("2026-03-08")}}
		err := CheckCaseTransition(cas, integration, ev, nil)
		if ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "una sola volta") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("SCIAWindow", func(t *testing.T) {
		scia := &Case{StartDate: d("2026-03-02"), TermDays: 60, Status: CaseSubmitted, Regime: RegimeSCIA}
		prohibit := Transition{Name: "prohibit", To: CaseRejected, Clock: ClockEffectStop, Document: DocDecision}
		close := Transition{Name: "close_control", To: CaseArchived, Clock: ClockEffectStop}
		inside, _ := ComputeCaseClock(scia, nil, cal, d("2026-04-30"))
		after, _ := ComputeCaseClock(scia, nil, cal, d("2026-05-04"))
		if err := CheckCaseTransition(scia, prohibit, nil, inside); err != nil {
			t.Fatalf("inside the window: %v", err)
		}
		if err := CheckCaseTransition(scia, prohibit, nil, after); ErrorCode(err) != ECONFLICT {
			t.Fatalf("after the window: %v", err)
		}
		if err := CheckCaseTransition(scia, close, nil, after); err != nil {
			t.Fatalf("closing the control after the window: %v", err)
		}
	})
}

func TestCaseAct(t *testing.T) {
	tenant := &Tenant{ID: 1, Name: "Comune di Alfa"}
	def := &ProcedureDefinition{Title: "Occupazione di suolo pubblico", TermDays: 30, SubstitutePower: "il Segretario comunale",
		Remedies: "Ricorso al TAR entro 60 giorni.", Decisions: map[string]string{OutcomeAccepted: "Si autorizza {{richiedente}} in {{campo.luogo}}."}}
	cas := &Case{ID: 12, TenantID: 1, ApplicantName: "Mario Rossi", ApplicantFiscalCode: "RSSMRA80A01H501U", Subject: "Occupazione: dehors",
		StartDate: d("2026-03-02"), TermDays: 30, DueDate: d("2026-04-01"), OrgUnitName: "Ufficio Tecnico", Regime: RegimeExpress}
	ou := &OrgUnit{Name: "Ufficio Tecnico", Email: "tecnico@comune.example.it", Head: "Ing. Carla Verdi"}
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, Rome)
	t.Run("StartNoticeArt8", func(t *testing.T) {
		clock, _ := ComputeCaseClock(cas, nil, Calendar{}, DateOf(at))
		a := &CaseAct{Tenant: tenant, Case: cas, Definition: def, OrgUnit: ou, Clock: clock, Key: DocStartNotice, Signer: "Utente",
			At: at, BaseURL: "https://servizi.example.it"}
		var all []string
		for _, s := range a.PrintDocument().Sections {
			for _, f := range s.Fields {
				all = append(all, f.Label+": "+f.Value)
			}
			all = append(all, s.Paragraphs...)
		}
		text := strings.Join(all, "\n")
		for _, want := range []string{"Ufficio: Ufficio Tecnico", "Responsabile del procedimento: Ing. Carla Verdi", "Oggetto: Occupazione: dehors",
			"Data di presentazione: 02/03/2026", "scadenza il 01/04/2026", "il Segretario comunale", "https://servizi.example.it/pratiche/12",
			"Tribunale amministrativo"} {
			if !strings.Contains(text, want) {
				t.Errorf("start notice lacks %q:\n%s", want, text)
			}
		}
	})
	t.Run("DecisionFromTemplateAndLate", func(t *testing.T) {
		late := time.Date(2026, 4, 20, 10, 0, 0, 0, Rome)
		clock, _ := ComputeCaseClock(cas, nil, Calendar{}, DateOf(late))
		a := &CaseAct{Tenant: tenant, Case: cas, Definition: def, OrgUnit: ou, Clock: clock, Key: DocDecision, At: late,
			Transition: Transition{To: CaseAccepted, Decision: true}, Form: map[string]string{"luogo": "piazza Roma"}}
		if got := a.Body(); got != "Si autorizza Mario Rossi in piazza Roma." {
			t.Fatalf("body %q", got)
		}
		if !a.Late() {
			t.Fatal("not late")
		}
		s := a.LateStatement()
		if !strings.Contains(s, "9-quinquies") || !strings.Contains(s, "30 giorni") || !strings.Contains(s, "49 giorni") {
			t.Fatalf("late statement %q", s)
		}
		a.Text = "Testo modificato dall'operatore."
		if a.Body() != a.Text {
			t.Fatalf("edited text ignored: %q", a.Body())
		}
	})
}

func TestCanAssignCase(t *testing.T) {
	office, other := int64(1), int64(2)
	cas := &Case{TenantID: 1, OrgUnitID: office, Status: CaseSubmitted}
	op := &User{ID: 10, TenantID: 1, Roles: []Role{RoleOperator}, OrgUnitID: &office}
	op2 := &User{ID: 11, TenantID: 1, Roles: []Role{RoleOperator}, OrgUnitID: &office}
	mgr := &User{ID: 12, TenantID: 1, Roles: []Role{RoleManager}, OrgUnitID: &office}
	otherMgr := &User{ID: 13, TenantID: 1, Roles: []Role{RoleManager}, OrgUnitID: &other}
	stranger := &User{ID: 14, TenantID: 1, Roles: []Role{RoleOperator}, OrgUnitID: &other}
	as := func(u *User) *Actor { return &Actor{Kind: ActorUser, User: u} }
	for _, tc := range []struct {
		name     string
		actor    *Actor
		assignee *User
		want     string
	}{
		{"ManagerAssigns", as(mgr), op, ""},
		{"OperatorTakes", as(op), op, ""},
		{"OperatorCannotAssignOthers", as(op), op2, EFORBIDDEN},
		{"OtherOfficeManager", as(otherMgr), op, EFORBIDDEN},
		{"AssigneeOfOtherOffice", as(mgr), stranger, EINVALID},
		{"Citizen", &Actor{Kind: ActorCitizen, Citizen: &Citizen{FiscalCode: "X"}}, op, EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CanAssignCase(tc.actor, cas, tc.assignee)
			if (err == nil) != (tc.want == "") || (err != nil && ErrorCode(err) != tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	taken := *cas
	taken.ResponsibleUserID, taken.ResponsibleName = &op2.ID, "Altro"
	if err := CanAssignCase(as(op), &taken, op); ErrorCode(err) != ECONFLICT {
		t.Fatalf("taking a case of someone else: %v", err)
	}
}
