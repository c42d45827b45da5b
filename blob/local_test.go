// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

// MustOpenLocal returns a local store in a fresh temp folder.
func MustOpenLocal(tb testing.TB) *localStore {
	tb.Helper()
	s, err := openLocal(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestLocal_Put(t *testing.T) {
	t.Parallel()
	t.Run("Layout", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		info := MustPut(t, s, 7, "content")
		fi, err := os.Stat(filepath.Join(s.root, "tenant", "7", info.SHA256))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != localFileMode {
			t.Errorf("file mode = %v, want %v", fi.Mode().Perm(), os.FileMode(localFileMode))
		}
		if fi.Size() != info.Size {
			t.Errorf("file size = %d, want %d", fi.Size(), info.Size)
		}
		MustBeEmptyDir(t, s.tmp)
	})

	t.Run("ErrReaderLeavesNothing", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		MustPut(t, s, 1, "already there") // the tenant folder exists
		for _, n := range []int{0, 10, 3 << 20} {
			_, err := s.Put(context.Background(), 1, FailingReader(n))
			if !errors.Is(err, errReader) {
				t.Fatalf("Put after %d bytes: err = %v, want the reader's error", n, err)
			}
			if code := procedo.ErrorCode(err); code != procedo.EINTERNAL {
				t.Errorf("Put after %d bytes: code %q, want EINTERNAL", n, code)
			}
		}
		MustBeEmptyDir(t, s.tmp)
		entries, err := os.ReadDir(filepath.Join(s.root, "tenant", "1"))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Fatalf("tenant folder holds %d files, want only the earlier blob", len(entries))
		}
	})

	t.Run("ErrReaderNewTenant", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		if _, err := s.Put(context.Background(), 5, FailingReader(100)); !errors.Is(err, errReader) {
			t.Fatalf("Put: err = %v, want the reader's error", err)
		}
		MustBeEmptyDir(t, s.tmp)
		MustBeEmptyDir(t, filepath.Join(s.root, "tenant"))
	})

	t.Run("RepairsDamagedFile", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		info := MustPut(t, s, 1, "the whole content")
		path := s.path(1, info.SHA256)
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("the wh"), 0o640); err != nil {
			t.Fatal(err)
		}
		MustPut(t, s, 1, "the whole content")
		if got := MustRead(t, s, 1, info.SHA256); got != "the whole content" {
			t.Fatalf("content after Put over a truncated file = %q", got)
		}
		MustBeEmptyDir(t, s.tmp)
	})
}

func TestLocal_List(t *testing.T) {
	t.Parallel()
	t.Run("SkipsForeignFiles", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		info := MustPut(t, s, 1, "real")
		dir := filepath.Join(s.root, "tenant", "1")
		if err := os.WriteFile(filepath.Join(dir, "README"), nil, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, strings.ToUpper(Hash("x"))), nil, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, Hash("a folder")), 0o750); err != nil {
			t.Fatal(err)
		}
		if got := MustList(t, s, 1); len(got) != 1 || got[0] != info {
			t.Fatalf("List = %v, want only %v", got, info)
		}
	})

	t.Run("ManyFiles", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		MustPut(t, s, 1, "make the tenant folder")
		// More than one ReadDir batch; written directly, as 300 synced Puts
		// would only slow the test down.
		for i := range 299 {
			if err := os.WriteFile(s.path(1, Hash(strconv.Itoa(i))), nil, localFileMode); err != nil {
				t.Fatal(err)
			}
		}
		if got := MustList(t, s, 1); len(got) != 300 {
			t.Fatalf("List returned %d blobs, want 300", len(got))
		}
	})
}

func TestLocal_Stat(t *testing.T) {
	t.Parallel()
	t.Run("ErrNotRegular", func(t *testing.T) {
		t.Parallel()
		s := MustOpenLocal(t)
		MustPut(t, s, 1, "make the tenant folder")
		sha := Hash("a folder")
		if err := os.Mkdir(s.path(1, sha), 0o750); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(context.Background(), 1, sha); procedo.ErrorCode(err) != procedo.EINTERNAL {
			t.Fatalf("Stat of a folder: err = %v, want EINTERNAL", err)
		}
	})
}

func TestOpen_File(t *testing.T) {
	t.Run("Relative", func(t *testing.T) {
		t.Chdir(t.TempDir())
		s, err := Open(context.Background(), "file:./data/blobs")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		info := MustPut(t, s, 1, "relative")
		if _, err := os.Stat(filepath.Join("data", "blobs", "tenant", "1", info.SHA256)); err != nil {
			t.Fatalf("blob not under ./data/blobs: %v", err)
		}
		// The root was made absolute: changing folder does not move the store.
		t.Chdir(t.TempDir())
		if got := MustRead(t, s, 1, info.SHA256); got != "relative" {
			t.Fatalf("Open read %q", got)
		}
	})

	t.Run("Absolute", func(t *testing.T) {
		t.Parallel()
		root := filepath.Join(t.TempDir(), "a", "b")
		s, err := Open(context.Background(), "file://"+filepath.ToSlash(root))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		info := MustPut(t, s, 3, "absolute")
		if _, err := os.Stat(filepath.Join(root, "tenant", "3", info.SHA256)); err != nil {
			t.Fatalf("blob not under %s: %v", root, err)
		}
	})

	t.Run("ErrNotFolder", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(context.Background(), "file://"+filepath.ToSlash(file)); err == nil {
			t.Fatal("Open of a regular file as root succeeded")
		}
	})
}

// MustBeEmptyDir fails if dir holds anything; a missing dir is empty.
func MustBeEmptyDir(tb testing.TB, dir string) {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		tb.Fatal(err)
	}
	if len(entries) > 0 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		tb.Fatalf("%s holds %v, want nothing", dir, names)
	}
}
