// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// worklistPageSize is the number of cases on one page of a worklist.
const worklistPageSize = 50

// Worklists and orders as they appear in URLs (Italian) and in the filter.
var (
	viewParams = map[string]procedo.CaseView{"": procedo.CaseViewAll, "tutte": procedo.CaseViewAll, "nuove": procedo.CaseViewNew,
		"mie": procedo.CaseViewMine, "in-attesa": procedo.CaseViewWaiting, "in-scadenza": procedo.CaseViewExpiring,
		"scadute": procedo.CaseViewOverdue, "da-approvare": procedo.CaseViewApproval}
	sortOptions = []option{{"", "Predefinito (per scadenza negli elenchi a termine, poi dalle più recenti)"}, {"scadenza", "Scadenza più vicina"},
		{"recenti", "Più recenti"}, {"meno-recenti", "Meno recenti"}}
	sortParams   = map[string]procedo.CaseSort{"": procedo.CaseSortDefault, "scadenza": procedo.CaseSortDue, "recenti": procedo.CaseSortNewest, "meno-recenti": procedo.CaseSortOldest}
	stateOptions = []option{{"aperte", "Aperte"}, {"chiuse", "Concluse"}, {"tutte", "Aperte e concluse"}}
	// statusOptions are the standard workflow states, for the "fase" filter.
	statusOptions = func() []option {
		var out []option
		for _, s := range []procedo.CaseStatus{procedo.CaseSubmitted, procedo.CaseInReview, procedo.CaseSuspended, procedo.CaseNotice10bis,
			procedo.CaseConsultation, procedo.CaseEffective, procedo.CaseAccepted, procedo.CaseRejected, procedo.CaseArchived, procedo.CaseWithdrawn} {
			out = append(out, option{string(s), s.Label()})
		}
		return out
	}()
)

// viewParam returns the URL value of worklist v.
func viewParam(v procedo.CaseView) string {
	for k, x := range viewParams {
		if x == v && k != "" {
			return k
		}
	}
	return ""
}

// idOption is an object of a select, by id.
type idOption struct {
	ID    int64
	Label string
}

// worklistQuery is a worklist's filters, sort and page, all from the URL.
type worklistQuery struct {
	View                           string // URL value (viewParams)
	State                          string // aperte, chiuse, tutte
	Office, Responsible, Procedure int64  // 0 = any
	Status                         string // a workflow state, "" = any
	Q                              string
	Sort                           string // URL value (sortParams)
	Page                           int
}

// parseWorklistQuery reads q; problems are FieldErrors keyed by parameter.
func parseWorklistQuery(q url.Values) (worklistQuery, procedo.FieldErrors) {
	fe := procedo.FieldErrors{}
	w := worklistQuery{View: q.Get("vista"), State: q.Get("stato"), Status: q.Get("fase"), Q: strings.TrimSpace(q.Get("q")),
		Sort: q.Get("ordine"), Page: 1}
	if _, ok := viewParams[w.View]; !ok {
		fe.Add("vista", "Elenco di pratiche sconosciuto.")
		w.View = ""
	}
	if w.State == "" {
		w.State = "aperte"
	}
	if !slices.ContainsFunc(stateOptions, func(o option) bool { return o.Value == w.State }) {
		fe.Add("stato", "Scegli pratiche aperte, concluse o tutte.")
		w.State = "aperte"
	}
	if _, ok := sortParams[w.Sort]; !ok {
		fe.Add("ordine", "Ordinamento sconosciuto.")
		w.Sort = ""
	}
	if w.Status != "" && !slices.ContainsFunc(statusOptions, func(o option) bool { return o.Value == w.Status }) {
		fe.Add("fase", "Stato della pratica sconosciuto.")
		w.Status = ""
	}
	if len([]rune(w.Q)) > 200 {
		fe.Add("q", "La ricerca non può superare 200 caratteri.")
		w.Q = ""
	}
	for _, p := range []struct {
		name string
		dst  *int64
		msg  string
	}{{"ufficio", &w.Office, "Ufficio sconosciuto."}, {"responsabile", &w.Responsible, "Responsabile sconosciuto."},
		{"procedimento", &w.Procedure, "Procedimento sconosciuto."}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				fe.Add(p.name, p.msg)
				continue
			}
			*p.dst = n
		}
	}
	if s := q.Get("pagina"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			fe.Add("pagina", "Numero di pagina non valido.")
		} else {
			w.Page = n
		}
	}
	return w, fe
}

// filter returns the CaseFilter of the query (without its view).
func (w worklistQuery) filter() procedo.CaseFilter {
	f := procedo.CaseFilter{Query: w.Q, Sort: sortParams[w.Sort], Offset: (w.Page - 1) * worklistPageSize, Limit: worklistPageSize}
	switch w.State {
	case "aperte":
		f.Open = ptrTo(true)
	case "chiuse":
		f.Open = ptrTo(false)
	}
	if w.Office != 0 {
		f.OrgUnitID = ptrTo(w.Office)
	}
	if w.Responsible != 0 {
		f.ResponsibleUserID = ptrTo(w.Responsible)
	}
	if w.Procedure != 0 {
		f.ProcedureTypeID = ptrTo(w.Procedure)
	}
	if w.Status != "" {
		f.Status = ptrTo(procedo.CaseStatus(w.Status))
	}
	return f
}

func ptrTo[T any](v T) *T { return &v }

// values returns the query as URL values; view and page as given.
func (w worklistQuery) values(view string, page int) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("vista", view)
	if w.State != "aperte" {
		set("stato", w.State)
	}
	set("fase", w.Status)
	set("q", w.Q)
	set("ordine", w.Sort)
	for k, n := range map[string]int64{"ufficio": w.Office, "responsabile": w.Responsible, "procedimento": w.Procedure} {
		if n != 0 {
			v.Set(k, strconv.FormatInt(n, 10))
		}
	}
	if page > 1 {
		v.Set("pagina", strconv.Itoa(page))
	}
	return v
}

// safeQuery re-encodes a query string, so that only parsed parameters go
// back into a URL.
func safeQuery(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return v.Encode()
}

// worklistTab is the link to one worklist with its count.
type worklistTab struct {
	Label   string
	URL     string
	Count   int // -1: not counted
	Current bool
}

// worklistRow is one case of a worklist.
type worklistRow struct {
	C           *procedo.Case
	StatusLabel string
	Badge       *dueBadge
	DaysLeft    string
	CanTake     bool // an operator may take it ("Prendi in carico")
	Checked     bool // selected in the bulk form shown again
}

// worklistPage is the office worklist.
type worklistPage struct {
	User       *procedo.User
	Office     *procedo.OrgUnit
	Q          worklistQuery
	Query      string // the encoded query of the page, for the forms
	Tabs       []worklistTab
	ViewLabel  string
	Rows       []worklistRow
	Total      int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	Offices    []*procedo.OrgUnit
	People     []idOption
	Procedures []idOption
	Statuses   []option
	Sorts      []option
	States     []option
	Errors     procedo.FieldErrors // of the filters and of the bulk form
	Alert      string
	Bulk       bool       // a manager: selection and bulk actions
	Assignees  []idOption // for the bulk assignment
	Values     map[string]string
	Today      procedo.Date
}

// handleWorklist is the office worklist: tabs per worklist with their
// counts, filters, search, sort and pages, all in the URL.
func (h *Handler) handleWorklist(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		http.Redirect(w, r, "/ufficio/accedi", http.StatusSeeOther)
		return nil
	}
	return h.renderWorklist(w, r, u, http.StatusOK, nil, nil, nil)
}

// renderWorklist draws the worklist of the request's query; bulkErr and
// values are the failed bulk action's error and input, selected its cases.
func (h *Handler) renderWorklist(w http.ResponseWriter, r *http.Request, u *procedo.User, status int, bulkErr error,
	values map[string]string, selected []int64) error {
	ctx := r.Context()
	q, fe := parseWorklistQuery(r.URL.Query())
	d := &worklistPage{User: u, Q: q, Statuses: statusOptions, Sorts: sortOptions, States: stateOptions, Errors: procedo.FieldErrors{}, Values: values,
		Today: procedo.DateOf(timeNow()), Bulk: u.HasRole(procedo.RoleManager)}
	d.Query = q.values(q.View, q.Page).Encode()
	for k, m := range fe {
		d.Errors.Add(k, m)
	}
	if bulkErr != nil {
		if bfe := procedo.FieldErrorsOf(bulkErr); bfe != nil {
			for k, m := range bfe {
				d.Errors.Add(k, m)
			}
		} else {
			d.Alert = procedo.ErrorMessage(bulkErr)
		}
	}
	if len(fe) > 0 && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	if u.OrgUnitID != nil {
		office, err := h.OrgUnits.FindOrgUnitByID(ctx, *u.OrgUnitID)
		if err != nil {
			return err
		}
		d.Office = office
	}
	if err := h.worklistOptions(r, d); err != nil {
		return err
	}
	f := q.filter()
	view := viewParams[q.View]
	d.ViewLabel = view.Label()
	counts := map[procedo.CaseView]int{}
	if len(fe) == 0 {
		var err error
		if counts, err = h.Cases.CountCaseViews(ctx, f); err != nil && !isCode(err, procedo.EFORBIDDEN) {
			return err
		}
		f.View = view
		cases, total, err := h.Cases.FindCases(ctx, f)
		if err != nil {
			return err
		}
		d.Total = total
		defs := map[int64]*procedo.ProcedureDefinition{}
		a := &procedo.Actor{Kind: procedo.ActorUser, User: u}
		for _, c := range cases {
			def, ok := defs[c.ProcedureVersionID]
			if !ok {
				v, err := h.Procedures.FindProcedureVersionByID(ctx, c.ProcedureVersionID)
				if err != nil {
					return err
				}
				def = &v.Definition
				defs[c.ProcedureVersionID] = def
			}
			row := worklistRow{C: c, StatusLabel: def.StateLabel(c.Status), Badge: dueBadgeOf(c, d.Today), DaysLeft: daysLeftText(c, d.Today),
				Checked: slices.Contains(selected, c.ID)}
			row.CanTake = !d.Bulk && c.ResponsibleUserID == nil && procedo.CanAssignCase(a, c, u) == nil
			d.Rows = append(d.Rows, row)
		}
	}
	for _, v := range append([]procedo.CaseView{procedo.CaseViewAll}, procedo.CaseViews...) {
		tab := worklistTab{Label: v.Label(), URL: "/ufficio?" + q.values(viewParam(v), 1).Encode(), Count: -1, Current: v == view}
		if n, ok := counts[v]; ok {
			tab.Count = n
		} else if tab.Current {
			tab.Count = d.Total
		}
		d.Tabs = append(d.Tabs, tab)
	}
	d.Page = q.Page
	d.Pages = max(1, (d.Total+worklistPageSize-1)/worklistPageSize)
	if q.Page > 1 {
		d.PrevURL = "/ufficio?" + q.values(q.View, q.Page-1).Encode()
	}
	if q.Page < d.Pages {
		d.NextURL = "/ufficio?" + q.values(q.View, q.Page+1).Encode()
	}
	title := "Pratiche: " + d.ViewLabel
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "worklist", &page{Title: title, Section: "office", Data: d})
	return nil
}

// worklistOptions fills the choices of the filters and of the bulk form.
func (h *Handler) worklistOptions(r *http.Request, d *worklistPage) error {
	ctx := r.Context()
	offices, err := h.OrgUnits.FindOrgUnits(ctx)
	if err != nil {
		return err
	}
	d.Offices = offices
	uf := procedo.UserFilter{Limit: 500}
	if !d.User.HasRole(procedo.RoleManager) && d.User.OrgUnitID != nil {
		uf.OrgUnitID = d.User.OrgUnitID
	}
	users, _, err := h.Users.FindUsers(ctx, uf)
	if err != nil {
		return err
	}
	for _, x := range users {
		if x.Disabled || !(x.HasRole(procedo.RoleOperator) || x.HasRole(procedo.RoleManager)) {
			continue
		}
		label := x.FullName
		if label == "" {
			label = x.Username
		}
		d.People = append(d.People, idOption{x.ID, label})
	}
	d.Assignees = d.People
	versions, err := h.Procedures.FindPublishedProcedures(ctx)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if !slices.ContainsFunc(d.Procedures, func(o idOption) bool { return o.ID == v.ProcedureTypeID }) {
			d.Procedures = append(d.Procedures, idOption{v.ProcedureTypeID, v.Definition.Title})
		}
	}
	slices.SortFunc(d.Procedures, func(a, b idOption) int { return strings.Compare(a.Label, b.Label) })
	return nil
}

// bulkInput reads the selected cases of a bulk form.
func bulkInput(r *http.Request) []int64 {
	var ids []int64
	for _, s := range r.PostForm["ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// handleWorklistAssign assigns the selected cases to one person (managers).
func (h *Handler) handleWorklistAssign(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	ids := bulkInput(r)
	values := map[string]string{"user_id": r.PostFormValue("user_id")}
	uid, perr := strconv.ParseInt(values["user_id"], 10, 64)
	switch {
	case len(ids) == 0:
		err = procedo.FieldErrors{"ids": "Seleziona almeno una pratica."}
	case perr != nil || uid <= 0:
		err = procedo.FieldErrors{"user_id": "Scegli a chi assegnare le pratiche."}
	default:
		err = h.CaseWork.AssignCases(r.Context(), ids, uid)
	}
	return h.afterBulk(w, r, u, err, values, ids, "cases-assigned")
}

// handleWorklistRemind sends a reminder on the selected cases (managers).
func (h *Handler) handleWorklistRemind(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	ids := bulkInput(r)
	values := map[string]string{"message": r.PostFormValue("message")}
	if len(ids) == 0 {
		err = procedo.FieldErrors{"ids": "Seleziona almeno una pratica."}
	} else {
		err = h.CaseWork.RemindCases(r.Context(), ids, values["message"])
	}
	return h.afterBulk(w, r, u, err, values, ids, "cases-reminded")
}

// afterBulk redirects to the worklist after a bulk action, or shows it again
// with the error: 422 for the form's fields, the error's own status for a
// refusal (a case of another office, a concluded case).
func (h *Handler) afterBulk(w http.ResponseWriter, r *http.Request, u *procedo.User, err error, values map[string]string, ids []int64, flash string) error {
	if err == nil {
		h.notify()
		h.redirect(w, r, "/ufficio?"+safeQuery(r.URL.RawQuery), flash)
		return nil
	}
	switch procedo.ErrorCode(err) {
	case procedo.EINVALID, procedo.ECONFLICT, procedo.EFORBIDDEN, procedo.ENOTFOUND:
		return h.renderWorklist(w, r, u, statusOf(procedo.ErrorCode(err)), err, values, ids)
	}
	return err
}
