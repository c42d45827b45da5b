// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/procedo/procedo"
)

// s3Store keeps each blob as the object [PREFIX/]tenant/<id>/<sha256> of one
// bucket. An object under its final key is always complete: S3 PUTs are atomic.
type s3Store struct {
	client    *minio.Client
	transport *http.Transport // owned, so Close can drop its connections
	bucket    string
	prefix    string // "" or ending in "/"
	spoolDir  string // where Put spools large content; "" means os.TempDir()
}

// openS3 connects to the bucket of cfg, creating it if asked to.
func openS3(ctx context.Context, cfg s3Config) (_ *s3Store, err error) {
	tr, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, fmt.Errorf("s3 transport: %w", err)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: cfg.Lookup,
		Transport:    tr,
	})
	if err != nil {
		return nil, configError("s3 endpoint %q: %v", cfg.Endpoint, err)
	}
	defer func() {
		if err != nil {
			tr.CloseIdleConnections()
		}
	}()

	// Checking the bucket at start-up turns wrong endpoints, credentials and
	// bucket names into an error now rather than at the first upload.
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !exists {
		if !cfg.CreateBucket {
			return nil, configError("s3 bucket %q does not exist at %s: create it or add create_bucket=true", cfg.Bucket, cfg.Endpoint)
		}
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if err != nil && s3Code(err) != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("create s3 bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
		}
	}

	s := &s3Store{client: client, transport: tr, bucket: cfg.Bucket}
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
	}
	return s, nil
}

// Put implements procedo.BlobStore. The key depends on the hash, known only at
// the end of r, so Put first spools the content (see spoolContent), then uploads
// it in one PUT that carries the SHA-256 twice: as the signed payload hash
// (x-amz-content-sha256), which every SigV4 server checks before storing, and as
// x-amz-checksum-sha256, which S3 also keeps with the object. If the object already exists with the same size (and the same
// checksum, when the server reports one) the upload is skipped. It returns once
// the server has acknowledged the object. One PUT limits blobs to 5 GiB.
func (s *s3Store) Put(ctx context.Context, tenantID int64, r io.Reader) (_ procedo.BlobInfo, err error) {
	defer procedo.Wrap(&err, "blob.Put(tenant=%d)", tenantID)
	if err := checkTenant(tenantID); err != nil {
		return procedo.BlobInfo{}, err
	}
	sp, err := spoolContent(ctx, r, s.spoolDir)
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	defer func() {
		if cerr := sp.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	key := s.key(tenantID, sp.info.SHA256)
	checksum := base64.StdEncoding.EncodeToString(sp.sum)

	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{Checksum: true})
	switch {
	case err == nil && oi.Size == sp.info.Size && (oi.ChecksumSHA256 == "" || oi.ChecksumSHA256 == checksum):
		return sp.info, nil
	case err != nil && s3Code(err) != minio.NoSuchKey:
		return procedo.BlobInfo{}, err
	}

	// Core.PutObject is the call that accepts a precomputed SHA-256; the plain
	// Client.PutObject would hash the content again and may go multipart.
	// DisableContentSha256 turns off the chunked streaming signature the client
	// uses over plain HTTP: the signed hash we pass covers the whole body
	// already, and the chunked form sends empty content without a
	// Content-Length, which servers refuse.
	core := minio.Core{Client: s.client}
	_, err = core.PutObject(ctx, s.bucket, key, sp.reader(), sp.info.Size, "", sp.info.SHA256, minio.PutObjectOptions{
		ContentType:          "application/octet-stream",
		UserMetadata:         map[string]string{"x-amz-checksum-sha256": checksum},
		DisableContentSha256: true,
	})
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	return sp.info, nil
}

// Open implements procedo.BlobStore. The result streams from the server for as
// long as ctx lives; it also implements io.Seeker and io.ReaderAt.
func (s *s3Store) Open(ctx context.Context, tenantID int64, sha string) (_ io.ReadCloser, err error) {
	defer procedo.Wrap(&err, "blob.Open(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(tenantID, sha), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	// GetObject is lazy: Stat sends the request, so a missing object is
	// reported here rather than at the first Read.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close() // nothing was read; the Stat error is the one to report
		if s3Code(err) == minio.NoSuchKey {
			return nil, errNotFound(sha)
		}
		return nil, err
	}
	return obj, nil
}

// Stat implements procedo.BlobStore.
func (s *s3Store) Stat(ctx context.Context, tenantID int64, sha string) (_ procedo.BlobInfo, err error) {
	defer procedo.Wrap(&err, "blob.Stat(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return procedo.BlobInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.key(tenantID, sha), minio.StatObjectOptions{})
	if s3Code(err) == minio.NoSuchKey {
		return procedo.BlobInfo{}, errNotFound(sha)
	}
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	return procedo.BlobInfo{SHA256: sha, Size: oi.Size}, nil
}

// Delete implements procedo.BlobStore.
func (s *s3Store) Delete(ctx context.Context, tenantID int64, sha string) (err error) {
	defer procedo.Wrap(&err, "blob.Delete(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return err
	}
	err = s.client.RemoveObject(ctx, s.bucket, s.key(tenantID, sha), minio.RemoveObjectOptions{})
	if err != nil && s3Code(err) != minio.NoSuchKey {
		return err
	}
	return nil
}

// List implements Store with a paginated listing of the tenant prefix. Keys
// whose last part is not a hash are skipped.
func (s *s3Store) List(ctx context.Context, tenantID int64, fn func(procedo.BlobInfo) error) (err error) {
	fromFn := false // errors of fn go back unchanged
	defer func() {
		if !fromFn {
			procedo.Wrap(&err, "blob.List(tenant=%d)", tenantID)
		}
	}()
	if err := checkTenant(tenantID); err != nil {
		return err
	}
	prefix := s.prefix + tenantDir(tenantID) + "/"
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true}
	for oi := range s.client.ListObjectsIter(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return oi.Err
		}
		name := strings.TrimPrefix(oi.Key, prefix)
		if !validSHA256(name) {
			continue
		}
		if err := fn(procedo.BlobInfo{SHA256: name, Size: oi.Size}); err != nil {
			fromFn = true
			return err
		}
	}
	return ctx.Err()
}

// Close implements Store by closing idle connections to the server.
func (s *s3Store) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// key is the object key of a validated tenant and hash.
func (s *s3Store) key(tenantID int64, sha string) string {
	return s.prefix + tenantDir(tenantID) + "/" + sha
}

// s3Code returns the S3 error code in err's chain ("NoSuchKey"), or "".
func s3Code(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	return ""
}

// spoolMemory is the size up to which Put keeps content in memory. Most
// documents (receipts, filled-in forms) are smaller; larger ones go to a temp
// file, so that many concurrent uploads of large files cannot exhaust memory.
const spoolMemory = 1 << 20

// spool is content read to the end and hashed, ready to be read again.
type spool struct {
	info procedo.BlobInfo
	sum  []byte   // raw SHA-256
	mem  []byte   // the content when it fits in spoolMemory
	file *os.File // the content otherwise
	name string   // file name still to remove on Close; "" when already unlinked
}

// spoolContent reads r to the end, or until ctx is done, hashing it. Content
// larger than spoolMemory goes to a temp file in dir ("" for os.TempDir());
// the caller must Close the result. On error nothing is left behind.
func spoolContent(ctx context.Context, r io.Reader, dir string) (*spool, error) {
	h := sha256.New()
	src := io.TeeReader(ctxReader{ctx: ctx, r: r}, h)
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, src, spoolMemory+1)
	sp := &spool{}
	switch {
	case errors.Is(err, io.EOF):
		sp.mem = buf.Bytes()
	case err != nil:
		return nil, fmt.Errorf("copy content: %w", err)
	default:
		f, err := os.CreateTemp(dir, "procedo-blob-*")
		if err != nil {
			return nil, err
		}
		sp.file, sp.name = f, f.Name()
		// Unlink at once where the OS allows it (Unix), so that not even a
		// crash leaves the temp file behind; the descriptor keeps it readable.
		if os.Remove(f.Name()) == nil {
			sp.name = ""
		}
		if n, err = io.Copy(f, io.MultiReader(&buf, src)); err != nil {
			_ = sp.Close() // the copy error is the one to report
			return nil, fmt.Errorf("copy content: %w", err)
		}
	}
	sp.sum = h.Sum(nil)
	sp.info = procedo.BlobInfo{SHA256: hex.EncodeToString(sp.sum), Size: n}
	return sp, nil
}

// reader returns the content from its start; it can seek, so the client may
// retry the upload.
func (sp *spool) reader() io.Reader {
	if sp.file != nil {
		return io.NewSectionReader(sp.file, 0, sp.info.Size)
	}
	return bytes.NewReader(sp.mem)
}

// Close releases the temp file, if any.
func (sp *spool) Close() error {
	if sp.file == nil {
		return nil
	}
	err := sp.file.Close()
	if sp.name != "" {
		if rmErr := os.Remove(sp.name); rmErr != nil && err == nil {
			err = rmErr
		}
	}
	sp.file = nil
	return err
}
