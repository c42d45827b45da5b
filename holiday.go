// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import "time"

// Calendar says which days are holidays for the legal terms of one ente: the
// national holidays plus its local patron saint's day. The zero Calendar has
// only the national holidays.
//
// Holidays matter to procedo for one reason: a legal term whose last day is a
// holiday ends on the next working day (c.c. art. 2963 c.3). The rule set is
// ../shared/standards/festivita/festivita_nazionali.yaml: the national holidays of
// L. 27 maggio 1949 n. 260 art. 2 as in force since 2001 (Epifania restored by DPR
// 792/1985, 2 June restored by L. 336/2000), 4 October from 2026, the one-off 17
// March 2011 (L. 47/2011), every Sunday, and the patron saint's day of the
// municipality where the ente has its offices. Dates before 2001 get today's
// rules, which is fine for terms of procedures that procedo handles.
//
// Saturday is a working day. Only c.p.c. art. 155 c.5 (added by L. 263/2005)
// treats Saturday as a holiday, and only for procedural acts of civil trials done
// outside a hearing. Terms of administrative procedures (L. 241/1990) are counted
// with the general rule of c.c. art. 2963, which knows only "giorno festivo"
// (Sundays and the days of L. 260/1949), so a term may end on a Saturday.
//
// A holiday that falls on a Sunday or Saturday is not moved to a weekday.
type Calendar struct {
	PatronDay string // "MM-DD" of the patron saint of the ente's municipality (e.g. "06-29" in Rome), "" if none
}

// fixedHoliday is a national holiday on the same day every year.
type fixedHoliday struct {
	month time.Month
	day   int
	name  string
	since int // first year it is a holiday, 0 for "always" (see Calendar)
}

// fixedHolidays are the fixed-date national holidays, in calendar order. Sources:
// L. 260/1949 art. 2 (as amended by L. 54/1977, DPR 792/1985 and L. 336/2000)
// and, for 4 October, the law "Istituzione della festa nazionale di San Francesco
// d'Assisi" promulgated on 8 October 2025, in force from 2026.
var fixedHolidays = []fixedHoliday{
	{time.January, 1, "Capodanno", 0},
	{time.January, 6, "Epifania", 0},
	{time.April, 25, "Anniversario della Liberazione", 0},
	{time.May, 1, "Festa del Lavoro", 0},
	{time.June, 2, "Festa della Repubblica", 0},
	{time.August, 15, "Assunzione (Ferragosto)", 0},
	{time.October, 4, "San Francesco d'Assisi, patrono d'Italia", 2026},
	{time.November, 1, "Ognissanti", 0},
	{time.December, 8, "Immacolata Concezione", 0},
	{time.December, 25, "Natale", 0},
	{time.December, 26, "Santo Stefano", 0},
}

// Names of the holidays that are not in fixedHolidays.
const (
	holidayEaster       = "Pasqua"
	holidayEasterMonday = "Lunedì dell'Angelo (Pasquetta)"
	holidayUnity150     = "150° anniversario dell'Unità d'Italia" // 17 March 2011 only, L. 47/2011
	holidayPatron       = "Festa del Santo Patrono"
	holidaySunday       = "Domenica"
)

// Validate returns an *Error with code EINVALID when PatronDay is neither "" nor
// a day of the year written "MM-DD" ("02-29" is allowed: it is a holiday in leap
// years only).
func (c Calendar) Validate() error {
	if c.PatronDay == "" {
		return nil
	}
	if _, _, ok := c.patronDay(); !ok {
		return Errorf(EINVALID, "La festa del patrono %q non è valida: usa il formato MM-GG, ad esempio 06-29.", c.PatronDay)
	}
	return nil
}

// patronDay parses PatronDay; ok is false when it is "" or malformed.
func (c Calendar) patronDay() (m time.Month, d int, ok bool) {
	s := c.PatronDay
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
	}
	m = time.Month(int(s[0]-'0')*10 + int(s[1]-'0'))
	d = int(s[3]-'0')*10 + int(s[4]-'0')
	// Day 0 of the next month is the last day of m; 2000 is a leap year, so 29
	// February passes.
	if m < time.January || m > time.December || d < 1 || d > time.Date(2000, m+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, 0, false
	}
	return m, d, true
}

// IsHoliday reports whether d is a holiday for legal terms: a Sunday, a national
// holiday, or the patron saint's day. Saturday is not a holiday (see Calendar). A malformed PatronDay is ignored; check it with
// Validate.
func (c Calendar) IsHoliday(d Date) bool { return c.HolidayName(d) != "" }

// HolidayName returns the Italian name of the holiday on d, or "" if d is a
// working day. A national holiday that falls on a Sunday is named after the
// holiday, not "Domenica"; the national holiday also wins over a patron saint's
// day on the same date (Bologna's 4 October). Other Sundays are "Domenica".
func (c Calendar) HolidayName(d Date) string {
	if d.IsZero() {
		return ""
	}
	if d == (Date{2011, time.March, 17}) {
		return holidayUnity150
	}
	for _, h := range fixedHolidays {
		if d.Month == h.month && d.Day == h.day && d.Year >= h.since {
			return h.name
		}
	}
	if d.Month == time.March || d.Month == time.April {
		// Easter falls between 22 March and 25 April, Easter Monday by 26 April.
		switch easter := Easter(d.Year); d {
		case easter:
			return holidayEaster
		case easter.AddDays(1):
			return holidayEasterMonday
		}
	}
	if m, day, ok := c.patronDay(); ok && d.Month == m && d.Day == day {
		return holidayPatron
	}
	if d.Weekday() == time.Sunday {
		return holidaySunday
	}
	return ""
}

// Easter returns Easter Sunday of year by the Gregorian computus (the
// "anonymous Gregorian algorithm" of Meeus, Jones and Butcher). It is meaningful
// for years of the Gregorian calendar, 1583 onwards.
func Easter(year int) Date {
	a := year % 19 // position in the 19-year Metonic cycle
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30 // epact: days from the new moon to the full moon
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7 // days from the full moon to the next Sunday
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return Date{year, time.Month(n / 31), n%31 + 1}
}

// NextWorkingDay returns d if it is not a holiday, otherwise the first later day
// that is not (c.c. art. 2963 c.3: a term ending on a holiday is extended by law
// to the next non-holiday day). Saturday is a working day.
func (c Calendar) NextWorkingDay(d Date) Date {
	for c.IsHoliday(d) {
		d = d.AddDays(1)
	}
	return d
}
