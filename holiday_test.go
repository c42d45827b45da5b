// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// mustDate parses "YYYY-MM-DD" or fails the test.
func mustDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestEaster(t *testing.T) {
	t.Parallel()
	// Cross-checked with python-dateutil's easter() (EASTER_WESTERN).
	for _, tt := range []struct {
		name string
		year int
		want string
	}{
		{"FirstGregorian", 1583, "1583-04-10"},
		{"Earliest1818", 1818, "1818-03-22"},
		{"Year1900", 1900, "1900-04-15"},
		{"Latest1943", 1943, "1943-04-25"},
		{"Year1961", 1961, "1961-04-02"},
		{"Year2000", 2000, "2000-04-23"},
		{"Year2008", 2008, "2008-03-23"},
		{"Year2011", 2011, "2011-04-24"},
		{"Year2019", 2019, "2019-04-21"},
		{"Year2024", 2024, "2024-03-31"},
		{"Year2025", 2025, "2025-04-20"},
		{"Year2026", 2026, "2026-04-05"},
		{"Year2027", 2027, "2027-03-28"},
		{"Latest2038", 2038, "2038-04-25"},
		{"Year2049", 2049, "2049-04-18"},
		{"Year2100", 2100, "2100-03-28"},
		{"Earliest2285", 2285, "2285-03-22"},
		{"Year3000", 3000, "3000-04-13"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Easter(tt.year); got.String() != tt.want {
				t.Errorf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
			}
		})
	}
	// Easter is always a Sunday between 22 March and 25 April.
	for y := 1583; y <= 4099; y++ {
		e := Easter(y)
		lo, hi := Date{y, time.March, 22}, Date{y, time.April, 25}
		if e.Weekday() != time.Sunday || e.Before(lo) || e.After(hi) {
			t.Fatalf("Easter(%d) = %s (%v), not a Sunday in 22 March–25 April", y, e, e.Weekday())
		}
	}
}

// TestHoliday_CSV checks the computed calendar of national holidays
// for the even years 2024–2034: every listed date is a holiday with that name,
// and every other day of those years is a holiday only if it is a Sunday.
func TestHoliday_CSV(t *testing.T) {
	t.Parallel()
	rows := readCSV(t, standardsFile(t, "festivita/festivita_nazionali_anni_pari_2024-2034.csv"))
	var cal Calendar
	listed := map[Date]bool{}
	years := map[int]bool{}
	for _, row := range rows {
		d := mustDate(t, row["data"])
		listed[d] = true
		y, err := strconv.Atoi(row["anno"])
		if err != nil || y != d.Year {
			t.Fatalf("row %v: bad anno", row)
		}
		years[y] = true
		// The CSV annotates two names: "Pasqua (domenica)" says Easter is a
		// Sunday, "(dal 2026)" says since when 4 October is a holiday. Neither
		// is part of the name.
		want := strings.TrimSuffix(strings.TrimSuffix(row["festivita"], " (domenica)"), " (dal 2026)")
		if got := cal.HolidayName(d); got != want {
			t.Errorf("HolidayName(%s) = %q, want %q", d, got, want)
		}
		if !cal.IsHoliday(d) {
			t.Errorf("IsHoliday(%s) = false", d)
		}
	}
	if len(years) != 6 {
		t.Errorf("CSV has years %v, want the 6 even years 2024–2034", years)
	}
	for y := range years {
		for d := (Date{y, time.January, 1}); d.Year == y; d = d.AddDays(1) {
			if listed[d] {
				continue
			}
			want := ""
			if d.Weekday() == time.Sunday {
				want = "Domenica"
			}
			if got := cal.HolidayName(d); got != want {
				t.Errorf("HolidayName(%s) = %q, want %q", d, got, want)
			}
		}
	}
}

func TestHoliday_Name(t *testing.T) {
	t.Parallel()
	rome := Calendar{PatronDay: "06-29"}
	bologna := Calendar{PatronDay: "10-04"}
	leap := Calendar{PatronDay: "02-29"}
	for _, tt := range []struct {
		name string
		cal  Calendar
		date string
		want string
	}{
		{"OrdinaryMonday", Calendar{}, "2026-01-12", ""},
		{"Saturday", Calendar{}, "2026-01-10", ""},
		{"Sunday", Calendar{}, "2026-01-11", "Domenica"},
		{"EasterMonday2026", Calendar{}, "2026-04-06", "Lunedì dell'Angelo (Pasquetta)"},
		{"EasterMonday2025", Calendar{}, "2025-04-21", "Lunedì dell'Angelo (Pasquetta)"},
		{"EasterMonday2027", Calendar{}, "2027-03-29", "Lunedì dell'Angelo (Pasquetta)"},
		{"GoodFriday", Calendar{}, "2026-04-03", ""},
		{"EasterSaturday", Calendar{}, "2026-04-04", ""},
		{"October4Of2025NotYet", Calendar{}, "2025-10-04", ""},
		{"October4Of2026", Calendar{}, "2026-10-04", "San Francesco d'Assisi, patrono d'Italia"},
		{"October4Of2027", Calendar{}, "2027-10-04", "San Francesco d'Assisi, patrono d'Italia"},
		{"Unity150", Calendar{}, "2011-03-17", "150° anniversario dell'Unità d'Italia"},
		{"March17Of2012", Calendar{}, "2012-03-17", ""},
		{"November2NotAHoliday", Calendar{}, "2026-11-02", ""},
		{"November4NotAHoliday", Calendar{}, "2026-11-04", ""},
		{"NationalOnSunday", Calendar{}, "2026-11-01", "Ognissanti"},
		{"PatronRome", rome, "2026-06-29", "Festa del Santo Patrono"},
		{"PatronElsewhere", Calendar{}, "2026-06-29", ""},
		{"PatronDayBefore", rome, "2026-06-28", "Domenica"},
		{"PatronNextYear", rome, "2027-06-29", "Festa del Santo Patrono"},
		{"PatronBolognaBefore2026", bologna, "2025-10-04", "Festa del Santo Patrono"},
		{"NationalWinsOverPatron", bologna, "2027-10-04", "San Francesco d'Assisi, patrono d'Italia"},
		{"PatronFeb29LeapYear", leap, "2028-02-29", "Festa del Santo Patrono"},
		{"PatronFeb29NotOnMarch1", leap, "2027-03-01", ""},
		{"MalformedPatronIgnored", Calendar{PatronDay: "29/06"}, "2026-06-29", ""},
		{"ZeroDate", Calendar{}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var d Date
			if tt.date != "" {
				d = mustDate(t, tt.date)
			}
			if got := tt.cal.HolidayName(d); got != tt.want {
				t.Errorf("HolidayName(%s) = %q, want %q", tt.date, got, tt.want)
			}
			if got := tt.cal.IsHoliday(d); got != (tt.want != "") {
				t.Errorf("IsHoliday(%s) = %v, want %v", tt.date, got, tt.want != "")
			}
		})
	}
}

func TestHoliday_CalendarValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		patron string
		ok     bool
	}{
		{"Empty", "", true},
		{"Rome", "06-29", true},
		{"Milan", "12-07", true},
		{"Feb29", "02-29", true},
		{"Feb30", "02-30", false},
		{"April31", "04-31", false},
		{"Month13", "13-01", false},
		{"Day0", "01-00", false},
		{"Slash", "06/29", false},
		{"DayFirst", "29-06", false},
		{"WithYear", "2026-06-29", false},
		{"Short", "6-29", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Calendar{PatronDay: tt.patron}.Validate()
			if tt.ok && err != nil || !tt.ok && ErrorCode(err) != EINVALID {
				t.Errorf("Validate(%q) = %v, want ok=%v", tt.patron, err, tt.ok)
			}
		})
	}
}

func TestHoliday_NextWorkingDay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cal  Calendar
		date string
		want string
	}{
		{"WorkingDayItself", Calendar{}, "2026-02-09", "2026-02-09"},
		{"SaturdayIsWorking", Calendar{}, "2026-02-07", "2026-02-07"},
		{"Sunday", Calendar{}, "2026-02-01", "2026-02-02"},
		{"EasterSundayAndMonday", Calendar{}, "2026-04-05", "2026-04-07"},
		{"EasterMonday", Calendar{}, "2026-04-06", "2026-04-07"},
		{"ChristmasToSaintStephen2027", Calendar{}, "2027-12-25", "2027-12-27"},
		{"October4Of2026Sunday", Calendar{}, "2026-10-04", "2026-10-05"},
		{"October4Of2027Monday", Calendar{}, "2027-10-04", "2027-10-05"},
		{"October4Of2025Saturday", Calendar{}, "2025-10-04", "2025-10-04"},
		{"PatronMonday", Calendar{PatronDay: "06-29"}, "2026-06-29", "2026-06-30"},
		{"SundayThenPatron", Calendar{PatronDay: "06-29"}, "2026-06-28", "2026-06-30"},
		// 25 Dec 2032 is a Saturday, 26 a Sunday, and a patron on 27 December.
		{"ThreeInARow", Calendar{PatronDay: "12-27"}, "2032-12-25", "2032-12-28"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.NextWorkingDay(mustDate(t, tt.date)); got.String() != tt.want {
				t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.date, got, tt.want)
			}
		})
	}
}
