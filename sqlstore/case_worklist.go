// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/procedo/procedo"
)

// Worklists filter open cases on the denormalised clock columns; every shape
// has an index that starts with tenant_id (migration 0008): by responsible
// (new, mine), by clock state and due date (waiting, expiring, overdue), by id
// (newest, oldest), each also per office.

// caseSelect is how a listing of cases selects them: conditions on the cases
// c and, for a search by words, the full-text match.
type caseSelect struct {
	where []string        // conditions on c, ANDed
	args  []any           // arguments of where, in order
	text  *caseTextSearch // the search by words, if any
}

// sql returns the FROM clause, the WHERE conditions and their arguments of
// sel: for a search by words, with the full-text index driving the scan
// (byText), or with the conditions on c choosing the index.
func (sel caseSelect) sql(byText bool) (from, where string, args []any) {
	conds, args := sel.where, sel.args
	from = "cases c"
	if t := sel.text; t != nil {
		cond := t.indexCond
		if byText {
			from, cond = t.from, t.cond
		}
		conds, args = append(slices.Clip(conds), cond), append(slices.Clip(args), t.args...)
	}
	return from, strings.Join(conds, " AND "), args
}

// caseWhere returns how to select the cases of f the actor may view, or
// ok=false when the actor may view none.
func caseWhere(ctx context.Context, db *DB, f procedo.CaseFilter, today procedo.Date) (sel caseSelect, ok bool, err error) {
	sel, ok, err = caseBaseWhere(ctx, db, f)
	if !ok || err != nil {
		return sel, ok, err
	}
	cond, args, ok, err := caseViewCond(ctx, f, today)
	if !ok || err != nil {
		return sel, ok, err
	}
	if f.View != procedo.CaseViewAll {
		sel.where, sel.args = append(sel.where, "c.closed_at IS NULL AND "+cond), append(sel.args, args...)
	}
	return sel, true, nil
}

// caseBaseWhere is caseWhere without the conditions of f.View, which only
// decides whether a search by words reads the index of open cases.
func caseBaseWhere(ctx context.Context, db *DB, f procedo.CaseFilter) (sel caseSelect, ok bool, err error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return sel, false, err
	}
	cond, vargs, ok := visibleCases(procedo.ActorFromContext(ctx))
	if !ok {
		return sel, false, nil
	}
	sel = caseSelect{where: []string{"c.tenant_id = ?", cond}, args: append([]any{tid}, vargs...)}
	add := func(c string, v ...any) { sel.where, sel.args = append(sel.where, c), append(sel.args, v...) }
	if f.ID != nil {
		add("c.id = ?", *f.ID)
	}
	if f.OrgUnitID != nil {
		add("c.org_unit_id = ?", *f.OrgUnitID)
	}
	if f.ResponsibleUserID != nil {
		add("c.responsible_user_id = ?", *f.ResponsibleUserID)
	}
	if f.ProcedureTypeID != nil {
		add("c.procedure_version_id IN (SELECT id FROM procedure_versions WHERE tenant_id = ? AND procedure_type_id = ?)", tid, *f.ProcedureTypeID)
	}
	if f.ApplicantFiscalCode != nil {
		add("c.applicant_fiscal_code = ?", *f.ApplicantFiscalCode)
	}
	if f.Status != nil {
		add("c.status = ?", string(*f.Status))
	}
	if f.Open != nil {
		if *f.Open {
			add("c.closed_at IS NULL")
		} else {
			add("c.closed_at IS NOT NULL")
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		cond, qargs, words := caseQuery(q)
		if len(words) == 0 {
			add(cond, qargs...)
			return sel, true, nil
		}
		// Every view but "all" lists open cases only.
		open := f.View != procedo.CaseViewAll || (f.Open != nil && *f.Open)
		ts := db.dialect.(caseSearch).searchCases(words[:min(len(words), maxQueryWords)], open)
		sel.text = &ts
	}
	return sel, true, nil
}

// caseViewCond returns the condition of the worklist f.View on open cases
// (every view but "all" lists open cases only: c.closed_at IS NULL is the
// caller's), or ok=false when the actor has no such worklist.
func caseViewCond(ctx context.Context, f procedo.CaseFilter, today procedo.Date) (cond string, args []any, ok bool, err error) {
	switch f.View {
	case procedo.CaseViewAll:
		return "1 = 1", nil, true, nil
	case procedo.CaseViewNew:
		return "c.responsible_user_id IS NULL AND c.status = ?", []any{procedo.CaseSubmitted}, true, nil
	case procedo.CaseViewMine:
		a := procedo.ActorFromContext(ctx)
		if a == nil || a.User == nil {
			return "", nil, false, nil
		}
		return "c.responsible_user_id = ?", []any{a.User.ID}, true, nil
	case procedo.CaseViewWaiting:
		return "c.clock_state = ?", []any{procedo.ClockSuspended}, true, nil
	case procedo.CaseViewExpiring:
		within := f.Within
		if within <= 0 {
			within = procedo.DefaultExpiringDays
		}
		return "c.clock_state = ? AND c.due_date >= ? AND c.due_date <= ?", []any{procedo.ClockRunning, today, today.AddDays(within)}, true, nil
	case procedo.CaseViewOverdue:
		return "c.clock_state = ? AND c.due_date < ?", []any{procedo.ClockRunning, today}, true, nil
	case procedo.CaseViewApproval:
		return "c.awaiting_approval = TRUE", nil, true, nil // literal: the partial index cases_open_approval says so
	}
	return "", nil, false, procedo.FieldErrors{"view": "Elenco di pratiche sconosciuto."}
}

var (
	caseNumberRE = regexp.MustCompile(`^(?i:n\.?\s*|#)?([0-9]{1,18})$`)
	fiscalCodeRE = regexp.MustCompile(`^[A-Za-z0-9]{11}$|^[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]$`)
)

// maxQueryWords bounds the words of a search.
const maxQueryWords = 5

// caseQuery returns the condition of a text search that is a case number or
// a codice fiscale (or partita IVA), else the words to search in the subject
// and the applicant's name and codice fiscale (the last word as a prefix);
// no condition and no words finds nothing.
func caseQuery(q string) (cond string, args []any, words []string) {
	if m := caseNumberRE.FindStringSubmatch(q); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return "c.id = ?", []any{n}, nil
	}
	if fiscalCodeRE.MatchString(q) {
		return "c.applicant_fiscal_code = ?", []any{strings.ToUpper(q)}, nil
	}
	if words = searchWords(q); len(words) == 0 {
		return "1 = 0", nil, nil
	}
	return "", nil, words
}

// caseSearch is the full-text search of cases, implemented by both dialects
// in case_search_sqlite.go and case_search_postgres.go.
type caseSearch interface {
	// indexCases adds new cases to the full-text index.
	indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error
	// searchCases plans a search for cases c matching every word, the last
	// as a prefix (search as you type); open: only open cases are wanted.
	searchCases(words []string, open bool) caseTextSearch
}

// caseTextSearch is how a dialect has a search by words read the cases.
type caseTextSearch struct {
	from           string // FROM clause naming the cases c and the full-text index that drives the scan
	cond           string // the full-text match in from
	indexCond      string // the full-text match as a condition on c alone, for an index of cases to drive the scan
	args           []any  // arguments of cond and of indexCond
	newest, oldest string // ORDER BY in from for the id orders, as the full-text index yields them
	collect        string // ORDER BY in from in which matches are collected, "" for any
	oneScanMax     int    // how many open matches one scan counting every worklist may read, 0 = all
}

// caseSearchText is what the full-text index holds of a case.
func caseSearchText(c *procedo.Case) string {
	return c.Subject + " " + c.ApplicantName + " " + c.ApplicantFiscalCode
}

// caseSort returns the order of f, its view's when f has none.
func caseSort(f procedo.CaseFilter) (procedo.CaseSort, error) {
	sort := f.Sort
	if sort == procedo.CaseSortDefault {
		switch f.View {
		case procedo.CaseViewWaiting, procedo.CaseViewExpiring, procedo.CaseViewOverdue:
			sort = procedo.CaseSortDue
		default:
			sort = procedo.CaseSortNewest
		}
	}
	switch sort {
	case procedo.CaseSortDue, procedo.CaseSortNewest, procedo.CaseSortOldest:
		return sort, nil
	}
	return "", procedo.FieldErrors{"sort": "Ordinamento sconosciuto."}
}

// caseOrderBy returns the ORDER BY clause of sort on cases c.
func caseOrderBy(sort procedo.CaseSort) string {
	switch sort {
	case procedo.CaseSortDue:
		return " ORDER BY c.due_date, c.id"
	case procedo.CaseSortOldest:
		return " ORDER BY c.id"
	}
	return " ORDER BY c.id DESC"
}

// FindCases implements procedo.CaseService.
func (s *CaseService) FindCases(ctx context.Context, f procedo.CaseFilter) (_ []*procedo.Case, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCases")
	today := f.Today
	if today.IsZero() {
		today = procedo.DateOf(s.db.Now())
	}
	sel, ok, err := caseWhere(ctx, s.db, f, today)
	if err != nil || !ok {
		return nil, 0, err
	}
	sort, err := caseSort(f)
	if err != nil {
		return nil, 0, err
	}
	if sel.text != nil {
		return s.findCasesByWords(ctx, f, sel, sort)
	}
	order := caseOrderBy(sort)
	_, w, args := sel.sql(false)
	var total int
	if f.ID != nil {
		total = -1 // counted below: one row at most
	} else if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// The page's ids come from the worklist's index alone; only those rows
	// are then read and joined (a planner misjudging how many rows match
	// would otherwise read them all before sorting).
	rows, err := s.db.query(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.id IN (SELECT c.id FROM cases c WHERE `+w+order+
		` LIMIT ? OFFSET ?)`+order, append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, rows.Err()
}

// caseMatch is a case found by words, with what orders it.
type caseMatch struct {
	id  int64
	due procedo.Date
}

// findCasesByWords lists the cases of a search by words. One scan of the
// full-text index collects the matches, up to MaxCaseSearchCount+1 of them:
// when they are all, the count is exact and the page is cut from them;
// otherwise the count means "more" and the page comes from them too if they
// are the newest matches and hold it, else from a second scan in the order
// asked. Then only the page's rows are read.
func (s *CaseService) findCasesByWords(ctx context.Context, f procedo.CaseFilter, sel caseSelect, sort procedo.CaseSort) ([]*procedo.Case, int, error) {
	limit, offset := clampLimit(f.Limit), max(f.Offset, 0)
	from, w, args := sel.sql(true)
	q := `SELECT c.id, c.due_date FROM ` + from + ` WHERE ` + w
	collect := q
	if sel.text.collect != "" {
		collect += ` ORDER BY ` + sel.text.collect
	}
	matches, err := s.scanCaseMatches(ctx, collect+` LIMIT ?`, append(args, procedo.MaxCaseSearchCount+1)...)
	if err != nil {
		return nil, 0, err
	}
	total := len(matches)
	var page []caseMatch
	switch {
	case total <= procedo.MaxCaseSearchCount:
		sortCaseMatches(matches, sort)
		page = matches[min(offset, total):min(offset+limit, total)]
	case sort == procedo.CaseSortNewest && sel.text.collect == sel.text.newest && offset+limit <= total:
		page = matches[offset : offset+limit]
	case sort == procedo.CaseSortDue:
		// By due date: the worklist's index, in that order, drives the scan
		// and stops at the page; the matches are its filter.
		_, w, args := sel.sql(false)
		page, err = s.scanCaseMatches(ctx, `SELECT c.id, c.due_date FROM cases c WHERE `+w+` ORDER BY c.due_date, c.id LIMIT ? OFFSET ?`,
			append(args, limit, offset)...)
	default:
		order := sel.text.newest
		if sort == procedo.CaseSortOldest {
			order = sel.text.oldest
		}
		page, err = s.scanCaseMatches(ctx, q+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	}
	if err != nil {
		return nil, 0, err
	}
	if len(page) == 0 {
		return nil, total, nil
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	ids := []any{tid}
	for _, m := range page {
		ids = append(ids, m.id)
	}
	// Rows by primary key: "+" keeps SQLite, without statistics, from reading
	// an index of the tenant's cases instead, and without ORDER BY it does not
	// scan every case in that order rather than sort a few; the page is put
	// in order here.
	rows, err := s.db.query(ctx, `SELECT `+caseColumns+caseFrom+` WHERE +c.tenant_id = ? AND c.id IN (`+placeholders(len(page))+`)`, ids...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	byID := make(map[int64]*procedo.Case, len(page))
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make([]*procedo.Case, 0, len(page))
	for _, m := range page {
		if c := byID[m.id]; c != nil {
			out = append(out, c)
		}
	}
	return out, total, nil
}

// scanCaseMatches runs q, which selects the id and due date of cases.
func (s *CaseService) scanCaseMatches(ctx context.Context, q string, args ...any) ([]caseMatch, error) {
	rows, err := s.db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []caseMatch
	for rows.Next() {
		var m caseMatch
		if err := rows.Scan(&m.id, &m.due); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// sortCaseMatches sorts matches as caseOrderBy(sort) sorts rows.
func sortCaseMatches(matches []caseMatch, sort procedo.CaseSort) {
	slices.SortFunc(matches, func(a, b caseMatch) int {
		switch sort {
		case procedo.CaseSortDue:
			if c := a.due.Compare(b.due); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		case procedo.CaseSortOldest:
			return cmp.Compare(a.id, b.id)
		}
		return cmp.Compare(b.id, a.id)
	})
}

// CountCaseViews implements procedo.CaseService.
func (s *CaseService) CountCaseViews(ctx context.Context, f procedo.CaseFilter) (_ map[procedo.CaseView]int, err error) {
	defer procedo.Wrap(&err, "sqlstore.CountCaseViews")
	if a := procedo.ActorFromContext(ctx); a == nil || (a.User == nil && a.Kind != procedo.ActorSystem) {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il personale dell'ente vede gli elenchi di lavoro.")
	}
	today := f.Today
	if today.IsZero() {
		today = procedo.DateOf(s.db.Now())
	}
	out := map[procedo.CaseView]int{}
	f.View = procedo.CaseViewNew // every view lists open cases: a search by words reads the index of open cases
	base, ok, err := caseBaseWhere(ctx, s.db, f)
	if err != nil {
		return nil, err
	}
	if base.text != nil && ok {
		return s.countCaseViewsByWords(ctx, f, base, today)
	}
	for _, v := range procedo.CaseViews {
		f.View = v
		sel, ok, err := caseWhere(ctx, s.db, f, today)
		if err != nil {
			return nil, err
		}
		if !ok {
			out[v] = 0
			continue
		}
		var n int
		_, w, args := sel.sql(false)
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w, args...).Scan(&n); err != nil {
			return nil, err
		}
		out[v] = n
	}
	return out, nil
}

// countCaseViewsByWords counts the worklists of a search by words, each
// capped as FindCases caps its total. One scan of the open cases that match
// counts them all, every view a filtered count (on SQLite reading no case row:
// the index of open cases holds what views filter on). Where reading the
// matches costs a row each (the dialect's oneScanMax), the scan is only done
// for that many; above, each view is counted alone and stops at its cap,
// through whatever index the planner prefers.
func (s *CaseService) countCaseViewsByWords(ctx context.Context, f procedo.CaseFilter, base caseSelect, today procedo.Date) (map[procedo.CaseView]int, error) {
	from, w, wargs := base.sql(true)
	w = "c.closed_at IS NULL AND " + w
	if most := base.text.oneScanMax; most > 0 {
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+w+` LIMIT ?) x`,
			append(wargs, most+1)...).Scan(&n); err != nil {
			return nil, err
		}
		if n > most {
			return s.countCaseViewsEach(ctx, f, today)
		}
	}
	var counts []string
	var args []any
	var views []procedo.CaseView
	out := map[procedo.CaseView]int{}
	for _, v := range procedo.CaseViews {
		f.View = v
		cond, cargs, ok, err := caseViewCond(ctx, f, today)
		if err != nil {
			return nil, err
		}
		if !ok {
			out[v] = 0
			continue
		}
		counts, args, views = append(counts, "COUNT(*) FILTER (WHERE "+cond+")"), append(args, cargs...), append(views, v)
	}
	if len(views) == 0 {
		return out, nil
	}
	n := make([]int, len(views))
	dest := make([]any, len(views))
	for i := range n {
		dest[i] = &n[i]
	}
	q := `SELECT ` + strings.Join(counts, ", ") + ` FROM ` + from + ` WHERE ` + w
	if err := s.db.queryRow(ctx, q, append(args, wargs...)...).Scan(dest...); err != nil {
		return nil, err
	}
	for i, v := range views {
		out[v] = min(n[i], procedo.MaxCaseSearchCount+1)
	}
	return out, nil
}

// countCaseViewsEach counts each worklist of a search by words alone, up to
// one more than the cap.
func (s *CaseService) countCaseViewsEach(ctx context.Context, f procedo.CaseFilter, today procedo.Date) (map[procedo.CaseView]int, error) {
	out := map[procedo.CaseView]int{}
	for _, v := range procedo.CaseViews {
		f.View = v
		sel, ok, err := caseWhere(ctx, s.db, f, today)
		if err != nil {
			return nil, err
		}
		if !ok {
			out[v] = 0
			continue
		}
		var n int
		from, w, args := sel.sql(true)
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+w+` LIMIT ?) x`,
			append(args, procedo.MaxCaseSearchCount+1)...).Scan(&n); err != nil {
			return nil, err
		}
		out[v] = n
	}
	return out, nil
}

// stopWords are Italian words too common to search by.
var stopWords = map[string]bool{
	"di": true, "da": true, "in": true, "con": true, "su": true, "per": true, "tra": true, "fra": true, "il": true, "lo": true,
	"la": true, "le": true, "gli": true, "un": true, "una": true, "uno": true, "del": true, "della": true, "dei": true, "delle": true,
	"degli": true, "al": true, "alla": true, "ai": true, "alle": true, "dal": true, "dalla": true, "nel": true, "nella": true,
	"sul": true, "sulla": true, "ed": true, "od": true, "che": true, "non": true,
}

// searchWords splits a query into lower-case words of at least two
// characters (letters and digits only), without stop words and duplicates.
func searchWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) < 2 || stopWords[w] || slices.Contains(out, w) {
			continue
		}
		out = append(out, truncate(w, 40))
	}
	return out
}

// indexCase adds cas to the full-text index.
func indexCase(ctx context.Context, tx *Tx, cas *procedo.Case) error {
	return tx.db.dialect.(caseSearch).indexCases(ctx, tx, []*procedo.Case{cas})
}
