// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/procedo/procedo"
)

// CodeMethodNotAllowed is the error code of a 405 answer: the path exists, but
// not for the request's method. It is the only code not in procedo's E… set,
// which describes the domain and not HTTP.
const CodeMethodNotAllowed = "method_not_allowed"

// errMethodNotAllowed returns the error rendered as 405.
func errMethodNotAllowed() error {
	return &procedo.Error{Code: CodeMethodNotAllowed, Message: "Metodo non consentito per questa risorsa."}
}

// ErrorJSON is the body of every error answer.
type ErrorJSON struct {
	Code    string            `json:"code"`             // procedo.ErrorCode, e.g. "not_found"
	Message string            `json:"message"`          // user-safe, in Italian
	Fields  map[string]string `json:"fields,omitempty"` // field → message, for "invalid"
}

// badRequestError is a request whose body is not the JSON object expected:
// code EINVALID, status 400 (EINVALID from the services is 422).
type badRequestError struct{ err *procedo.Error }

func newBadRequest(cause error) *badRequestError {
	return &badRequestError{&procedo.Error{Code: procedo.EINVALID, Op: "api.decodeJSON", Err: cause,
		Message: "Il corpo della richiesta non è un oggetto JSON valido o contiene campi sconosciuti."}}
}

func (e *badRequestError) Error() string { return e.err.Error() }
func (e *badRequestError) Unwrap() error { return e.err }

// authError is a missing (invalid false) or rejected (invalid true) token: it
// adds the WWW-Authenticate challenge of RFC 6750.
type authError struct {
	err     error
	invalid bool
}

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// statusOf maps error codes to HTTP statuses; anything else is 500.
var statusOf = map[string]int{
	procedo.EINVALID:      http.StatusUnprocessableEntity,
	procedo.ENOTFOUND:     http.StatusNotFound,
	procedo.EFORBIDDEN:    http.StatusForbidden,
	procedo.EUNAUTHORIZED: http.StatusUnauthorized,
	procedo.ECONFLICT:     http.StatusConflict,
	procedo.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	procedo.ETOOMANY:      http.StatusTooManyRequests,
	procedo.EUNAVAILABLE:  http.StatusServiceUnavailable,
	procedo.EINTERNAL:     http.StatusInternalServerError,
	CodeMethodNotAllowed:  http.StatusMethodNotAllowed,
}

// Error renders err as an ErrorJSON with the status of its code. Internal
// errors are logged with the request's identity and answered with a generic
// message: their text never reaches the client.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := procedo.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = procedo.EINTERNAL, http.StatusInternalServerError
	}
	body := ErrorJSON{Code: code, Message: procedo.ErrorMessage(err), Fields: procedo.FieldErrorsOf(err)}
	var bad *badRequestError
	if errors.As(err, &bad) {
		status = http.StatusBadRequest
	}
	var auth *authError
	if errors.As(err, &auth) {
		challenge := `Bearer realm="procedo"`
		if auth.invalid {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if status >= 500 {
		body.Message = procedo.ErrorMessage(errInternal)
		body.Fields = nil
		level := slog.LevelError
		if code == procedo.EUNAVAILABLE {
			level = slog.LevelWarn
			body.Message = procedo.ErrorMessage(err)
			w.Header().Set("Retry-After", "1")
		}
		s.logger().Log(r.Context(), level, "api request failed",
			append(requestAttrs(r.Context(), r), slog.String("code", code), slog.Any("error", err))...)
	}
	_ = writeJSON(w, status, body)
}

// errInternal stands for any internal error: its message is the generic one.
var errInternal = errors.New("internal")

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
