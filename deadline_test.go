// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTerm_Compute(t *testing.T) {
	t.Parallel()
	d := func(s string) Date { return mustDate(t, s) }
	ev := func(kind ClockEventKind, date string) ClockEvent { return ClockEvent{Kind: kind, Date: d(date)} }
	rome := Calendar{PatronDay: "06-29"}

	for _, tt := range []struct {
		name          string
		term          Term
		at            string
		wantDue       string
		wantLeft      int
		wantOverdue   bool
		wantSuspended bool
		wantSuspDays  int
		wantExplain   []string // substrings the explanation must contain
	}{
		{
			name:        "Plain30Days",
			term:        Term{Start: d("2026-01-10"), Days: 30},
			at:          "2026-01-10",
			wantDue:     "2026-02-09",
			wantLeft:    30,
			wantExplain: []string{"Termine di 30 giorni", "10/01/2026", "il giorno iniziale non si conta", "Scadenza: 09/02/2026", "mancano 30 giorni"},
		},
		{
			name:        "OneDay",
			term:        Term{Start: d("2026-01-12"), Days: 1},
			at:          "2026-01-12",
			wantDue:     "2026-01-13",
			wantLeft:    1,
			wantExplain: []string{"Termine di 1 giorno", "mancano 1 giorno"},
		},
		{
			name:        "DueOnSundayMovesToMonday",
			term:        Term{Start: d("2026-01-02"), Days: 30},
			at:          "2026-01-02",
			wantDue:     "2026-02-02",
			wantLeft:    31,
			wantExplain: []string{"Il 01/02/2026 è festivo (Domenica)", "02/02/2026 (c.c. art. 2963)"},
		},
		{
			name:     "DueOnSaturdayStays",
			term:     Term{Start: d("2026-01-10"), Days: 28},
			at:       "2026-01-10",
			wantDue:  "2026-02-07",
			wantLeft: 28,
		},
		{
			name:        "DueOnEasterMonday",
			term:        Term{Start: d("2026-03-07"), Days: 30},
			at:          "2026-03-07",
			wantDue:     "2026-04-07",
			wantLeft:    31,
			wantExplain: []string{"Il 06/04/2026 è festivo (Lunedì dell'Angelo (Pasquetta))"},
		},
		{
			name:     "DueOnEasterSundaySkipsMonday",
			term:     Term{Start: d("2026-03-06"), Days: 30},
			at:       "2026-03-06",
			wantDue:  "2026-04-07",
			wantLeft: 32,
		},
		{
			name:        "DueOnOctober4Of2026",
			term:        Term{Start: d("2026-09-04"), Days: 30},
			at:          "2026-09-04",
			wantDue:     "2026-10-05",
			wantLeft:    31,
			wantExplain: []string{"San Francesco d'Assisi"},
		},
		{
			name:     "DueOnOctober4Of2027Monday",
			term:     Term{Start: d("2027-09-04"), Days: 30},
			at:       "2027-09-04",
			wantDue:  "2027-10-05",
			wantLeft: 31,
		},
		{
			name:     "DueOnOctober4Of2025NotYetAHoliday",
			term:     Term{Start: d("2025-09-04"), Days: 30},
			at:       "2025-09-04",
			wantDue:  "2025-10-04",
			wantLeft: 30,
		},
		{
			name:        "DueOnPatronDay",
			term:        Term{Start: d("2026-05-30"), Days: 30, Calendar: rome},
			at:          "2026-05-30",
			wantDue:     "2026-06-30",
			wantLeft:    31,
			wantExplain: []string{"Festa del Santo Patrono"},
		},
		{
			name:     "PatronDayOfAnotherEnte",
			term:     Term{Start: d("2026-05-30"), Days: 30},
			at:       "2026-05-30",
			wantDue:  "2026-06-29",
			wantLeft: 30,
		},
		{
			name: "SuspensionAdds10Days",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				{Kind: ClockSuspend, Date: d("2026-03-01"), Reason: "richiesta di integrazioni, art. 2 c.7"},
				ev(ClockResume, "2026-03-10"),
			}},
			at:           "2026-03-20",
			wantDue:      "2026-03-27",
			wantLeft:     7,
			wantSuspDays: 10,
			wantExplain:  []string{"Sospensione dal 01/03/2026 (richiesta di integrazioni, art. 2 c.7)", "10 giorni di sospensione", "scadenza 27/03/2026"},
		},
		{
			name: "TwoSuspensions",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"), ev(ClockResume, "2026-03-10"),
				ev(ClockSuspend, "2026-03-20"), ev(ClockResume, "2026-03-24"),
			}},
			at:           "2026-04-01",
			wantDue:      "2026-04-01",
			wantLeft:     0,
			wantSuspDays: 15,
			wantExplain:  []string{"5 giorni di sospensione", "il termine scade oggi"},
		},
		{
			name: "OverlappingSuspensionsCountOnce",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"), ev(ClockSuspend, "2026-03-05"),
				ev(ClockResume, "2026-03-08"), ev(ClockResume, "2026-03-10"),
			}},
			at:           "2026-03-20",
			wantDue:      "2026-03-27",
			wantLeft:     7,
			wantSuspDays: 10,
			wantExplain:  []string{"una volta sola", "resta aperta un'altra sospensione"},
		},
		{
			name: "SuspensionAgainOnResumeDayCountsItOnce",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"), ev(ClockResume, "2026-03-10"),
				ev(ClockSuspend, "2026-03-10"), ev(ClockResume, "2026-03-12"),
			}},
			at:           "2026-03-20",
			wantDue:      "2026-03-30", // 17 Mar + 12 = Sunday 29 Mar
			wantLeft:     10,
			wantSuspDays: 12,
		},
		{
			name: "SuspensionFromStartDaySkipsStartDayOnce",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-02-15"), ev(ClockResume, "2026-02-21"),
			}},
			at:           "2026-02-21",
			wantDue:      "2026-03-23", // counting restarts on 22 Feb: 22 Feb + 29 days
			wantLeft:     30,
			wantSuspDays: 6,
		},
		{
			name: "OpenSuspension",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"),
			}},
			at:            "2026-03-06",
			wantDue:       "2026-03-23",
			wantLeft:      17,
			wantSuspended: true,
			wantSuspDays:  6,
			wantExplain:   []string{"Al 06/03/2026 il termine è sospeso dal 01/03/2026 (6 giorni)", "(termine sospeso)"},
		},
		{
			name: "OpenSuspensionResumedAfterAt",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"), ev(ClockResume, "2026-03-10"),
			}},
			at:            "2026-03-06",
			wantDue:       "2026-03-23",
			wantLeft:      17,
			wantSuspended: true,
			wantSuspDays:  6,
		},
		{
			name: "OpenSuspensionOnItsFirstDay",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-03-01"),
			}},
			at:            "2026-03-01",
			wantDue:       "2026-03-18",
			wantLeft:      17,
			wantSuspended: true,
			wantSuspDays:  1,
		},
		{
			name: "Interruption",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				{Kind: ClockInterrupt, Date: d("2026-01-20"), Reason: "DPR 380/2001 art. 20 c.5"},
			}},
			at:          "2026-01-20",
			wantDue:     "2026-02-19",
			wantLeft:    30,
			wantExplain: []string{"Interruzione il 20/01/2026 (DPR 380/2001 art. 20 c.5)", "ricomincia per intero"},
		},
		{
			name: "InterruptionForgetsEarlierSuspensionsAndExtensions",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-01-12"), ev(ClockResume, "2026-01-15"),
				{Kind: ClockExtend, Date: d("2026-01-16"), Days: 10},
				ev(ClockInterrupt, "2026-01-20"),
			}},
			at:       "2026-01-25",
			wantDue:  "2026-02-19",
			wantLeft: 25,
		},
		{
			name: "SuspensionAfterInterruption",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				ev(ClockInterrupt, "2026-01-20"),
				ev(ClockSuspend, "2026-01-20"), ev(ClockResume, "2026-01-25"),
			}},
			at:           "2026-01-25",
			wantDue:      "2026-02-24", // interruption day is not counted: 5 days added, not 6
			wantLeft:     30,
			wantSuspDays: 5,
		},
		{
			name: "Extension",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				{Kind: ClockExtend, Date: d("2026-02-01"), Days: 15, Reason: "proroga motivata"},
			}},
			at:          "2026-02-01",
			wantDue:     "2026-02-24",
			wantLeft:    23,
			wantExplain: []string{"Proroga di 15 giorni il 01/02/2026 (proroga motivata)"},
		},
		{
			name: "IntermediateSundayNotShifted",
			// 2 Jan + 30 = Sunday 1 Feb, but a suspension follows: 1 Feb + 5 = 6 Feb,
			// not 2 Feb + 5.
			term: Term{Start: d("2026-01-02"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-01-20"), ev(ClockResume, "2026-01-24"),
			}},
			at:           "2026-01-24",
			wantDue:      "2026-02-06",
			wantLeft:     13,
			wantSuspDays: 5,
		},
		{
			name: "SuspensionOnShiftedLastDay",
			// Due 1 Feb (Sunday) → 2 Feb; a suspension on 2 Feb still falls within
			// the term, which had no day left: it ends on the day the clock resumes.
			term: Term{Start: d("2026-01-02"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-02-02"), ev(ClockResume, "2026-02-05"),
			}},
			at:           "2026-02-05",
			wantDue:      "2026-02-05",
			wantLeft:     0,
			wantSuspDays: 4,
		},
		{
			name: "EventsAfterLapseHaveNoEffect",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				ev(ClockSuspend, "2026-02-10"), ev(ClockResume, "2026-02-20"),
				{Kind: ClockExtend, Date: d("2026-02-21"), Days: 30},
			}},
			at:          "2026-03-01",
			wantDue:     "2026-02-09",
			wantLeft:    -20,
			wantOverdue: true,
			wantExplain: []string{"Il termine è scaduto il 09/02/2026", "Evento «sospensione» del 10/02/2026", "non ha effetto", "scaduto da 20 giorni"},
		},
		{
			name: "EventsAfterAtNotYetApplied",
			term: Term{Start: d("2026-01-10"), Days: 30, Events: []ClockEvent{
				{Kind: ClockExtend, Date: d("2026-02-01"), Days: 15},
			}},
			at:       "2026-01-20",
			wantDue:  "2026-02-09",
			wantLeft: 20,
		},
		{
			name:        "Overdue",
			term:        Term{Start: d("2026-01-10"), Days: 30},
			at:          "2026-02-12",
			wantDue:     "2026-02-09",
			wantLeft:    -3,
			wantOverdue: true,
			wantExplain: []string{"scaduto da 3 giorni"},
		},
		{
			name:        "OverdueByOneDay",
			term:        Term{Start: d("2026-01-10"), Days: 30},
			at:          "2026-02-10",
			wantDue:     "2026-02-09",
			wantLeft:    -1,
			wantOverdue: true,
			wantExplain: []string{"scaduto da 1 giorno"},
		},
		{
			name:     "DueToday",
			term:     Term{Start: d("2026-01-10"), Days: 30},
			at:       "2026-02-09",
			wantDue:  "2026-02-09",
			wantLeft: 0,
		},
		{
			name:     "AtBeforeStart",
			term:     Term{Start: d("2026-01-10"), Days: 30},
			at:       "2026-01-05",
			wantDue:  "2026-02-09",
			wantLeft: 35,
		},
		{
			name:     "StartFromStartEvent",
			term:     Term{Days: 30, Events: []ClockEvent{ev(ClockStart, "2026-01-10")}},
			at:       "2026-01-10",
			wantDue:  "2026-02-09",
			wantLeft: 30,
		},
		{
			name: "StartEventEqualToStartAndUnsortedEvents",
			term: Term{Start: d("2026-02-15"), Days: 30, Events: []ClockEvent{
				ev(ClockResume, "2026-03-10"), ev(ClockSuspend, "2026-03-01"), ev(ClockStart, "2026-02-15"),
			}},
			at:           "2026-03-20",
			wantDue:      "2026-03-27",
			wantLeft:     7,
			wantSuspDays: 10,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.term.Compute(d(tt.at))
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			explanation := strings.Join(st.Explanation, "\n")
			if st.Due.String() != tt.wantDue || st.DaysLeft != tt.wantLeft || st.Overdue != tt.wantOverdue ||
				st.Suspended != tt.wantSuspended || st.SuspendedDays != tt.wantSuspDays {
				t.Errorf("Compute(%s) = due %s, left %d, overdue %v, suspended %v (%d days); want due %s, left %d, overdue %v, suspended %v (%d days)\n%s",
					tt.at, st.Due, st.DaysLeft, st.Overdue, st.Suspended, st.SuspendedDays,
					tt.wantDue, tt.wantLeft, tt.wantOverdue, tt.wantSuspended, tt.wantSuspDays, explanation)
			}
			for _, want := range tt.wantExplain {
				if !strings.Contains(explanation, want) {
					t.Errorf("explanation lacks %q:\n%s", want, explanation)
				}
			}
			for _, line := range st.Explanation {
				if strings.Contains(line, "%!") {
					t.Errorf("bad format in explanation line %q", line)
				}
			}
		})
	}
}

func TestTerm_ComputeInvalid(t *testing.T) {
	t.Parallel()
	d := func(s string) Date { return mustDate(t, s) }
	ev := func(kind ClockEventKind, date string) ClockEvent { return ClockEvent{Kind: kind, Date: d(date)} }
	start := d("2026-01-10")

	for _, tt := range []struct {
		name    string
		term    Term
		at      Date
		wantMsg string
	}{
		{"ZeroDays", Term{Start: start}, start, "almeno 1 giorno"},
		{"NegativeDays", Term{Start: start, Days: -5}, start, "almeno 1 giorno"},
		{"NoStart", Term{Days: 30}, start, "Manca la data di inizio"},
		{"ZeroAt", Term{Start: start, Days: 30}, Date{}, "Manca la data a cui calcolare"},
		{"BadPatronDay", Term{Start: start, Days: 30, Calendar: Calendar{PatronDay: "29-06"}}, start, "festa del patrono"},
		{"UnknownKind", Term{Start: start, Days: 30, Events: []ClockEvent{ev("pause", "2026-01-12")}}, start, "sconosciuto"},
		{"EventWithoutDate", Term{Start: start, Days: 30, Events: []ClockEvent{{Kind: ClockSuspend}}}, start, "manca la data"},
		{"EventBeforeStart", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockSuspend, "2026-01-05")}}, start, "anteriore all'inizio"},
		{"TwoStarts", Term{Days: 30, Events: []ClockEvent{ev(ClockStart, "2026-01-10"), ev(ClockStart, "2026-01-10")}}, start, "più di un evento di avvio"},
		{"StartEventMismatch", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockStart, "2026-01-11")}}, start, "non coincide"},
		{"StartEventWithoutDate", Term{Days: 30, Events: []ClockEvent{{Kind: ClockStart}}}, start, "avvio non ha una data"},
		{"ExtensionWithoutDays", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockExtend, "2026-01-12")}}, start, "almeno 1 giorno"},
		{"DaysOnSuspension", Term{Start: start, Days: 30, Events: []ClockEvent{{Kind: ClockSuspend, Date: d("2026-01-12"), Days: 5}}}, start, "solo una proroga"},
		{"ResumeWithoutSuspend", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockResume, "2026-01-12")}}, start, "non c'è una sospensione"},
		{"ResumeBeforeSuspend", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockSuspend, "2026-01-15"), ev(ClockResume, "2026-01-12")}}, start, "non c'è una sospensione"},
		{"TwoResumes", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockSuspend, "2026-01-12"), ev(ClockResume, "2026-01-13"), ev(ClockResume, "2026-01-14")}}, start, "non c'è una sospensione"},
		{"InterruptWhileSuspended", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockSuspend, "2026-01-12"), ev(ClockInterrupt, "2026-01-14")}}, start, "registra prima la ripresa"},
		// Errors in events after "at" are reported too.
		{"InvalidEventAfterAt", Term{Start: start, Days: 30, Events: []ClockEvent{ev(ClockResume, "2026-03-01")}}, start, "non c'è una sospensione"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.term.Compute(tt.at)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Compute = %+v, %v; want EINVALID", st, err)
			}
			if msg := ErrorMessage(err); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestTerm_ComputeNoEvents checks, for every start day of 2026–2027 and a range
// of lengths, that a term without events ends on start+days moved to a working
// day, and that Compute and DueDate agree.
func TestTerm_ComputeNoEvents(t *testing.T) {
	t.Parallel()
	cal := Calendar{PatronDay: "12-07"}
	for start := (Date{Year: 2026, Month: 1, Day: 1}); start.Year < 2028; start = start.AddDays(1) {
		for _, days := range []int{1, 10, 30, 60, 90, 180} {
			want := cal.NextWorkingDay(start.AddDays(days))
			st, err := Term{Start: start, Days: days, Calendar: cal}.Compute(start)
			if err != nil {
				t.Fatal(err)
			}
			if st.Due != want || st.DaysLeft != start.DaysUntil(want) || cal.IsHoliday(st.Due) {
				t.Fatalf("%s + %d: due %s (left %d), want %s", start, days, st.Due, st.DaysLeft, want)
			}
			if got := DueDate(start, days, cal); got != want {
				t.Fatalf("DueDate(%s, %d) = %s, want %s", start, days, got, want)
			}
		}
	}
}

// TestTerm_ComputeRandom runs Compute on random event logs (fixed seed) and
// checks the invariants that hold for every accepted term.
func TestTerm_ComputeRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 241))
	kinds := []ClockEventKind{ClockSuspend, ClockResume, ClockInterrupt, ClockExtend}
	cal := Calendar{PatronDay: "06-29"}
	valid := 0
	for range 5000 {
		start := Date{Year: 2026, Month: 1, Day: 1}.AddDays(rng.IntN(730))
		term := Term{Start: start, Days: 1 + rng.IntN(120), Calendar: cal}
		for range rng.IntN(6) {
			e := ClockEvent{Kind: kinds[rng.IntN(len(kinds))], Date: start.AddDays(rng.IntN(150))}
			if e.Kind == ClockExtend {
				e.Days = 1 + rng.IntN(30)
			}
			term.Events = append(term.Events, e)
		}
		before := slices.Clone(term.Events)
		at := start.AddDays(rng.IntN(200) - 10)
		st, err := term.Compute(at)
		if !slices.Equal(before, term.Events) {
			t.Fatalf("Compute reordered the caller's events: %v", term.Events)
		}
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Compute(%+v) error %v, want EINVALID", term, err)
			}
			continue
		}
		valid++
		again, _ := term.Compute(at)
		switch {
		case cal.IsHoliday(st.Due):
			t.Fatalf("%+v at %s: due %s is a holiday", term, at, st.Due)
		case st.DaysLeft != at.DaysUntil(st.Due) || st.Overdue != (st.DaysLeft < 0):
			t.Fatalf("%+v at %s: inconsistent %+v", term, at, st)
		case st.Suspended && st.Overdue:
			t.Fatalf("%+v at %s: suspended and overdue", term, at)
		case st.SuspendedDays < 0:
			t.Fatalf("%+v at %s: negative suspended days", term, at)
		case st.Due.Before(start.AddDays(term.Days)):
			t.Fatalf("%+v at %s: due %s before start+days", term, at, st.Due)
		case st.Due != again.Due || len(st.Explanation) != len(again.Explanation):
			t.Fatalf("%+v at %s: not deterministic", term, at)
		}
	}
	if valid < 500 {
		t.Errorf("only %d of 5000 random terms were valid: the generator is too weak", valid)
	}
}

func TestDueDate(t *testing.T) {
	t.Parallel()
	d := func(s string) Date { return mustDate(t, s) }
	r := func(from, to string) DateRange { return DateRange{d(from), d(to)} }

	for _, tt := range []struct {
		name  string
		start Date
		days  int
		cal   Calendar
		susp  []DateRange
		want  string // "" for the zero Date
	}{
		{"Plain", d("2026-01-10"), 30, Calendar{}, nil, "2026-02-09"},
		{"Sunday", d("2026-01-02"), 30, Calendar{}, nil, "2026-02-02"},
		{"EasterMonday", d("2026-03-07"), 30, Calendar{}, nil, "2026-04-07"},
		{"Patron", d("2026-05-30"), 30, Calendar{PatronDay: "06-29"}, nil, "2026-06-30"},
		{"OneSuspension", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-10")}, "2026-03-27"},
		{"TwoSuspensions", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-10"), r("2026-03-20", "2026-03-24")}, "2026-04-01"},
		{"TwoSuspensionsUnordered", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-20", "2026-03-24"), r("2026-03-01", "2026-03-10")}, "2026-04-01"},
		{"Overlapping", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-08"), r("2026-03-05", "2026-03-10")}, "2026-03-27"},
		{"Contained", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-05", "2026-03-06"), r("2026-03-01", "2026-03-10")}, "2026-03-27"},
		{"ChainOfOverlaps", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-04"), r("2026-03-04", "2026-03-07"), r("2026-03-06", "2026-03-10")}, "2026-03-27"},
		{"SameRangeTwice", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-10"), r("2026-03-01", "2026-03-10")}, "2026-03-27"},
		{"Adjacent", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-01", "2026-03-10"), r("2026-03-11", "2026-03-12")}, "2026-03-30"},
		{"SingleDay", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-02", "2026-03-02")}, "2026-03-18"},
		{"StraddlesStart", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-02-10", "2026-02-21")}, "2026-03-23"},
		{"BeforeStartIgnored", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-02-01", "2026-02-10")}, "2026-03-17"},
		{"EmptyRangeIgnored", d("2026-02-15"), 30, Calendar{}, []DateRange{r("2026-03-10", "2026-03-01")}, "2026-03-17"},
		{"AfterLapseIgnored", d("2026-01-10"), 30, Calendar{}, []DateRange{r("2026-02-10", "2026-02-20")}, "2026-02-09"},
		{"ZeroStart", Date{}, 30, Calendar{}, nil, ""},
		{"ZeroDays", d("2026-01-10"), 0, Calendar{}, nil, ""},
		{"BadPatron", d("2026-01-10"), 30, Calendar{PatronDay: "6-29"}, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DueDate(tt.start, tt.days, tt.cal, tt.susp...); got.String() != tt.want {
				t.Errorf("DueDate(%s, %d, %v) = %q, want %q", tt.start, tt.days, tt.susp, got.String(), tt.want)
			}
		})
	}
}

func TestDeadline_FormatDays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		n    int
		want string
	}{
		{"One", 1, "1 giorno"},
		{"Thirty", 30, "30 giorni"},
		{"Two", 2, "2 giorni"},
		{"Zero", 0, "0 giorni"},
		{"MinusOne", -1, "-1 giorno"},
		{"MinusFive", -5, "-5 giorni"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDays(tt.n); got != tt.want {
				t.Errorf("FormatDays(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
