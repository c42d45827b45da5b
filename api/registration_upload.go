// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/signature"
)

// The files of a registration arrive base64-encoded in a JSON body, or as
// parts of a multipart body. Either way each is limited to Server.MaxUpload
// bytes, its media type is sniffed, and it is stored in the blob store (durable
// when Put returns) before the registration that references it is written.

// maxMetadataBytes bounds the metadata part of a multipart body.
const maxMetadataBytes = 64 << 10

// maxFiles bounds the files of one request (the main document and attachments).
const maxFiles = 100

// maxUpload returns the size limit of one file.
func (s *Server) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return procedo.DefaultMaxUpload
}

// maxUploadBody returns the size limit of a request carrying files: one file of
// the largest size, base64-encoded, and 1 MB for the rest.
func (s *Server) maxUploadBody() int64 {
	return int64(base64.StdEncoding.EncodedLen(int(s.maxUpload()))) + 1<<20
}

// formatSize returns n bytes as "20 MB" or "64 KB", for messages.
func formatSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(n>>10, 1))
}

// bodyTooLarge returns the 413 error of a body past limit.
func bodyTooLarge(limit int64, cause error) error {
	return &procedo.Error{Code: procedo.ETOOLARGE, Err: cause,
		Message: fmt.Sprintf("La richiesta è troppo grande (massimo %s in tutto): invia meno allegati per volta.", formatSize(limit))}
}

// fileTooLarge returns the 413 error of a file past limit.
func fileTooLarge(name string, limit int64) error {
	return procedo.Errorf(procedo.ETOOLARGE, "Il file %q supera la dimensione massima di %s.", name, formatSize(limit))
}

// bodyError turns an error met while reading a body limited to limit bytes into
// the 413 answer when the limit caused it, and a body that ends too soon or is
// malformed (a bodyReadError) into 400; other errors, such as a failing blob
// store, are returned as they are.
func bodyError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyTooLarge(limit, err)
	}
	var bad *bodyReadError
	if errors.As(err, &bad) {
		return badRequest("Il corpo della richiesta è incompleto o non è un multipart/form-data valido.", err)
	}
	return err
}

// bodyReader marks the errors of reading the request, so that bodyError tells
// them from the blob store's.
type bodyReader struct{ r io.Reader }

// bodyReadError is an error of reading the request body.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "read request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &bodyReadError{err}
	}
	return n, err
}

// badRequest is a 400 answer with msg: the body is not in the expected form.
func badRequest(msg string, cause error) error {
	return &badRequestError{&procedo.Error{Code: procedo.EINVALID, Op: "api.decodeBody", Message: msg, Err: cause}}
}

// decodeJSONBody reads the JSON object body into v like decodeJSON, with the
// limit of a body carrying files. An empty body is a bad request.
func (s *Server) decodeJSONBody(w http.ResponseWriter, r *http.Request, v any) error {
	limit := s.maxUploadBody()
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err == nil {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if errors.Is(err, io.EOF) {
		return badRequest("Il corpo della richiesta è vuoto: invia un oggetto JSON.", err)
	}
	if err := bodyError(err, limit); procedo.ErrorCode(err) == procedo.ETOOLARGE {
		return err
	}
	return newBadRequest(err)
}

// decodeMetadata reads the JSON object of a multipart part into v.
func decodeMetadata(part io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(part, maxMetadataBytes+1))
	if err != nil {
		return err
	}
	if len(b) > maxMetadataBytes {
		return procedo.Errorf(procedo.ETOOLARGE, "La parte metadata è troppo grande (massimo %s).", formatSize(maxMetadataBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("La parte metadata non è un oggetto JSON valido o contiene campi sconosciuti.", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("La parte metadata contiene dati dopo l'oggetto JSON.", err)
	}
	return nil
}

// multipartReader returns the reader of a multipart/form-data body limited to
// limit bytes, or nil when the body is not multipart.
func multipartReader(w http.ResponseWriter, r *http.Request, limit int64) (*multipart.Reader, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, nil
	}
	if params["boundary"] == "" {
		return nil, badRequest("Il corpo multipart/form-data non indica il boundary.", nil)
	}
	return multipart.NewReader(http.MaxBytesReader(w, r.Body, limit), params["boundary"]), nil
}

// nextPart returns the next part of mr, nil at the end.
func nextPart(mr *multipart.Reader, limit int64) (*multipart.Part, error) {
	p, err := mr.NextPart()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		if err := bodyError(err, limit); procedo.ErrorCode(err) == procedo.ETOOLARGE {
			return nil, err
		}
		return nil, badRequest("Il corpo multipart/form-data non è valido.", err)
	}
	return p, nil
}

// decodeBase64 decodes standard, padded base64 strictly: no line breaks, no
// spaces, no URL alphabet, canonical padding.
func decodeBase64(s string) ([]byte, bool) {
	if len(s)%4 != 0 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return nil, false
		}
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// storeFile stores the content read from r as file name, checking its size,
// and returns the upload that RegisterEntry references. declared is the media
// type the client gave, used unless generic; otherwise the type is sniffed.
// field names the request field for error messages.
func (s *Server) storeFile(ctx context.Context, field, name, declared string, r io.Reader) (*procedo.Upload, error) {
	limit := s.maxUpload()
	br := bufio.NewReaderSize(bodyReader{r}, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(head) == 0 {
		return nil, procedo.FieldErrors{field: fmt.Sprintf("Il file %q è vuoto.", name)}
	}
	info, err := s.Blobs.Put(ctx, procedo.TenantIDFromContext(ctx), &limitReader{r: br, left: limit, err: fileTooLarge(name, limit)})
	if err != nil {
		return nil, err
	}
	return &procedo.Upload{Field: field, Filename: name, MediaType: mediaTypeOf(head, name, declared), SHA256: info.SHA256, Size: info.Size}, nil
}

// limitReader reads from r and fails with err once more than left bytes come:
// the blob store then keeps nothing.
type limitReader struct {
	r    io.Reader
	left int64
	err  error
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, l.err
	}
	return n, err
}

// mediaTypeOf returns the declared media type when it is a valid, specific one,
// else the type sniffed from the first bytes of the content.
func mediaTypeOf(head []byte, name, declared string) string {
	if mt, params, err := mime.ParseMediaType(declared); err == nil && mt != "application/octet-stream" {
		if typ, sub, ok := strings.Cut(mt, "/"); ok && typ != "" && sub != "" && !strings.Contains(sub, "/") {
			if v := mime.FormatMediaType(mt, params); v != "" {
				return v
			}
		}
	}
	return sniff(head, name)
}

// sniff returns the media type of content starting with head: the formats
// administrations exchange first, then the standard algorithm.
func sniff(head []byte, name string) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case strings.EqualFold(filepath.Ext(name), ".p7m") || signature.LooksLikeCAdES(head):
		return "application/pkcs7-mime" // a CAdES envelope (DER, BER or base64)
	}
	return http.DetectContentType(head)
}

// cleanFilename keeps a safe display name: no folders, no control or
// reserved characters, at most 200 bytes; fallback when nothing is left.
func cleanFilename(name, fallback string) string {
	name = filepath.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) || r == unicode.ReplacementChar {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return fallback
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
