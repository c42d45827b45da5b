// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

// reviewFlow is a workflow with an inquiry, a suspension and three outcomes.
func reviewFlow() *procedo.ProcedureWorkflow {
	ops := []procedo.Role{procedo.RoleOperator, procedo.RoleManager}
	return &procedo.ProcedureWorkflow{
		States: []procedo.WorkflowState{
			{Name: procedo.CaseSubmitted, Label: "Presentata", Phase: procedo.PhasePreparatory},
			{Name: procedo.CaseInReview, Label: "In istruttoria", Phase: procedo.PhaseInquiry},
			{Name: procedo.CaseSuspended, Label: "In attesa", Phase: procedo.PhaseInquiry},
			{Name: procedo.CaseAccepted, Label: "Concessa", Phase: procedo.PhaseDecision},
			{Name: procedo.CaseRejected, Label: "Respinta", Phase: procedo.PhaseDecision},
			{Name: procedo.CaseWithdrawn, Label: "Ritirata", Phase: procedo.PhaseDecision},
		},
		Transitions: []procedo.Transition{
			{Name: "start", Label: "Avvia", From: procedo.CaseSubmitted, To: procedo.CaseInReview, Roles: ops, Document: procedo.DocStartNotice, Register: true},
			{Name: "suspend", Label: "Sospendi", From: procedo.CaseInReview, To: procedo.CaseSuspended, Roles: ops,
				Document: procedo.DocIntegrationRequest, Register: true, Clock: procedo.ClockEffectSuspend},
			{Name: "resume", Label: "Riprendi", From: procedo.CaseSuspended, To: procedo.CaseInReview, Roles: ops, Clock: procedo.ClockEffectResume},
			{Name: "accept", Label: "Concedi", From: procedo.CaseInReview, To: procedo.CaseAccepted, Roles: ops, Document: procedo.DocDecision,
				Register: true, NotifyApplicant: true, Clock: procedo.ClockEffectStop},
			{Name: "reject", Label: "Respingi", From: procedo.CaseInReview, To: procedo.CaseRejected, Roles: []procedo.Role{procedo.RoleManager},
				NeedsReason: true, Document: procedo.DocDecision, Register: true, Clock: procedo.ClockEffectStop},
			{Name: "withdraw", Label: "Rinuncia", From: procedo.CaseSubmitted, To: procedo.CaseWithdrawn, Roles: ops, Clock: procedo.ClockEffectStop},
			{Name: "withdraw", Label: "Rinuncia", From: procedo.CaseInReview, To: procedo.CaseWithdrawn, Roles: ops, Clock: procedo.ClockEffectStop},
		},
	}
}

func reviewDef() *procedo.ProcedureDefinition {
	return &procedo.ProcedureDefinition{ID: "prova", Title: "Prova", OfficeCode: "SEGR", TermDays: 30, SuspensionAllowed: true, Workflow: reviewFlow()}
}

func TestFindTransition(t *testing.T) {
	def := reviewDef()
	for _, tc := range []struct {
		name     string
		def      *procedo.ProcedureDefinition
		status   procedo.CaseStatus
		action   string
		wantTo   procedo.CaseStatus
		wantCode string
	}{
		{"DefaultAccept", nil, procedo.CaseSubmitted, "accept", procedo.CaseAccepted, ""},
		{"DefaultReject", &procedo.ProcedureDefinition{}, procedo.CaseSubmitted, "reject", procedo.CaseRejected, ""},
		{"DefaultWrongState", nil, procedo.CaseAccepted, "reject", "", procedo.ECONFLICT},
		{"DefaultUnknown", nil, procedo.CaseSubmitted, "start", "", procedo.ENOTFOUND},
		{"ModelStart", def, procedo.CaseSubmitted, "start", procedo.CaseInReview, ""},
		{"ModelAcceptNotFromSubmitted", def, procedo.CaseSubmitted, "accept", "", procedo.ECONFLICT},
		{"ModelAccept", def, procedo.CaseInReview, "accept", procedo.CaseAccepted, ""},
		{"ModelSameNameTwoStates", def, procedo.CaseInReview, "withdraw", procedo.CaseWithdrawn, ""},
		{"ModelUnknown", def, procedo.CaseInReview, "volare", "", procedo.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := procedo.FindTransition(tc.def, tc.status, tc.action)
			if procedo.ErrorCode(err) != tc.wantCode {
				t.Fatalf("err = %v, want code %q", err, tc.wantCode)
			}
			if err == nil && tr.To != tc.wantTo {
				t.Errorf("to = %s, want %s", tr.To, tc.wantTo)
			}
		})
	}
	tr, _ := procedo.FindTransition(def, procedo.CaseInReview, "accept")
	if !tr.Decision || tr.Outcome != procedo.OutcomeAccepted {
		t.Errorf("derived fields not set: %+v", tr)
	}
	if tr, _ := procedo.FindTransition(def, procedo.CaseSubmitted, "start"); tr.Decision {
		t.Error("a start notice is not a decision")
	}
}

func TestTransitionsFrom(t *testing.T) {
	names := func(ts []procedo.Transition) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	if got := names(procedo.TransitionsFrom(nil, procedo.CaseSubmitted)); !slices.Equal(got, []string{"accept", "reject"}) {
		t.Errorf("default: %v", got)
	}
	if got := names(procedo.TransitionsFrom(reviewDef(), procedo.CaseInReview)); !slices.Equal(got, []string{"suspend", "accept", "reject", "withdraw"}) {
		t.Errorf("model: %v", got)
	}
	if got := procedo.TransitionsFrom(reviewDef(), procedo.CaseAccepted); len(got) != 0 {
		t.Errorf("final state has transitions: %v", got)
	}
}

func TestProcedureWorkflow_Validate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(w *procedo.ProcedureWorkflow, d *procedo.ProcedureDefinition)
		want   string // expected error key; "" for valid
	}{
		{"OK", func(*procedo.ProcedureWorkflow, *procedo.ProcedureDefinition) {}, ""},
		{"NoSubmitted", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) { w.States[0].Name = "nuova" }, "workflow.states"},
		{"UnknownTarget", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) { w.Transitions[0].To = "limbo" }, "workflow.transitions[0].to"},
		{"UnknownRole", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.Transitions[0].Roles = []procedo.Role{"citizen"}
		},
			"workflow.transitions[0].roles[0]"},
		{"RejectWithoutReason", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.Transitions[4].NeedsReason = false
		},
			"workflow.transitions[4].needs_reason"},
		{"DecisionToOpenState", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.Transitions[0].Document = procedo.DocDecision
		},
			"workflow.transitions[0].document"},
		{"UnknownDocument", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.Transitions[0].Document = "lettera"
		},
			"workflow.transitions[0].document"},
		{"SuspensionNotAllowed", func(_ *procedo.ProcedureWorkflow, d *procedo.ProcedureDefinition) { d.SuspensionAllowed = false },
			"workflow.transitions[1].clock"},
		{"CloseWithoutStop", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) { w.Transitions[5].Clock = "" },
			"workflow.transitions[5].clock"},
		{"BadPhase", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) { w.States[1].Phase = "finale" }, "workflow.states[1].phase"},
		{"DeadEndState", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.States = append(w.States, procedo.WorkflowState{Name: "vicolo", Label: "Cieco", Phase: procedo.PhaseInquiry})
			w.Transitions = append(w.Transitions, procedo.Transition{Name: "entra", Label: "Entra", From: procedo.CaseInReview, To: "vicolo",
				Roles: []procedo.Role{procedo.RoleOperator}})
		}, "workflow.states[6].name"},
		{"Unreachable", func(w *procedo.ProcedureWorkflow, _ *procedo.ProcedureDefinition) {
			w.Transitions = slices.DeleteFunc(w.Transitions, func(t procedo.Transition) bool { return t.Name == "suspend" })
		}, "workflow.states[2].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := reviewDef()
			tc.change(d.Workflow, d)
			fe := procedo.FieldErrorsOf(d.Validate())
			if tc.want == "" {
				if fe != nil {
					t.Fatalf("unexpected errors: %v", fe)
				}
				return
			}
			if _, ok := fe[tc.want]; !ok {
				t.Errorf("errors %v, want one for %s", fe, tc.want)
			}
		})
	}
}

func TestProcedureDefinition_Graph(t *testing.T) {
	for _, def := range []*procedo.ProcedureDefinition{reviewDef(), {ID: "default"}} {
		g := def.Graph()
		ids := map[string]procedo.ProcessNode{}
		for _, n := range g.Nodes {
			if _, dup := ids[n.ID]; dup {
				t.Errorf("%s: duplicate node %s", def.ID, n.ID)
			}
			ids[n.ID] = n
			if n.X < 0 || n.Y < 0 || n.X+n.W > g.Width || n.Y+n.H > g.Height {
				t.Errorf("%s: node %s outside the diagram", def.ID, n.ID)
			}
		}
		flows := 0
		for _, e := range g.Edges {
			if _, ok := ids[e.From]; !ok {
				t.Errorf("%s: edge %s from unknown %s", def.ID, e.ID, e.From)
			}
			if _, ok := ids[e.To]; !ok {
				t.Errorf("%s: edge %s to unknown %s", def.ID, e.ID, e.To)
			}
			if len(e.Points) < 2 {
				t.Errorf("%s: edge %s has %d points", def.ID, e.ID, len(e.Points))
			}
			if e.Action != nil {
				flows++
			}
		}
		if want := len(def.Flow().Transitions); flows != want {
			t.Errorf("%s: %d action flows, want %d", def.ID, flows, want)
		}
	}
	g := reviewDef().Graph()
	if _, ok := g.Node("gw_in_review"); !ok {
		t.Error("a state with several actions needs a gateway")
	}
	if n, ok := g.Node("end_accepted"); !ok || n.Kind != procedo.NodeEnd || n.Label != "Concessa" {
		t.Errorf("end node: %+v", n)
	}
	back := false
	for _, e := range g.Edges {
		back = back || (e.Back && strings.HasSuffix(e.ID, "_resume"))
	}
	if !back {
		t.Error("resume goes back to an earlier state and should be drawn below")
	}
}

func TestCaseStatus(t *testing.T) {
	for _, tc := range []struct {
		s       procedo.CaseStatus
		label   string
		outcome string
	}{
		{procedo.CaseSubmitted, "Presentata", ""},
		{procedo.CaseInReview, "In istruttoria", ""},
		{procedo.CaseAccepted, "Accolta", procedo.OutcomeAccepted},
		{procedo.CaseArchived, "Archiviata", procedo.OutcomeArchived},
		{procedo.CaseWithdrawn, "Ritirata", procedo.OutcomeWithdrawn},
		{"personalizzato", "personalizzato", ""},
	} {
		if tc.s.Label() != tc.label || tc.s.Outcome() != tc.outcome || tc.s.Closed() != (tc.outcome != "") {
			t.Errorf("%s: label %q outcome %q closed %v", tc.s, tc.s.Label(), tc.s.Outcome(), tc.s.Closed())
		}
	}
	if l := reviewDef().StateLabel(procedo.CaseAccepted); l != "Concessa" {
		t.Errorf("model state label = %q", l)
	}
}
