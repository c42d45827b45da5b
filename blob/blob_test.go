// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

// backends lists every Store implementation; each conformance test runs on
// a fresh store of each.
var backends = []struct {
	name string
	open func(tb testing.TB) Store
}{
	{"local", func(tb testing.TB) Store { return MustOpenLocal(tb) }},
	{"s3", func(tb testing.TB) Store { return MustOpenS3(tb).store }},
}

// storeTests are the behaviours every Store must have.
var storeTests = []struct {
	name string
	test func(t *testing.T, s Store)
}{
	{"PutOpenRoundTrip", testPutOpenRoundTrip},
	{"SameContentTwice", testSameContentTwice},
	{"TenantsIsolated", testTenantsIsolated},
	{"BadHash", testBadHash},
	{"BadTenant", testBadTenant},
	{"ErrNotFound", testNotFound},
	{"Delete", testDelete},
	{"EmptyContent", testEmptyContent},
	{"LargeContent", testLargeContent},
	{"FailingReader", testFailingReader},
	{"CancelledContext", testCancelledContext},
	{"List", testList},
	{"ListStopsOnError", testListStopsOnError},
	{"ListWhileDeleting", testListWhileDeleting},
}

func TestStore(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range storeTests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					s := b.open(t)
					tc.test(t, s)
				})
			}
		})
	}
}

func testPutOpenRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	info := MustPut(t, s, 1, "hello")
	want := procedo.BlobInfo{SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Size: 5}
	if info != want {
		t.Fatalf("Put = %+v, want %+v", info, want)
	}
	if got := MustRead(t, s, 1, info.SHA256); got != "hello" {
		t.Fatalf("Open read %q, want %q", got, "hello")
	}
	st, err := s.Stat(ctx, 1, info.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if st != want {
		t.Fatalf("Stat = %+v, want %+v", st, want)
	}
}

func testSameContentTwice(t *testing.T, s Store) {
	a := MustPut(t, s, 1, "same")
	b := MustPut(t, s, 1, "same")
	if a != b {
		t.Fatalf("second Put = %+v, first %+v", b, a)
	}
	if got := MustRead(t, s, 1, a.SHA256); got != "same" {
		t.Fatalf("Open read %q after second Put", got)
	}
	if got := MustList(t, s, 1); len(got) != 1 {
		t.Fatalf("List = %v, want one blob", got)
	}
}

func testTenantsIsolated(t *testing.T, s Store) {
	ctx := context.Background()
	info := MustPut(t, s, 1, "tenant one's secret")

	if _, err := s.Open(ctx, 2, info.SHA256); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("tenant 2 Open of tenant 1's hash: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.Stat(ctx, 2, info.SHA256); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("tenant 2 Stat of tenant 1's hash: err = %v, want ENOTFOUND", err)
	}
	if got := MustList(t, s, 2); len(got) != 0 {
		t.Fatalf("tenant 2 List = %v, want nothing", got)
	}
	if err := s.Delete(ctx, 2, info.SHA256); err != nil {
		t.Fatalf("tenant 2 Delete: %v", err)
	}
	if got := MustRead(t, s, 1, info.SHA256); got != "tenant one's secret" {
		t.Fatalf("tenant 1 content after tenant 2 Delete: %q", got)
	}

	// The same content stored by both tenants is two blobs.
	MustPut(t, s, 2, "tenant one's secret")
	if err := s.Delete(ctx, 2, info.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, 1, info.SHA256); err != nil {
		t.Fatalf("tenant 1 Stat after tenant 2 deleted its copy: %v", err)
	}
}

func testBadHash(t *testing.T, s Store) {
	ctx := context.Background()
	valid := strings.Repeat("a", 64)
	for _, sha := range []string{
		"",
		"abc",
		strings.Repeat("a", 63),
		strings.Repeat("a", 65),
		strings.ToUpper(valid),
		"../../../../../../etc/passwd",
		"../2/" + valid[5:],
		valid[:63] + "/",
		valid[:63] + "\x00",
		valid[:62] + "..",
		strings.Repeat("g", 64),
	} {
		if _, err := s.Open(ctx, 1, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Open(%q): err = %v, want EINVALID", sha, err)
		}
		if _, err := s.Stat(ctx, 1, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Stat(%q): err = %v, want EINVALID", sha, err)
		}
		if err := s.Delete(ctx, 1, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Delete(%q): err = %v, want EINVALID", sha, err)
		}
	}
}

func testBadTenant(t *testing.T, s Store) {
	ctx := context.Background()
	sha := MustPut(t, s, 1, "x").SHA256
	for _, id := range []int64{0, -1} {
		if _, err := s.Put(ctx, id, strings.NewReader("x")); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Put(tenant %d): err = %v, want EINVALID", id, err)
		}
		if _, err := s.Open(ctx, id, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Open(tenant %d): err = %v, want EINVALID", id, err)
		}
		if _, err := s.Stat(ctx, id, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Stat(tenant %d): err = %v, want EINVALID", id, err)
		}
		if err := s.Delete(ctx, id, sha); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("Delete(tenant %d): err = %v, want EINVALID", id, err)
		}
		err := s.List(ctx, id, func(procedo.BlobInfo) error { return nil })
		if procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("List(tenant %d): err = %v, want EINVALID", id, err)
		}
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	missing := Hash("never stored")
	_, err := s.Open(ctx, 1, missing)
	if procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("Open: err = %v, want ENOTFOUND", err)
	}
	if msg := procedo.ErrorMessage(err); msg != "Documento non trovato." {
		t.Errorf("Open: message %q", msg)
	}
	if _, err := s.Stat(ctx, 1, missing); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("Stat: err = %v, want ENOTFOUND", err)
	}
	if err := s.Delete(ctx, 1, missing); err != nil {
		t.Fatalf("Delete of a missing blob: %v", err)
	}
}

func testDelete(t *testing.T, s Store) {
	ctx := context.Background()
	keep := MustPut(t, s, 1, "keep")
	gone := MustPut(t, s, 1, "gone")
	if err := s.Delete(ctx, 1, gone.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, 1, gone.SHA256); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("Open after Delete: err = %v, want ENOTFOUND", err)
	}
	if err := s.Delete(ctx, 1, gone.SHA256); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if got := MustList(t, s, 1); !slices.Equal(got, []procedo.BlobInfo{keep}) {
		t.Fatalf("List = %v, want only %v", got, keep)
	}
	// Deleted content can be stored again.
	if again := MustPut(t, s, 1, "gone"); again != gone {
		t.Fatalf("Put after Delete = %+v, want %+v", again, gone)
	}
	if got := MustRead(t, s, 1, gone.SHA256); got != "gone" {
		t.Fatalf("Open read %q", got)
	}
}

func testEmptyContent(t *testing.T, s Store) {
	info := MustPut(t, s, 1, "")
	want := procedo.BlobInfo{SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Size: 0}
	if info != want {
		t.Fatalf("Put = %+v, want %+v", info, want)
	}
	if got := MustRead(t, s, 1, info.SHA256); got != "" {
		t.Fatalf("Open read %q, want nothing", got)
	}
	st, err := s.Stat(context.Background(), 1, info.SHA256)
	if err != nil || st != want {
		t.Fatalf("Stat = %+v, %v; want %+v", st, err, want)
	}
}

func testLargeContent(t *testing.T, s Store) {
	ctx := context.Background()
	content := RandomBytes(5<<20, 1)
	// Hiding bytes.Reader's WriteTo makes Put read in pieces, as from a request body.
	info, err := s.Put(ctx, 1, struct{ io.Reader }{bytes.NewReader(content)})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(content)) || info.SHA256 != Hash(string(content)) {
		t.Fatalf("Put = %+v, want size %d hash %s", info, len(content), Hash(string(content)))
	}
	rc, err := s.Open(ctx, 1, info.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Fatalf("Open read %d bytes differing from the %d stored", len(got), len(content))
	}
	if st, err := s.Stat(ctx, 1, info.SHA256); err != nil || st != info {
		t.Fatalf("Stat = %+v, %v; want %+v", st, err, info)
	}
}

func testFailingReader(t *testing.T, s Store) {
	// Fail past spoolMemory, so that S3 has spilled to a temp file too.
	_, err := s.Put(context.Background(), 1, FailingReader(spoolMemory+1000))
	if !errors.Is(err, errReader) {
		t.Fatalf("Put: err = %v, want the reader's error", err)
	}
	if got := MustList(t, s, 1); len(got) != 0 {
		t.Fatalf("List after failed Put = %v, want nothing", got)
	}
	// A short failing read too (S3 keeps it in memory).
	if _, err := s.Put(context.Background(), 1, FailingReader(10)); !errors.Is(err, errReader) {
		t.Fatalf("Put: err = %v, want the reader's error", err)
	}
	if got := MustList(t, s, 1); len(got) != 0 {
		t.Fatalf("List after failed Put = %v, want nothing", got)
	}
}

func testCancelledContext(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, 1, strings.NewReader("late")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put: err = %v, want context.Canceled", err)
	}
	if got := MustList(t, s, 1); len(got) != 0 {
		t.Fatalf("List after cancelled Put = %v, want nothing", got)
	}
}

func testList(t *testing.T, s Store) {
	var want []procedo.BlobInfo
	for _, c := range []string{"one", "two", "three!"} {
		want = append(want, MustPut(t, s, 1, c))
	}
	MustPut(t, s, 2, "other tenant")
	MustPut(t, s, 12, "tenant whose id starts with 1")
	SortInfos(want)
	if got := MustList(t, s, 1); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	if got := MustList(t, s, 3); len(got) != 0 {
		t.Fatalf("List of a tenant without blobs = %v, want nothing", got)
	}
}

func testListStopsOnError(t *testing.T, s Store) {
	for _, c := range []string{"a", "b", "c"} {
		MustPut(t, s, 1, c)
	}
	stop := errors.New("stop here")
	calls := 0
	err := s.List(context.Background(), 1, func(procedo.BlobInfo) error {
		calls++
		return stop
	})
	if err != stop { //nolint:errorlint // List promises the error unchanged
		t.Fatalf("List: err = %v, want fn's error unchanged", err)
	}
	if calls != 1 {
		t.Fatalf("fn called %d times after failing, want 1", calls)
	}
}

func testListWhileDeleting(t *testing.T, s Store) {
	ctx := context.Background()
	for i := range 20 {
		MustPut(t, s, 1, strings.Repeat("x", i))
	}
	seen := 0
	err := s.List(ctx, 1, func(bi procedo.BlobInfo) error {
		seen++
		return s.Delete(ctx, 1, bi.SHA256)
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != 20 {
		t.Fatalf("List saw %d blobs while deleting, want 20", seen)
	}
	if got := MustList(t, s, 1); len(got) != 0 {
		t.Fatalf("List after deleting all = %v", got)
	}
}

// MustPut stores content for tenantID and fails the test on error.
func MustPut(tb testing.TB, s Store, tenantID int64, content string) procedo.BlobInfo {
	tb.Helper()
	info, err := s.Put(context.Background(), tenantID, strings.NewReader(content))
	if err != nil {
		tb.Fatalf("Put(%d, %.20q): %v", tenantID, content, err)
	}
	return info
}

// MustRead returns the whole content of a blob.
func MustRead(tb testing.TB, s Store, tenantID int64, sha string) string {
	tb.Helper()
	rc, err := s.Open(context.Background(), tenantID, sha)
	if err != nil {
		tb.Fatalf("Open(%d, %s): %v", tenantID, sha, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatalf("read %s: %v", sha, err)
	}
	return string(b)
}

// MustList returns the blobs of a tenant sorted by hash.
func MustList(tb testing.TB, s Store, tenantID int64) []procedo.BlobInfo {
	tb.Helper()
	var got []procedo.BlobInfo
	err := s.List(context.Background(), tenantID, func(bi procedo.BlobInfo) error {
		got = append(got, bi)
		return nil
	})
	if err != nil {
		tb.Fatalf("List(%d): %v", tenantID, err)
	}
	SortInfos(got)
	return got
}

// SortInfos sorts by hash, the order List results are compared in.
func SortInfos(infos []procedo.BlobInfo) {
	slices.SortFunc(infos, func(a, b procedo.BlobInfo) int { return strings.Compare(a.SHA256, b.SHA256) })
}

// Hash returns the hex SHA-256 of s.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// RandomBytes returns n reproducible pseudo-random bytes.
func RandomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b) // never fails
	return b
}

// errReader is the error of FailingReader.
var errReader = errors.New("connection reset by client")

// FailingReader returns a reader of n bytes that then fails with errReader, like
// an upload cut off midway.
func FailingReader(n int) io.Reader {
	return io.MultiReader(bytes.NewReader(RandomBytes(n, 2)), errorReader{})
}

type errorReader struct{}

func (errorReader) Read([]byte) (int, error) { return 0, errReader }
