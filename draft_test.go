// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/procedo/procedo"
)

// stepForm has two sections and a file, with a condition across them.
func stepForm() *procedo.ProcedureDefinition {
	return &procedo.ProcedureDefinition{Form: procedo.Form{Sections: []procedo.FormSection{
		{Title: "Recapiti", Fields: []procedo.FormField{
			{Name: "email", Label: "E-mail", Type: procedo.FieldEmail, Required: true},
			{Name: "dieta", Label: "Dieta speciale?", Type: procedo.FieldYesNo, Required: true},
		}},
		{Title: "Dettagli", Fields: []procedo.FormField{
			{Name: "luogo", Label: "Luogo", Type: procedo.FieldAddress, Required: true},
			{Name: "certificato", Label: "Certificato", Type: procedo.FieldFile, Required: true, Accept: []string{"application/pdf"},
				VisibleIf: &procedo.Condition{Field: "dieta", Equals: "si"}},
		}},
		{Title: "Solo allegati", Fields: []procedo.FormField{
			{Name: "planimetria", Label: "Planimetria", Type: procedo.FieldFile},
		}},
	}}, Payments: []procedo.Payment{
		{Description: "Bollo", Amount: 16, Causale: "Imposta di bollo"},
		{Description: "Canone", Variable: true, Causale: "Canone", Note: "a metro quadro"},
	}}
}

func TestDraftSteps(t *testing.T) {
	def := stepForm()
	var keys []string
	for _, s := range procedo.DraftSteps(def) {
		keys = append(keys, s.Key)
	}
	want := "informativa richiedente sezione-1 sezione-2 allegati pagamento riepilogo"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("steps %q, want %q", got, want)
	}
	steps := procedo.DraftSteps(def)
	for key, step := range map[string]string{"luogo.cap": "sezione-2", "dieta": "sezione-1", "certificato": "allegati",
		"applicant.email": "richiedente", "privacy": "informativa", "sconosciuto": ""} {
		if got := procedo.DraftStepOf(steps, key); got != step {
			t.Errorf("DraftStepOf(%q) = %q, want %q", key, got, step)
		}
	}
	def.Payments = nil
	if got := procedo.DraftSteps(def); procedo.FindDraftStep(got, procedo.StepPayment) >= 0 {
		t.Error("a payment step without fees")
	}
}

func TestStepErrors(t *testing.T) {
	def := stepForm()
	tests := []struct {
		name   string
		values map[string]string
		files  map[string]procedo.FileInfo
		fields []string
		want   []string // keys with errors
	}{
		{"first step only", map[string]string{}, nil, []string{"email", "dieta"}, []string{"email", "dieta"}},
		{"first step fine", map[string]string{"email": "a@b.it", "dieta": "no"}, nil, []string{"email", "dieta"}, nil},
		{"address parts", map[string]string{"luogo.via": "Via Roma", "luogo.cap": "1"}, nil, []string{"luogo"}, []string{"luogo.cap", "luogo.comune"}},
		{"file hidden by an earlier answer", map[string]string{"dieta": "no"}, nil, []string{"certificato", "planimetria"}, nil},
		{"file asked for by an earlier answer", map[string]string{"dieta": "si"}, nil, []string{"certificato", "planimetria"}, []string{"certificato"}},
		{"file of a wrong type", map[string]string{"dieta": "si"}, map[string]procedo.FileInfo{"certificato": {Filename: "x.png", MediaType: "image/png", Size: 10}},
			[]string{"certificato"}, []string{"certificato"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := procedo.StepErrors(&def.Form, tt.values, tt.files, tt.fields)
			if len(fe) != len(tt.want) {
				t.Fatalf("got %v, want keys %v", fe, tt.want)
			}
			for _, k := range tt.want {
				if fe[k] == "" {
					t.Errorf("no error for %s: %v", k, fe)
				}
			}
		})
	}
}

func TestApplicant_Validate(t *testing.T) {
	ok := procedo.DraftApplicant{GivenName: "Mario", FamilyName: "Rossi", Email: "mario@example.it"}
	tests := []struct {
		name string
		edit func(a *procedo.DraftApplicant)
		want string // key of the error; "" for none
	}{
		{"OK", func(a *procedo.DraftApplicant) {}, ""},
		{"no e-mail", func(a *procedo.DraftApplicant) { a.Email = "" }, "applicant.email"},
		{"bad e-mail", func(a *procedo.DraftApplicant) { a.Email = "Mario <mario@example.it>" }, "applicant.email"},
		{"bad phone", func(a *procedo.DraftApplicant) { a.Phone = "chiamami" }, "applicant.phone"},
		{"company OK", func(a *procedo.DraftApplicant) {
			a.ForCompany, a.CompanyVAT, a.CompanyName, a.LegalRepresentative = true, "01199250158", "Rossi srl", true
		}, ""},
		{"company VAT check digit", func(a *procedo.DraftApplicant) {
			a.ForCompany, a.CompanyVAT, a.CompanyName, a.LegalRepresentative = true, "01199250159", "Rossi srl", true
		}, "applicant.company_vat"},
		{"company without declaration", func(a *procedo.DraftApplicant) {
			a.ForCompany, a.CompanyVAT, a.CompanyName = true, "01199250158", "Rossi srl"
		}, "applicant.legal_representative"},
		{"company without name", func(a *procedo.DraftApplicant) {
			a.ForCompany, a.CompanyVAT, a.LegalRepresentative = true, "01199250158", true
		}, "applicant.company_name"},
		{"control character", func(a *procedo.DraftApplicant) { a.GivenName = "Ma\x07rio" }, "applicant.given_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			fe := procedo.FieldErrorsOf(a.Validate())
			if tt.want == "" && fe != nil || tt.want != "" && fe[tt.want] == "" {
				t.Fatalf("got %v, want %q", fe, tt.want)
			}
		})
	}
	// Not acting for a company drops the company.
	a := procedo.DraftApplicant{CompanyVAT: "x", CompanyName: "y", LegalRepresentative: true}
	a.Normalize()
	if a.CompanyVAT != "" || a.CompanyName != "" || a.LegalRepresentative {
		t.Errorf("normalized %+v", a)
	}
}

func TestUnpaidFees(t *testing.T) {
	def := stepForm()
	paid := &procedo.PaymentNotice{Causale: "Imposta di bollo", Amount: 1600, Status: procedo.PaymentPaid}
	unpaid := &procedo.PaymentNotice{Causale: "Imposta di bollo", Amount: 1600, Status: procedo.PaymentUnpaid}
	wrong := &procedo.PaymentNotice{Causale: "Imposta di bollo", Amount: 100, Status: procedo.PaymentPaid}
	msg := func(notices ...*procedo.PaymentNotice) string {
		return procedo.FieldErrorsOf(procedo.FeesError(procedo.DraftFees(def, nil, notices)))["payments"]
	}
	if got := msg(); !strings.Contains(got, "Bollo (16,00 €)") || strings.Contains(got, "Canone") {
		t.Errorf("no notices: %q", got)
	}
	if got := msg(unpaid, wrong); !strings.Contains(got, "Bollo") {
		t.Errorf("unpaid or wrong amount: %q", got)
	}
	if got := msg(paid); got != "" {
		t.Errorf("paid: %q", got) // the variable fee is for later
	}
	def.Payments = append(def.Payments, def.Payments[0])
	if got := msg(paid); !strings.Contains(got, "Bollo") {
		t.Errorf("two equal fees, one notice: %q", got)
	}
	if msg := procedo.FieldErrorsOf(procedo.UnpaidFeesError(def.ApplicationFees()))["payments"]; !strings.Contains(msg, "Bollo (16,00 €)") {
		t.Errorf("message %q", msg)
	}
}

func TestAcceptsApplications(t *testing.T) {
	tests := []struct {
		name string
		edit func(v *procedo.ProcedureVersion)
		ok   bool
	}{
		{"published and active", func(v *procedo.ProcedureVersion) {}, true},
		{"retired", func(v *procedo.ProcedureVersion) { v.Status = procedo.ProcedureRetired }, false},
		{"draft", func(v *procedo.ProcedureVersion) { v.Status = procedo.ProcedureDraft }, false},
		{"inactive", func(v *procedo.ProcedureVersion) { v.Definition.Status = procedo.ServiceInactive }, false},
		{"online later", func(v *procedo.ProcedureVersion) {
			v.Definition.OnlineService = &procedo.OnlineService{Activation: "da giugno"}
		}, false},
		{"online elsewhere", func(v *procedo.ProcedureVersion) {
			v.Definition.OnlineService = &procedo.OnlineService{Available: true, URL: "https://altro.example.it"}
		}, false},
		{"online here", func(v *procedo.ProcedureVersion) {
			v.Definition.OnlineService = &procedo.OnlineService{Available: true}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &procedo.ProcedureVersion{Status: procedo.ProcedurePublished}
			tt.edit(v)
			err := procedo.AcceptsApplications(v)
			if (err == nil) != tt.ok || err != nil && procedo.ErrorCode(err) != procedo.ECONFLICT {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestCanAccessDraft(t *testing.T) {
	reg := &procedo.User{ID: 7, TenantID: 1, Roles: []procedo.Role{procedo.RoleRegistry}}
	op := &procedo.User{ID: 7, TenantID: 1, Roles: []procedo.Role{procedo.RoleOperator}}
	other := &procedo.User{ID: 8, TenantID: 1, Roles: []procedo.Role{procedo.RoleRegistry}}
	mine := &procedo.ApplicationDraft{TenantID: 1, FiscalCode: "RSSMRA80A01H501U"}
	byAPI := &procedo.ApplicationDraft{TenantID: 1, FiscalCode: "RSSMRA80A01H501U", CreatedBy: &reg.ID}
	mario := &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: &procedo.Citizen{FiscalCode: "RSSMRA80A01H501U"}}
	lucia := &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: &procedo.Citizen{FiscalCode: "VRDLCU85T45F205S"}}
	tests := []struct {
		name string
		a    *procedo.Actor
		d    *procedo.ApplicationDraft
		want bool
	}{
		{"owner", mario, mine, true},
		{"another citizen", lucia, mine, false},
		{"anonymous", nil, mine, false},
		{"the applicant of an integrator's draft", mario, byAPI, false},
		{"its integrator", &procedo.Actor{Kind: procedo.ActorUser, User: reg}, byAPI, true},
		{"another integrator", &procedo.Actor{Kind: procedo.ActorUser, User: other}, byAPI, false},
		{"the integrator without the role", &procedo.Actor{Kind: procedo.ActorUser, User: op}, byAPI, false},
		{"an integrator, a citizen's draft", &procedo.Actor{Kind: procedo.ActorUser, User: reg}, mine, false},
		{"system", procedo.SystemActor, mine, true},
	}
	for _, tt := range tests {
		if got := procedo.CanAccessDraft(tt.a, tt.d); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if procedo.CanCreateDraft(&procedo.Actor{Kind: procedo.ActorUser, User: op}) == nil || procedo.CanCreateDraft(nil) == nil ||
		procedo.CanCreateDraft(mario) != nil || procedo.CanCreateDraft(&procedo.Actor{Kind: procedo.ActorUser, User: reg}) != nil {
		t.Error("CanCreateDraft")
	}
}

func TestDraft_Problems(t *testing.T) {
	def := stepForm()
	d := &procedo.ApplicationDraft{Values: map[string]string{}}
	fe := d.Problems(def)
	for _, k := range []string{"privacy", "applicant.email", "applicant.given_name", "email", "dieta", "luogo", "payments"} {
		if fe[k] == "" {
			t.Errorf("no problem %s: %v", k, fe)
		}
	}
	now := time.Now()
	d = &procedo.ApplicationDraft{PrivacyAcceptedAt: &now,
		Applicant: procedo.DraftApplicant{GivenName: "Mario", FamilyName: "Rossi", Email: "m@example.it"},
		Values: map[string]string{"email": "m@example.it", "dieta": "no", "luogo.via": "Via Roma", "luogo.cap": "73030",
			"luogo.comune": "Castro (LE)"},
		Payments: []*procedo.PaymentNotice{{Causale: "Imposta di bollo", Amount: 1600, Status: procedo.PaymentPaid}}}
	if fe := d.Problems(def); fe != nil {
		t.Fatalf("complete draft: %v", fe)
	}
}

// FuzzDecodeDraftValues feeds the decoder of draft values (API bodies and
// stored drafts) arbitrary bytes: it must never panic, and what it accepts
// must respect the limits, survive a round trip and pass or fail the form's
// key check with an Italian message, never a crash.
func FuzzDecodeDraftValues(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"oggetto": "Permesso 12/2024"}`, `{"a": null}`, `{"luogo.via": "Via Roma", "luogo.cap": "73030"}`,
		`{"alunni.0.nome": "Luca"}`, `{"x": 1}`, `{"x": true}`, `[]`, `null`, `"testo"`, `{"x": "a"} {}`, `{"\u0000": "x"}`,
		`{"x": "\u0000"}`, `{"x": "\ud800"}`, `{"": "x"}`, `{"x": {"y": "z"}}`, "{\"x\": \"\xff\"}", `{"x":"y","x":"z"}`,
		`{"email": "` + strings.Repeat("a", procedo.MaxDraftValueLength+1) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	form := &stepForm().Form
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := procedo.DecodeDraftValues(b)
		if err != nil {
			if procedo.ErrorCode(err) != procedo.EINVALID || procedo.ErrorMessage(err) == "" {
				t.Fatalf("error %v is not EINVALID with a message", err)
			}
			return
		}
		if v == nil || len(v) > procedo.MaxDraftValues {
			t.Fatalf("accepted %d values (nil: %v)", len(v), v == nil)
		}
		for k, x := range v {
			if k == "" || !utf8.ValidString(k) || !utf8.ValidString(x) || len(x) > procedo.MaxDraftValueLength ||
				strings.ContainsRune(k, 0) || strings.ContainsRune(x, 0) {
				t.Fatalf("accepted %q: %q", k, x)
			}
		}
		enc, err := procedo.EncodeDraftValues(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := procedo.DecodeDraftValues(enc)
		if err != nil || len(again) != len(v) {
			t.Fatalf("round trip: %v %v", again, err)
		}
		for k, x := range v {
			if again[k] != x {
				t.Fatalf("round trip changed %q: %q → %q", k, x, again[k])
			}
		}
		if err := procedo.ValidateDraftValues(form, v); err != nil && procedo.FieldErrorsOf(err) == nil && procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("ValidateDraftValues: %v", err)
		}
		// The form's one validation takes any accepted values without panicking.
		_ = procedo.StepErrors(form, v, nil, []string{"email", "luogo"})
		if _, err := json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	})
}
