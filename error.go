// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes, for machines. Each maps to one HTTP status in the web and api packages.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state (409)
	EINTERNAL     = "internal"     // a bug or an unavailable dependency (500)
	EINVALID      = "invalid"      // the input is wrong; see FieldErrors (422 / 400)
	ENOTFOUND     = "not_found"    // no such object for this tenant and actor (404)
	EFORBIDDEN    = "forbidden"    // the actor may not do this (403)
	EUNAUTHORIZED = "unauthorized" // the actor is not authenticated (401)
	ETOOLARGE     = "too_large"    // an upload exceeds the size limit (413)
	ETOOMANY      = "too_many"     // rate limited (429)
	EUNAVAILABLE  = "unavailable"  // temporarily unavailable, retry later (503)
)

// Error is procedo's error: a machine code, a user-safe message (in Italian, shown as
// is), the operation that failed and the underlying cause (never shown to users).
type Error struct {
	Code    string // one of the E… constants
	Message string // safe to show to the user
	Op      string // e.g. "sqlstore.CreateCase"
	Err     error  // cause, for logs only
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Code != "" {
		b.WriteString("<" + e.Code + "> ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		if e.Message != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error or FieldErrors in err's chain,
// EINTERNAL for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return EINVALID
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; a generic message for
// errors that are not *Error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return "Alcuni dati non sono validi: correggi i campi indicati."
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Si è verificato un errore interno. Riprova più tardi."
}

// Wrap adds op to a non-nil *err: an *Error without Op gets it, anything else is
// wrapped with %w. Use it as the first line of a function:
//
//	defer procedo.Wrap(&err, "FindCaseByID(%d)", id)
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	op := fmt.Sprintf(format, args...)
	var e *Error
	if errors.As(*errp, &e) && e.Op == "" && *errp == error(e) {
		e.Op = op
		return
	}
	*errp = fmt.Errorf("%s: %w", op, *errp)
}

// FieldErrors maps a field name to a user-safe message (in Italian). It is an
// error with code EINVALID; web re-renders the form with it, api returns it under
// "fields".
type FieldErrors map[string]string

// Error implements error, listing the fields in order.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return "invalid fields: " + strings.Join(parts, "; ")
}

// Add records msg for field unless the field already has a message.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// FieldErrorsOf returns the FieldErrors in err's chain, or nil.
func FieldErrorsOf(err error) FieldErrors {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
