// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// Opinions (pareri): the panel and the request form on the case pages, the
// offices' lists at /ufficio/pareri, the page of one request with its answer
// form, and the documents of a request for the office asked.

// opinionPanel is the "Pareri" panel of a case page.
type opinionPanel struct {
	Opinions   []*procedo.CaseOpinion
	Today      procedo.Date
	CanRequest bool                // the user may ask an opinion (office staff, open case)
	MaySuspend bool                // the model lets the request suspend the term now
	Offices    []*procedo.OrgUnit  // the other offices of the ente
	Documents  []*procedo.Document // documents of the case that may go with the request
	Days       [3]int              // default, minimum and maximum days to answer
}

// opinionPanel loads the opinions of case d and, for its office's staff, what
// the request form offers.
func (h *Handler) opinionPanel(r *http.Request, d *caseDetail) (*opinionPanel, error) {
	ctx := r.Context()
	ops, err := h.CaseOpinions.FindCaseOpinions(ctx, d.Case.ID)
	if err != nil {
		return nil, err
	}
	p := &opinionPanel{Opinions: ops, Today: d.Today, Days: [3]int{procedo.DefaultOpinionDays, procedo.MinOpinionDays, procedo.MaxOpinionDays}}
	a := procedo.ActorFromContext(ctx)
	if a == nil || a.User == nil || procedo.CanRequestOpinion(a, d.Case) != nil {
		return p, nil
	}
	p.CanRequest, p.MaySuspend = true, procedo.OpinionMaySuspend(a, d.Case, d.Def)
	units, err := h.OrgUnits.FindOrgUnits(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if u.ID != d.Case.OrgUnitID {
			p.Offices = append(p.Offices, u)
		}
	}
	for _, g := range d.Documents {
		p.Documents = append(p.Documents, g.Documents...)
	}
	return p, nil
}

// handleCaseOpinionRequest asks an opinion from the case page: of an office
// of the ente or of another administration, with the question, the days to
// answer, documents of the case and, where the model allows it, the
// suspension of the term.
func (h *Handler) handleCaseOpinionRequest(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if h.CaseOpinions == nil {
		return errNotFound
	}
	values := map[string]string{}
	for _, k := range []string{"destinatario", "org_unit_id", "external_name", "external_email", "question", "days", "suspend"} {
		values[k] = r.PostFormValue(k)
	}
	values["documents"] = strings.Join(r.PostForm["documents"], ",")
	req := procedo.OpinionRequest{Question: values["question"], Suspend: values["suspend"] != ""}
	fe := procedo.FieldErrors{}
	if values["destinatario"] == "esterno" {
		req.ExternalName, req.ExternalEmail = values["external_name"], values["external_email"]
		if req.ExternalName == "" && req.ExternalEmail == "" {
			fe.Add("external_name", "Indica il nome dell'amministrazione.")
		}
	} else if n, perr := strconv.ParseInt(values["org_unit_id"], 10, 64); perr != nil || n <= 0 {
		fe.Add("org_unit_id", "Scegli l'ufficio a cui chiedere il parere.")
	} else {
		req.OrgUnitID = n
	}
	if s := strings.TrimSpace(values["days"]); s != "" {
		if n, perr := strconv.Atoi(s); perr != nil {
			fe.Add("days", "Il termine per il parere va da 1 a 90 giorni.")
		} else {
			req.Days = n
		}
	}
	for _, s := range r.PostForm["documents"] {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || n <= 0 {
			fe.Add("documents", "Documento della pratica sconosciuto.")
			break
		}
		req.DocumentIDs = append(req.DocumentIDs, n)
	}
	if len(fe) > 0 {
		// Show the problems of the other fields at once too.
		check := req
		for k, v := range procedo.FieldErrorsOf(check.Clean()) {
			if _, ok := fe[k]; !ok && k != "recipient" {
				fe[k] = v
			}
		}
	}
	if len(fe) == 0 {
		_, err = h.CaseOpinions.RequestOpinion(r.Context(), id, req)
	} else {
		// Tell a caller who may not see the case nothing about it first.
		if _, err = h.Cases.FindCaseByID(r.Context(), id); err == nil {
			err = fe
		}
	}
	if err != nil {
		return h.caseAgain(w, r, u, "opinion", values, err)
	}
	h.notify()
	h.redirect(w, r, caseURL(id)+"#pareri", "case-opinion")
	return nil
}

// Lists of /ufficio/pareri as they appear in URLs.
var opinionBoxParams = map[string]procedo.OpinionBox{"da-rendere": procedo.OpinionBoxToAnswer, "richiesti": procedo.OpinionBoxRequested,
	"esterni": procedo.OpinionBoxExternal}

func opinionBoxParam(b procedo.OpinionBox) string {
	for k, v := range opinionBoxParams {
		if v == b {
			return k
		}
	}
	return ""
}

// opinionBoxesFor returns the lists that concern u: what its office must
// answer and what it asked (operators, managers), the answers of other
// administrations to record (registry desk, operators, managers); admins and
// records managers see what was asked.
func opinionBoxesFor(u *procedo.User) []procedo.OpinionBox {
	var out []procedo.OpinionBox
	staff := u.HasRole(procedo.RoleOperator) || u.HasRole(procedo.RoleManager)
	if staff && u.OrgUnitID != nil {
		out = append(out, procedo.OpinionBoxToAnswer)
	}
	if staff || u.HasRole(procedo.RoleAdmin) || u.HasRole(procedo.RoleRecords) {
		out = append(out, procedo.OpinionBoxRequested)
	}
	if staff || u.HasRole(procedo.RoleRegistry) {
		out = append(out, procedo.OpinionBoxExternal)
	}
	return out
}

// opinionListPage is /ufficio/pareri: one list of opinions with the tabs of
// the others and their counts of pending requests.
type opinionListPage struct {
	Tabs     []worklistTab
	Box      procedo.OpinionBox
	Opinions []*procedo.CaseOpinion
	Total    int
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Today    procedo.Date
}

// opinionPageSize is the number of opinions on one page of a list.
const opinionPageSize = 50

// handleOpinionList shows the offices' lists of opinions.
func (h *Handler) handleOpinionList(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	if h.CaseOpinions == nil {
		return errNotFound
	}
	boxes := opinionBoxesFor(u)
	if len(boxes) == 0 {
		return procedo.Errorf(procedo.EFORBIDDEN, "Il tuo ruolo non prevede la gestione dei pareri.")
	}
	q := r.URL.Query()
	box := boxes[0]
	if s := q.Get("elenco"); s != "" {
		b, ok := opinionBoxParams[s]
		if !ok || !slices.Contains(boxes, b) {
			return procedo.FieldErrors{"elenco": "Elenco di pareri sconosciuto."}
		}
		box = b
	}
	pageNo := 1
	if s := q.Get("pagina"); s != "" {
		if pageNo, err = strconv.Atoi(s); err != nil || pageNo < 1 || pageNo > 100000 {
			return procedo.FieldErrors{"pagina": "Numero di pagina non valido."}
		}
	}
	ctx := r.Context()
	counts, err := h.CaseOpinions.CountOpinions(ctx)
	if err != nil {
		return err
	}
	p := &opinionListPage{Box: box, Page: pageNo, Today: procedo.DateOf(timeNow())}
	for _, b := range boxes {
		p.Tabs = append(p.Tabs, worklistTab{Label: b.Label(), URL: "/ufficio/pareri?elenco=" + opinionBoxParam(b), Count: counts[b], Current: b == box})
	}
	f := procedo.OpinionFilter{Box: box, Offset: (pageNo - 1) * opinionPageSize, Limit: opinionPageSize}
	if box != procedo.OpinionBoxRequested {
		f.Pending = ptrTo(true)
	}
	if p.Opinions, p.Total, err = h.CaseOpinions.FindOpinions(ctx, f); err != nil {
		return err
	}
	p.Pages = max(1, (p.Total+opinionPageSize-1)/opinionPageSize)
	link := func(n int) string { return fmt.Sprintf("/ufficio/pareri?elenco=%s&pagina=%d", opinionBoxParam(box), n) }
	if pageNo > 1 {
		p.PrevURL = link(pageNo - 1)
	}
	if pageNo < p.Pages {
		p.NextURL = link(pageNo + 1)
	}
	h.render(w, r, http.StatusOK, "opinion_list", &page{Title: "Pareri", Section: "office",
		Breadcrumbs: []crumb{{"Pratiche", "/ufficio"}, {"Pareri", ""}}, Data: p})
	return nil
}

// opinionViewPage is the page of one request for an opinion.
type opinionViewPage struct {
	File      *procedo.OpinionFile
	O         *procedo.CaseOpinion
	Today     procedo.Date
	Fields    []formValue // the case's form, when the user may read it through the request
	CaseURL   string      // the case page, when the user may view the case
	CanAnswer bool
	Outcomes  []procedo.OpinionOutcome
	Errors    procedo.FieldErrors
	Values    map[string]string
	Alert     string
	MaxMB     int64
	Files     []string
}

// Err returns the error of field.
func (p *opinionViewPage) Err(field string) string { return p.Errors[field] }

// handleOpinionView shows a request for an opinion to whoever may see it.
func (h *Handler) handleOpinionView(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	return h.renderOpinion(w, r, http.StatusOK, nil, nil)
}

// renderOpinion draws the request of the path's {id}; values and failed are
// the answer form shown again with its error.
func (h *Handler) renderOpinion(w http.ResponseWriter, r *http.Request, status int, values map[string]string, failed error) error {
	if h.CaseOpinions == nil {
		return errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	file, err := h.CaseOpinions.FindOpinionByID(ctx, id)
	if err != nil {
		return err
	}
	a := procedo.ActorFromContext(ctx)
	p := &opinionViewPage{File: file, O: file.Opinion, Today: procedo.DateOf(timeNow()), Outcomes: procedo.OpinionOutcomes, Values: values,
		MaxMB: h.MaxUpload >> 20, Files: answerAccept}
	if file.Definition != nil {
		p.Fields = formValues(file.Definition, file.Form)
	}
	if procedo.CanViewCase(a, file.Case) {
		p.CaseURL = caseURL(file.Case.ID)
	}
	p.CanAnswer = procedo.CanAnswerOpinion(a, file.Opinion, file.Case) == nil
	if failed != nil {
		if p.Errors = procedo.FieldErrorsOf(failed); p.Errors == nil {
			p.Alert = procedo.ErrorMessage(failed)
		}
	}
	title := fmt.Sprintf("Richiesta di parere – pratica n. %d", file.Case.ID)
	if len(p.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "opinion_view", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Pratiche", "/ufficio"}, {"Pareri", "/ufficio/pareri"}, {fmt.Sprintf("Parere n. %d", file.Opinion.ID), ""}}, Data: p})
	return nil
}

// handleOpinionAnswer gives the opinion (the office asked) or records the
// answer of another administration (registry desk, the case's office), with
// an optional file.
func (h *Handler) handleOpinionAnswer(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if h.CaseOpinions == nil {
		return errNotFound
	}
	values := map[string]string{"outcome": r.PostFormValue("outcome"), "text": r.PostFormValue("text"),
		"sender_protocol": r.PostFormValue("sender_protocol")}
	ans := procedo.OpinionAnswer{Outcome: procedo.OpinionOutcome(values["outcome"]), Text: values["text"], SenderProtocol: values["sender_protocol"]}
	// Check who asks before storing any file.
	if _, err := h.CaseOpinions.FindOpinionByID(r.Context(), id); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["file"]; len(fhs) > 1 {
			err = procedo.FieldErrors{"file": "Allega un solo file."}
		} else if len(fhs) == 1 && fhs[0].Size > 0 {
			ans.Upload, err = h.storeUpload(r, procedo.FormField{Name: "file", Type: procedo.FieldFile, Accept: answerAccept}, fhs[0])
		}
	}
	if err == nil {
		_, err = h.CaseOpinions.AnswerOpinion(r.Context(), id, ans)
	}
	if err != nil {
		if procedo.FieldErrorsOf(err) != nil || isCode(err, procedo.ECONFLICT) {
			return h.renderOpinion(w, r, statusOf(procedo.ErrorCode(err)), values, err)
		}
		return err
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/ufficio/pareri/%d", id), "opinion-answered")
	return nil
}

// handleOpinionDocument sends a document of a request for an opinion: the
// request, the documents of the case sent with it (to the office asked while
// the request is pending) and the answer.
func (h *Handler) handleOpinionDocument(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	if h.CaseOpinions == nil {
		return errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	d, rc, err := h.CaseOpinions.OpenOpinionDocument(r.Context(), id, docID)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", d.MediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	w.Header().Set("Content-Length", fmt.Sprint(d.Size))
	w.Header().Set("Cache-Control", "private, no-store")
	if _, err := io.Copy(w, rc); err != nil {
		h.Logger.Warn("document download interrupted", "document_id", docID, "opinion_id", id, "error", err)
	}
	return nil
}

// Template functions and flash messages of the opinions.
func init() {
	// opinionBadge is the colour of an opinion's state on day.
	funcs["opinionBadge"] = func(o *procedo.CaseOpinion, day procedo.Date) string {
		switch {
		case o.Status == procedo.OpinionGiven:
			return "bg-success"
		case o.Overdue(day):
			return "bg-danger"
		}
		return "bg-info"
	}
	// docSelected reports whether document id is among the comma-separated ids.
	funcs["docSelected"] = func(ids string, id int64) bool {
		return slices.Contains(strings.Split(ids, ","), strconv.FormatInt(id, 10))
	}
	flashMessages["case-opinion"] = "Richiesta di parere protocollata e inviata."
	flashMessages["opinion-answered"] = "Parere registrato al protocollo e comunicato all'ufficio della pratica."
}
