// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"slices"
)

// Term is a legal term of Law 241/1990: Days calendar days from Start, moved by
// Events. Term.Compute is the legal-time engine: pure and deterministic (no
// clock, no zone: the caller passes the day "at" which to compute), so the same
// case log always gives the same answer, explained line by line. Its rules,
// with their sources:
//
//  1. Terms of administrative procedures are in calendar days (L. 241/1990 art. 2
//     c.2-4: 30 days unless a law or regulation sets up to 90 or 180), counted
//     on the common calendar (c.c. art. 2963 c.1).
//  2. The day the term starts (dies a quo) is not counted; the last day is
//     (c.c. art. 2963 c.2): due = start + days.
//  3. A suspension stops the clock and the term resumes for the days still left:
//     integration of documents (L. 241/1990 art. 2 c.7: once, at most 30 days,
//     only for facts not already held by a PA), technical assessments (art. 17,
//     recalled by art. 2 c.7), preavviso di rigetto (art. 10-bis: since DL
//     76/2020 it suspends the term, which resumes ten days after the
//     applicant's observations or when the ten days lapse). A suspend event on
//     FROM and a resume event on TO stand for the suspension FROM–TO, both
//     included, which adds TO−FROM+1 days: TO is the day the clock is restarted
//     (the documents arrive) and, like a dies a quo, is not counted; the first
//     day counted again is TO+1. The start day is never counted, so a
//     suspension starting on it adds a day fewer. Concurrent suspensions count
//     each day once. The engine does not know the reason of a suspension, so it
//     does not enforce "once" and "at most 30 days" of art. 2 c.7: whoever
//     records the event does.
//  4. An interruption restarts the whole term from the day of the interruption
//     (not counted): earlier days, suspensions and extensions no longer matter.
//     L. 241/1990 itself no longer interrupts (art. 10-bis did until DL
//     76/2020), but sector laws do, e.g. DPR 380/2001 art. 20 c.5 for building
//     permits, where the term "ricomincia a decorrere" from the receipt of the
//     documents: record the interruption on that date.
//  5. An extension (proroga) adds its days to the term. Which law allows it is
//     for the caller to record in the event's Reason.
//  6. Only the final due date is moved when it falls on a holiday, to the next
//     working day (c.c. art. 2963 c.3; Calendar.NextWorkingDay): intermediate
//     dates are never shifted, so suspensions and extensions are added to the
//     unshifted date.
//  7. Nothing revives a term that has lapsed: an event dated after the due date
//     (while the clock runs) has no effect and the explanation says so. This
//     keeps late acts of the administration in the case log without moving the
//     date on which the applicant could claim silence or substitute power (art.
//     2 c.8, c.9-bis, art. 20).
//
// Use DueDate for a plain term with known suspensions.
type Term struct {
	Start    Date         // the day the term starts (not counted); may be zero if Events has a ClockStart
	Days     int          // length in calendar days, at least 1
	Events   []ClockEvent // what happened to the clock, in any order: Compute sorts them by date, keeping the given order within a day
	Calendar Calendar     // holidays of the ente, for moving the final due date
}

// ClockEventKind is what happened to the clock of a legal term.
type ClockEventKind string

// The kinds of ClockEvent.
const (
	ClockStart     ClockEventKind = "start"     // the term starts (optional: Term.Start is enough)
	ClockSuspend   ClockEventKind = "suspend"   // the clock stops (art. 2 c.7, art. 10-bis, art. 17)
	ClockResume    ClockEventKind = "resume"    // the clock runs again after a suspension
	ClockInterrupt ClockEventKind = "interrupt" // the term restarts in full
	ClockExtend    ClockEventKind = "extend"    // the term gets Days more days
)

// label returns the Italian name of k, for messages.
func (k ClockEventKind) label() string {
	switch k {
	case ClockStart:
		return "avvio"
	case ClockSuspend:
		return "sospensione"
	case ClockResume:
		return "ripresa"
	case ClockInterrupt:
		return "interruzione"
	case ClockExtend:
		return "proroga"
	}
	return string(k)
}

// ClockEvent is one thing that happened to the clock of a term, on a day.
type ClockEvent struct {
	Kind   ClockEventKind // what happened
	Date   Date           // the day it happened; never before the term's start
	Days   int            // for ClockExtend only: days added, at least 1; 0 for the other kinds
	Reason string         // why, in Italian, with the legal basis (shown in the explanation)
}

// TermState is the state of a Term on a given day, as computed by Term.Compute.
type TermState struct {
	Due           Date     // last day of the term, moved to a working day; while Suspended, the due date if the clock ran again the day after "at"
	Suspended     bool     // the clock is standing still on "at"
	SuspendedDays int      // days of suspension added to the term since it last (re)started, including an open suspension up to "at"
	DaysLeft      int      // calendar days from "at" to Due: 0 on the last day, negative when overdue
	Overdue       bool     // "at" is after Due
	Explanation   []string // Italian sentences explaining the computation, in order, with legal sources
}

// DateRange is a span of days, both ends included.
type DateRange struct {
	From Date // first day
	To   Date // last day, not before From
}

// Compute returns the state of t on the day at, applying the events dated on or
// before at (later events have not happened yet on that day) with the rules
// documented on Term. It returns an *Error with code EINVALID, with an Italian
// message, when t is not consistent: Days < 1, no start, a malformed
// Calendar.PatronDay, an unknown event kind, an event without a date or before
// the start, more than one ClockStart or one on another day than Start, Days on
// an event that is not an extension or an extension without days, a resume
// without a suspension, an interruption while suspended. Every event is
// checked, including those after at.
func (t Term) Compute(at Date) (TermState, error) {
	start, events, err := t.check()
	if err != nil {
		return TermState{}, err
	}
	if at.IsZero() {
		return TermState{}, Errorf(EINVALID, "Manca la data a cui calcolare il termine.")
	}

	var st TermState
	explain := func(format string, args ...any) {
		st.Explanation = append(st.Explanation, fmt.Sprintf(format, args...))
	}
	reasonNote := func(e ClockEvent) string {
		if e.Reason == "" {
			return ""
		}
		return " (" + e.Reason + ")"
	}

	base := start     // the day the term (re)started, not counted
	ext, susp := 0, 0 // days of extension and of closed suspensions since base
	unshifted := func() Date { return base.AddDays(t.Days + ext + susp) }

	depth := 0        // open suspensions: the clock stands still while > 0
	var suspFrom Date // first day of the current suspension that is not yet skipped
	lastStill := base // last day that is either not counted or already suspended: no day is skipped twice
	lapsed := false   // an event came after the due date: the term is over

	explain("Termine di %s di calendario che decorre dal %s (L. 241/1990 art. 2); il giorno iniziale non si conta (c.c. art. 2963): scadenza %s.",
		FormatDays(t.Days), start.Italian(), unshifted().Italian())

	for _, e := range events {
		if e.Date.After(at) {
			break
		}
		if e.Kind == ClockStart {
			continue // already explained
		}
		if !lapsed && depth == 0 {
			if due := t.Calendar.NextWorkingDay(unshifted()); e.Date.After(due) {
				lapsed = true
				explain("Il termine è scaduto il %s: gli eventi successivi non lo riaprono.", due.Italian())
			}
		}
		if lapsed {
			explain("Evento «%s» del %s%s: successivo alla scadenza, non ha effetto sul termine.", e.Kind.label(), e.Date.Italian(), reasonNote(e))
			continue
		}
		switch e.Kind {
		case ClockSuspend:
			depth++
			if depth > 1 {
				explain("Ulteriore sospensione dal %s%s mentre il termine è già sospeso: i giorni in comune si contano una volta sola.", e.Date.Italian(), reasonNote(e))
				break
			}
			suspFrom = laterDate(e.Date, lastStill.AddDays(1))
			explain("Sospensione dal %s%s: il termine si ferma (L. 241/1990 art. 2 c.7, art. 10-bis, art. 17).", e.Date.Italian(), reasonNote(e))
		case ClockResume:
			depth--
			if depth > 0 {
				explain("Ripresa del %s%s: resta aperta un'altra sospensione, il termine è ancora fermo.", e.Date.Italian(), reasonNote(e))
				break
			}
			n := max(0, suspFrom.DaysUntil(e.Date)+1)
			susp += n
			st.SuspendedDays += n
			lastStill = laterDate(lastStill, e.Date)
			explain("Ripresa il %s%s: %s di sospensione si aggiungono al termine; il conteggio riparte dal giorno dopo; scadenza %s.",
				e.Date.Italian(), reasonNote(e), FormatDays(n), unshifted().Italian())
		case ClockInterrupt:
			base, ext, susp, lastStill, st.SuspendedDays = e.Date, 0, 0, e.Date, 0
			explain("Interruzione il %s%s: il termine di %s ricomincia per intero da quel giorno, che non si conta; scadenza %s.",
				e.Date.Italian(), reasonNote(e), FormatDays(t.Days), unshifted().Italian())
		case ClockExtend:
			ext += e.Days
			explain("Proroga di %s il %s%s: scadenza %s.", FormatDays(e.Days), e.Date.Italian(), reasonNote(e), unshifted().Italian())
		}
	}

	due := unshifted()
	if depth > 0 {
		// The clock stands still: every day from the start of the suspension to
		// at is added, so the due date moves one day for each day that passes.
		n := max(0, suspFrom.DaysUntil(at)+1)
		due = due.AddDays(n)
		st.Suspended = true
		st.SuspendedDays += n
		explain("Al %s il termine è sospeso dal %s (%s): finché resta sospeso la scadenza si sposta di un giorno per ogni giorno; se riprendesse a decorrere dal giorno dopo scadrebbe il %s.",
			at.Italian(), suspFrom.Italian(), FormatDays(n), due.Italian())
	}
	st.Due = t.Calendar.NextWorkingDay(due)
	if st.Due != due {
		explain("Il %s è festivo (%s): la scadenza passa al primo giorno non festivo, %s (c.c. art. 2963).",
			due.Italian(), t.Calendar.HolidayName(due), st.Due.Italian())
	}
	st.DaysLeft = at.DaysUntil(st.Due)
	st.Overdue = at.After(st.Due)
	switch {
	case st.Suspended:
		explain("Scadenza: %s (termine sospeso).", st.Due.Italian())
	case st.Overdue:
		explain("Scadenza: %s; al %s il termine è scaduto da %s.", st.Due.Italian(), at.Italian(), FormatDays(-st.DaysLeft))
	case st.DaysLeft == 0:
		explain("Scadenza: %s; il termine scade oggi.", st.Due.Italian())
	default:
		explain("Scadenza: %s; al %s mancano %s.", st.Due.Italian(), at.Italian(), FormatDays(st.DaysLeft))
	}
	return st, nil
}

// check validates t and returns its start and its events sorted by date (stable).
func (t Term) check() (start Date, events []ClockEvent, err error) {
	if t.Days < 1 {
		return Date{}, nil, Errorf(EINVALID, "La durata del termine deve essere di almeno 1 giorno.")
	}
	if err := t.Calendar.Validate(); err != nil {
		return Date{}, nil, err
	}
	start = t.Start
	starts := 0
	for _, e := range t.Events {
		if e.Kind != ClockStart {
			continue
		}
		starts++
		switch {
		case starts > 1:
			return Date{}, nil, Errorf(EINVALID, "Il termine ha più di un evento di avvio.")
		case e.Date.IsZero():
			return Date{}, nil, Errorf(EINVALID, "L'evento di avvio non ha una data.")
		case start.IsZero():
			start = e.Date
		case e.Date != start:
			return Date{}, nil, Errorf(EINVALID, "L'avvio del %s non coincide con l'inizio del termine (%s).", e.Date.Italian(), start.Italian())
		}
	}
	if start.IsZero() {
		return Date{}, nil, Errorf(EINVALID, "Manca la data di inizio del termine.")
	}

	events = slices.Clone(t.Events)
	slices.SortStableFunc(events, func(a, b ClockEvent) int { return a.Date.Compare(b.Date) })
	depth := 0
	for _, e := range events {
		switch e.Kind {
		case ClockStart, ClockSuspend, ClockResume, ClockInterrupt, ClockExtend:
		default:
			return Date{}, nil, Errorf(EINVALID, "Tipo di evento del termine sconosciuto: %q.", string(e.Kind))
		}
		what := fmt.Sprintf("Evento «%s» del %s", e.Kind.label(), e.Date.Italian())
		switch {
		case e.Date.IsZero():
			return Date{}, nil, Errorf(EINVALID, "Evento «%s»: manca la data.", e.Kind.label())
		case e.Date.Before(start):
			return Date{}, nil, Errorf(EINVALID, "%s: è anteriore all'inizio del termine (%s).", what, start.Italian())
		case e.Kind == ClockExtend && e.Days < 1:
			return Date{}, nil, Errorf(EINVALID, "%s: la proroga deve essere di almeno 1 giorno.", what)
		case e.Kind != ClockExtend && e.Days != 0:
			return Date{}, nil, Errorf(EINVALID, "%s: solo una proroga indica un numero di giorni.", what)
		}
		switch e.Kind {
		case ClockSuspend:
			depth++
		case ClockResume:
			if depth == 0 {
				return Date{}, nil, Errorf(EINVALID, "%s: non c'è una sospensione da riprendere.", what)
			}
			depth--
		case ClockInterrupt:
			if depth > 0 {
				return Date{}, nil, Errorf(EINVALID, "%s: il termine è sospeso, registra prima la ripresa.", what)
			}
		}
	}
	return start, events, nil
}

// DueDate returns the due date of a term of days calendar days from start with
// the given suspensions, by the rules of Term.Compute: the start day is not
// counted, each suspended day is added once (overlapping ranges count once,
// days before start and empty ranges count nothing, a range that begins after
// the term has lapsed has no effect), and the final date moves to the next
// working day of cal. It returns the zero Date when Compute would reject the
// inputs: zero start, days < 1, or a malformed cal.PatronDay.
func DueDate(start Date, days int, cal Calendar, suspensions ...DateRange) Date {
	st, err := ComputeWithSuspensions(start, days, cal, suspensions...)
	if err != nil {
		return Date{}
	}
	return st.Due
}

// ComputeWithSuspensions computes the term of DueDate and returns its whole
// state, with the Italian explanation of each step, as of the end of the last
// suspension (or the start day).
func ComputeWithSuspensions(start Date, days int, cal Calendar, suspensions ...DateRange) (TermState, error) {
	var ranges []DateRange
	for _, r := range suspensions {
		r.From = laterDate(r.From, start)
		if !r.To.Before(r.From) {
			ranges = append(ranges, r)
		}
	}
	slices.SortFunc(ranges, func(a, b DateRange) int { return a.From.Compare(b.From) })
	t := Term{Start: start, Days: days, Calendar: cal}
	at := start
	for i, r := range ranges {
		if i > 0 && !r.From.After(ranges[i-1].To) {
			// Overlaps the previous range (already emitted): extend it.
			last := &t.Events[len(t.Events)-1]
			last.Date = laterDate(last.Date, r.To)
			ranges[i].To = last.Date
		} else {
			t.Events = append(t.Events, ClockEvent{Kind: ClockSuspend, Date: r.From}, ClockEvent{Kind: ClockResume, Date: r.To})
		}
		at = laterDate(at, r.To)
	}
	return t.Compute(at)
}

// FormatDays returns n with the Italian word for days: "1 giorno", "30 giorni",
// "0 giorni", "-1 giorno".
func FormatDays(n int) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d giorno", n)
	}
	return fmt.Sprintf("%d giorni", n)
}

// laterDate returns the later of a and b.
func laterDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}
