// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
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

// caseWhere returns the conditions and arguments selecting the cases of f the
// actor may view, or ok=false when the actor may view none.
func caseWhere(ctx context.Context, db *DB, f procedo.CaseFilter, today procedo.Date) (where []string, args []any, ok bool, err error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	a := procedo.ActorFromContext(ctx)
	cond, vargs, ok := visibleCases(a)
	if !ok {
		return nil, nil, false, nil
	}
	where, args = []string{"c.tenant_id = ?", cond}, append([]any{tid}, vargs...)
	add := func(c string, v ...any) { where, args = append(where, c), append(args, v...) }
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
	switch f.View {
	case procedo.CaseViewAll:
	case procedo.CaseViewNew:
		add("c.closed_at IS NULL AND c.responsible_user_id IS NULL AND c.status = ?", procedo.CaseSubmitted)
	case procedo.CaseViewMine:
		if a.User == nil {
			return nil, nil, false, nil
		}
		add("c.closed_at IS NULL AND c.responsible_user_id = ?", a.User.ID)
	case procedo.CaseViewWaiting:
		add("c.closed_at IS NULL AND c.clock_state = ?", procedo.ClockSuspended)
	case procedo.CaseViewExpiring:
		within := f.Within
		if within <= 0 {
			within = procedo.DefaultExpiringDays
		}
		add("c.closed_at IS NULL AND c.clock_state = ? AND c.due_date >= ? AND c.due_date <= ?", procedo.ClockRunning, today, today.AddDays(within))
	case procedo.CaseViewOverdue:
		add("c.closed_at IS NULL AND c.clock_state = ? AND c.due_date < ?", procedo.ClockRunning, today)
	case procedo.CaseViewApproval:
		add("c.closed_at IS NULL AND c.awaiting_approval = TRUE") // literal: the partial index cases_open_approval says so
	default:
		return nil, nil, false, procedo.FieldErrors{"view": "Elenco di pratiche sconosciuto."}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		cond, qargs, steer, err := caseQuery(ctx, db, q)
		if err != nil {
			return nil, nil, false, err
		}
		add(cond, qargs...)
		if steer {
			// The full-text index finds few cases: "+" keeps the planner from
			// scanning an index of the tenant's cases instead (every cases
			// index starts with tenant_id), which SQLite, without statistics,
			// would pick.
			where[0] = "+c.tenant_id = ?"
		}
	}
	return where, args, true, nil
}

var (
	caseNumberRE = regexp.MustCompile(`^(?i:n\.?\s*|#)?([0-9]{1,18})$`)
	fiscalCodeRE = regexp.MustCompile(`^[A-Za-z0-9]{11}$|^[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]$`)
)

// maxQueryWords bounds the words of a search.
const maxQueryWords = 5

// caseQuery returns the condition of a text search: a case number, a codice
// fiscale (or partita IVA), else the words of the case (subject, applicant's
// name), the last as a prefix, in the full-text index; steer as searchCases.
func caseQuery(ctx context.Context, db *DB, q string) (cond string, args []any, steer bool, err error) {
	if m := caseNumberRE.FindStringSubmatch(q); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return "c.id = ?", []any{n}, false, nil
	}
	if fiscalCodeRE.MatchString(q) {
		return "c.applicant_fiscal_code = ?", []any{strings.ToUpper(q)}, false, nil
	}
	words := searchWords(q)
	if len(words) == 0 {
		return "1 = 0", nil, false, nil
	}
	return db.dialect.(caseSearch).searchCases(ctx, db, words[:min(len(words), maxQueryWords)])
}

// caseSearch is the full-text search of cases, implemented by both dialects
// in case_search_sqlite.go and case_search_postgres.go.
type caseSearch interface {
	// indexCases adds new cases to the full-text index.
	indexCases(ctx context.Context, tx *Tx, cases []*procedo.Case) error
	// searchCases returns a condition on cases c matching every word, the
	// last as a prefix (search as you type); steer asks the caller to make the full-text match drive the
	// query (few matches, and a planner without statistics).
	searchCases(ctx context.Context, db *DB, words []string) (cond string, args []any, steer bool, err error)
}

// caseSearchText is what the full-text index holds of a case.
func caseSearchText(c *procedo.Case) string {
	return c.Subject + " " + c.ApplicantName + " " + c.ApplicantFiscalCode
}

// caseOrder returns the ORDER BY of f.
func caseOrder(f procedo.CaseFilter) (string, error) {
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
	case procedo.CaseSortDue:
		return " ORDER BY c.due_date, c.id", nil
	case procedo.CaseSortNewest:
		return " ORDER BY c.id DESC", nil
	case procedo.CaseSortOldest:
		return " ORDER BY c.id", nil
	}
	return "", procedo.FieldErrors{"sort": "Ordinamento sconosciuto."}
}

// FindCases implements procedo.CaseService.
func (s *CaseService) FindCases(ctx context.Context, f procedo.CaseFilter) (_ []*procedo.Case, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCases")
	today := f.Today
	if today.IsZero() {
		today = procedo.DateOf(s.db.Now())
	}
	where, args, ok, err := caseWhere(ctx, s.db, f, today)
	if err != nil || !ok {
		return nil, 0, err
	}
	order, err := caseOrder(f)
	if err != nil {
		return nil, 0, err
	}
	w := strings.Join(where, " AND ")
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
	for _, v := range procedo.CaseViews {
		f.View = v
		where, args, ok, err := caseWhere(ctx, s.db, f, today)
		if err != nil {
			return nil, err
		}
		if !ok {
			out[v] = 0
			continue
		}
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
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
