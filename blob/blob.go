// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package blob stores document content, addressed by SHA-256 and kept apart per
// tenant under keys "tenant/<id>/<sha256hex>", in a local folder or an S3 bucket
// chosen by URL (see Open). It owns only the bytes: document metadata and the
// rows that reference a hash live in sqlstore. It must not import other adapters.
package blob

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"

	"github.com/procedo/procedo"
)

// Store is a procedo.BlobStore that can also enumerate what it holds and release
// its resources. All methods are safe for concurrent use. Besides the codes of
// procedo.BlobStore, every method returns EINVALID for a tenantID ≤ 0 and, where
// it takes a hash, for one that is not 64 lowercase hex digits; I/O failures are
// EINTERNAL.
type Store interface {
	procedo.BlobStore

	// List calls fn once for every blob of tenantID, in no guaranteed order,
	// and stops at the first error fn returns, returning it unchanged. A
	// tenant without blobs is not an error. It is meant for orphan cleanup and
	// integrity checks by background jobs; fn may Delete the blob it was
	// called with.
	List(ctx context.Context, tenantID int64, fn func(procedo.BlobInfo) error) error

	// Close releases the resources of the store, which must not be used
	// afterwards. Stored content is unaffected.
	Close() error
}

var (
	_ Store = (*localStore)(nil)
	_ Store = (*s3Store)(nil)
)

// Open returns the Store described by rawURL:
//
//   - file:PATH or file:///ABS/PATH: a local folder, created if missing; PATH
//     may be relative to the working directory (file:./data/blobs). Blobs are
//     read-only files ROOT/tenant/<id>/<sha256>, written through ROOT/tmp
//     (which must be on the same filesystem), fsynced and renamed into place.
//   - s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=R&secure=true|false&path_style=true|false&create_bucket=true|false:
//     objects [PREFIX/]tenant/<id>/<sha256> of an S3 bucket. endpoint defaults
//     to s3.amazonaws.com, secure to true, path_style to what the endpoint
//     supports, create_bucket to false (then a missing bucket is an error).
//     Credentials come from the URL (s3://KEY:SECRET@BUCKET, percent-escaped)
//     or else from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional
//     AWS_SESSION_TOKEN. Open checks that the bucket is reachable. Put spools
//     content up to 1 MiB in memory and larger content in a temp file under
//     $TMPDIR, then uploads it in one PUT signed with its SHA-256, or not at
//     all if the object is already there.
//
// Any other URL, or an unknown query parameter, is an EINVALID error that names
// the problem; credentials never appear in errors.
func Open(ctx context.Context, rawURL string) (_ Store, err error) {
	defer procedo.Wrap(&err, "blob.Open")
	u, err := url.Parse(rawURL)
	if err != nil {
		// The url error repeats the input, which may contain a secret.
		return nil, configError("the blob store URL cannot be parsed")
	}
	switch u.Scheme {
	case "file":
		root, err := parseFileURL(u)
		if err != nil {
			return nil, err
		}
		s, err := openLocal(root)
		if err != nil {
			return nil, err // not s: a nil *localStore is a non-nil Store
		}
		return s, nil
	case "s3":
		cfg, err := parseS3URL(u, os.Getenv)
		if err != nil {
			return nil, err
		}
		s, err := openS3(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	case "":
		return nil, configError("the blob store URL has no scheme: want file:PATH or s3://BUCKET")
	default:
		return nil, configError("unsupported blob store URL scheme %q: want file:PATH or s3://BUCKET", u.Scheme)
	}
}

// configError is the error of a wrong blob store URL, read by whoever deploys
// procedo, never by citizens.
func configError(format string, args ...any) error {
	return &procedo.Error{
		Code:    procedo.EINVALID,
		Message: "Configurazione dell'archivio dei documenti non valida.",
		Err:     fmt.Errorf(format, args...),
	}
}

// errNotFound is returned by Open and Stat for content that is not stored.
func errNotFound(sha string) error {
	return &procedo.Error{
		Code:    procedo.ENOTFOUND,
		Message: "Documento non trovato.",
		Err:     fmt.Errorf("blob %s not found", sha),
	}
}

// checkKey validates the parts of a key before any I/O. The strict hash check is
// what keeps a caller-supplied hash from naming a path or key outside the tenant.
func checkKey(tenantID int64, sha string) error {
	if err := checkTenant(tenantID); err != nil {
		return err
	}
	if !validSHA256(sha) {
		return &procedo.Error{
			Code:    procedo.EINVALID,
			Message: "Impronta del documento non valida.",
			Err:     fmt.Errorf("sha256 %.70q is not 64 lowercase hex digits", sha),
		}
	}
	return nil
}

// checkTenant refuses tenant IDs that no tenant row can have.
func checkTenant(tenantID int64) error {
	if tenantID <= 0 {
		return &procedo.Error{
			Code:    procedo.EINVALID,
			Message: "Ente non valido.",
			Err:     fmt.Errorf("tenant id %d is not positive", tenantID),
		}
	}
	return nil
}

// validSHA256 reports whether s is a hex SHA-256 as Put returns it: exactly 64
// lowercase hex digits.
func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// tenantDir is the folder or key prefix of a tenant, without trailing slash.
func tenantDir(tenantID int64) string {
	return "tenant/" + strconv.FormatInt(tenantID, 10)
}

// ctxReader stops reading once ctx is done, so that an abandoned request does not
// keep copying a large upload.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
