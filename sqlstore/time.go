// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"fmt"
	"time"
)

// Times are UTC: TEXT (RFC 3339, microseconds) in SQLite and TIMESTAMPTZ in
// PostgreSQL. These scanners read either.

// timeValue scans a NOT NULL time column.
type timeValue struct{ t *time.Time }

func (v timeValue) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("sqlstore: NULL time")
	}
	*v.t = t
	return nil
}

// nullTime scans a nullable time column into a **time.Time.
type nullTime struct{ t **time.Time }

func (v nullTime) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*v.t = nil
		return nil
	}
	*v.t = &t
	return nil
}

func parseTime(src any) (time.Time, bool, error) {
	switch s := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return s.UTC(), true, nil
	case string:
		return parseTimeString(s)
	case []byte:
		return parseTimeString(string(s))
	}
	return time.Time{}, false, fmt.Errorf("sqlstore: cannot scan %T as time", src)
}

func parseTimeString(s string) (time.Time, bool, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("sqlstore: bad time %q", s)
}

// ts returns the stored form of t for this database.
func (db *DB) ts(t time.Time) any { return db.dialect.ts(t) }

// nullTS returns the stored form of *t, or nil.
func (db *DB) nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.dialect.ts(*t)
}
