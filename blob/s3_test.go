// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/procedo/procedo"
)

// FakeS3 is an in-process S3 server for one test.
type FakeS3 struct {
	Endpoint string       // HOST:PORT, plain HTTP
	Puts     atomic.Int64 // PUT requests on objects received so far

	mu            sync.Mutex
	payloadHashes map[string]string // URL path → X-Amz-Content-Sha256 of its last PUT
}

// PayloadHash returns the signed payload hash of the last PUT to path
// ("/bucket/key"), or "".
func (f *FakeS3) PayloadHash(path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payloadHashes[path]
}

// NewFakeS3 starts a gofakes3 server, stopped when the test ends.
func NewFakeS3(tb testing.TB) *FakeS3 {
	tb.Helper()
	f := &FakeS3{payloadHashes: map[string]string{}}
	faker := gofakes3.New(s3mem.New())
	h := faker.Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Path style: /bucket/key; bucket creation is /bucket.
		if r.Method == http.MethodPut && strings.Count(strings.Trim(r.URL.Path, "/"), "/") > 0 {
			f.Puts.Add(1)
			f.mu.Lock()
			f.payloadHashes[r.URL.Path] = r.Header.Get("X-Amz-Content-Sha256")
			f.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	f.Endpoint = strings.TrimPrefix(srv.URL, "http://")
	return f
}

// URL returns an s3:// URL for bucket on f, with extra query parameters.
func (f *FakeS3) URL(bucket, extra string) string {
	u := "s3://test-key:test-secret@" + bucket + "?endpoint=" + f.Endpoint + "&secure=false&path_style=true&region=us-east-1"
	if extra != "" {
		u += "&" + extra
	}
	return u
}

// S3Fixture is an S3 store on its own fake server.
type S3Fixture struct {
	store  *s3Store
	server *FakeS3
}

// MustOpenS3 opens an S3 store with key prefix "procedo/blobs" on a fresh fake
// server, creating the bucket; large Puts spool into a temp folder of the test.
func MustOpenS3(tb testing.TB) S3Fixture {
	tb.Helper()
	f := NewFakeS3(tb)
	st, err := Open(context.Background(), f.URL("procedo-test/procedo/blobs/", "create_bucket=true"))
	if err != nil {
		tb.Fatal(err)
	}
	s := st.(*s3Store)
	s.spoolDir = tb.TempDir()
	tb.Cleanup(func() { _ = s.Close() })
	return S3Fixture{store: s, server: f}
}

func TestS3_Put(t *testing.T) {
	t.Parallel()
	t.Run("Layout", func(t *testing.T) {
		t.Parallel()
		fx := MustOpenS3(t)
		info := MustPut(t, fx.store, 7, "content")
		var keys []string
		for oi := range fx.store.client.ListObjectsIter(context.Background(), "procedo-test", minio.ListObjectsOptions{Recursive: true}) {
			if oi.Err != nil {
				t.Fatal(oi.Err)
			}
			keys = append(keys, oi.Key)
		}
		want := []string{"procedo/blobs/tenant/7/" + info.SHA256}
		if !slices.Equal(keys, want) {
			t.Fatalf("bucket keys = %v, want %v", keys, want)
		}
		// The server can verify the content against the hash in the key.
		if got := fx.server.PayloadHash("/procedo-test/" + want[0]); got != info.SHA256 {
			t.Fatalf("signed payload hash = %q, want %q", got, info.SHA256)
		}
	})

	t.Run("SkipsExisting", func(t *testing.T) {
		t.Parallel()
		fx := MustOpenS3(t)
		MustPut(t, fx.store, 1, "once")
		MustPut(t, fx.store, 1, "once")
		big := string(RandomBytes(2<<20, 3))
		MustPut(t, fx.store, 1, big)
		MustPut(t, fx.store, 1, big)
		if n := fx.server.Puts.Load(); n != 2 {
			t.Fatalf("%d object uploads, want 2", n)
		}
	})

	t.Run("ErrReaderLeavesNothing", func(t *testing.T) {
		t.Parallel()
		fx := MustOpenS3(t)
		for _, n := range []int{0, 10, 3 << 20} {
			if _, err := fx.store.Put(context.Background(), 1, FailingReader(n)); !errors.Is(err, errReader) {
				t.Fatalf("Put after %d bytes: err = %v, want the reader's error", n, err)
			}
		}
		MustBeEmptyDir(t, fx.store.spoolDir)
		if n := fx.server.Puts.Load(); n != 0 {
			t.Fatalf("%d object uploads after failed reads, want 0", n)
		}
	})

	t.Run("SpoolRemoved", func(t *testing.T) {
		t.Parallel()
		fx := MustOpenS3(t)
		MustPut(t, fx.store, 1, string(RandomBytes(spoolMemory+1, 4)))
		MustBeEmptyDir(t, fx.store.spoolDir)
	})
}

func TestOpen_S3(t *testing.T) {
	t.Parallel()
	t.Run("ErrBucketMissing", func(t *testing.T) {
		t.Parallel()
		f := NewFakeS3(t)
		_, err := Open(context.Background(), f.URL("missing-bucket", ""))
		if procedo.ErrorCode(err) != procedo.EINVALID || !strings.Contains(err.Error(), "create_bucket=true") {
			t.Fatalf("err = %v, want EINVALID mentioning create_bucket=true", err)
		}
	})

	t.Run("ExistingBucket", func(t *testing.T) {
		t.Parallel()
		f := NewFakeS3(t)
		first, err := Open(context.Background(), f.URL("shared", "create_bucket=true"))
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		info := MustPut(t, first, 1, "shared content")
		// Again with create_bucket: the bucket exists, that is fine.
		second, err := Open(context.Background(), f.URL("shared", "create_bucket=true"))
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		if got := MustRead(t, second, 1, info.SHA256); got != "shared content" {
			t.Fatalf("read %q through a second store", got)
		}
	})

	t.Run("PrefixesIsolated", func(t *testing.T) {
		t.Parallel()
		f := NewFakeS3(t)
		a, err := Open(context.Background(), f.URL("shared/a", "create_bucket=true"))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := Open(context.Background(), f.URL("shared/b", ""))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		info := MustPut(t, a, 1, "under a")
		if _, err := b.Stat(context.Background(), 1, info.SHA256); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("Stat under another prefix: err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		endpoint := strings.TrimPrefix(srv.URL, "http://")
		srv.Close() // nothing listens there any more
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // do not wait for the client's retries
		_, err := Open(ctx, "s3://k:topsecret@bucket?secure=false&region=us-east-1&endpoint="+endpoint)
		if err == nil {
			t.Fatal("Open of an unreachable endpoint succeeded")
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Fatalf("error reveals the secret: %v", err)
		}
	})
}

func TestSpoolContent(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, spoolMemory, spoolMemory + 1, 3 << 20} {
		dir := t.TempDir()
		content := RandomBytes(n, byte(n))
		sp, err := spoolContent(context.Background(), bytes.NewReader(content), dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := (procedo.BlobInfo{SHA256: Hash(string(content)), Size: int64(n)}); sp.info != want {
			t.Errorf("size %d: info = %+v, want %+v", n, sp.info, want)
		}
		if inFile := sp.file != nil; inFile != (n > spoolMemory) {
			t.Errorf("size %d: spooled to file = %v", n, inFile)
		}
		// Read twice: the client may retry an upload.
		for range 2 {
			got, err := io.ReadAll(sp.reader())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, content) {
				t.Fatalf("size %d: spooled content differs", n)
			}
		}
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		MustBeEmptyDir(t, dir)
	}
}
