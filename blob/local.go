// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/procedo/procedo"
)

// localStore keeps each blob as the read-only file ROOT/tenant/<id>/<sha256>.
// Put writes into ROOT/tmp first, which must be on the same filesystem as
// ROOT/tenant so that the final rename is atomic: a blob file under its final
// name is always complete. Files left in ROOT/tmp by a crash are not in use and
// may be removed by hand.
type localStore struct {
	root string // absolute
	tmp  string // ROOT/tmp

	// synced holds the tenant IDs whose folder entry this process has made
	// durable, so that only the first Put of a tenant pays for the extra fsync.
	synced sync.Map // int64 → struct{}
}

// Local file and folder modes. Blobs are never rewritten in place, so nobody
// needs write permission on them; the group may read them for backups.
const (
	localFileMode = 0o440
	localDirMode  = 0o750
)

// openLocal creates root and its subfolders if needed.
func openLocal(root string) (*localStore, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	s := &localStore{root: abs, tmp: filepath.Join(abs, "tmp")}
	for _, dir := range []string{abs, filepath.Join(abs, "tenant"), s.tmp} {
		if err := os.MkdirAll(dir, localDirMode); err != nil {
			return nil, fmt.Errorf("local store: %w", err)
		}
	}
	// Make the tenant/ entry durable now, so Put only has to care about the
	// folders below it.
	if err := syncDir(abs); err != nil {
		return nil, fmt.Errorf("local store: %w", err)
	}
	return s, nil
}

// Put implements procedo.BlobStore. It returns once the file and its name are
// synced to disk. A read error from r or a cancelled ctx leaves nothing behind.
func (s *localStore) Put(ctx context.Context, tenantID int64, r io.Reader) (_ procedo.BlobInfo, err error) {
	defer procedo.Wrap(&err, "blob.Put(tenant=%d)", tenantID)
	if err := checkTenant(tenantID); err != nil {
		return procedo.BlobInfo{}, err
	}

	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	tmpName := f.Name()
	closed, renamed := false, false
	defer func() {
		if !closed {
			_ = f.Close() // the write already failed; that error is the one to report
		}
		if !renamed {
			if rmErr := os.Remove(tmpName); rmErr != nil && err == nil {
				err = rmErr
			}
		}
	}()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx: ctx, r: r})
	if err != nil {
		return procedo.BlobInfo{}, fmt.Errorf("copy content: %w", err)
	}
	if err := f.Chmod(localFileMode); err != nil {
		return procedo.BlobInfo{}, err
	}
	if err := f.Sync(); err != nil {
		return procedo.BlobInfo{}, err
	}
	closed = true
	if err := f.Close(); err != nil {
		return procedo.BlobInfo{}, err
	}
	info := procedo.BlobInfo{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}

	dir, err := s.tenantFolder(tenantID)
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	final := filepath.Join(dir, info.SHA256)
	// The same hash means the same content: keep the existing file unless it
	// has the wrong size, which only damage can cause; then ours replaces it.
	if fi, err := os.Lstat(final); err != nil || !fi.Mode().IsRegular() || fi.Size() != n {
		if err := os.Rename(tmpName, final); err != nil {
			return procedo.BlobInfo{}, err
		}
		renamed = true
	}
	// Sync even when the file already existed: a concurrent Put of the same
	// content may have renamed it and not yet synced the folder.
	if err := syncDir(dir); err != nil {
		return procedo.BlobInfo{}, err
	}
	return info, nil
}

// tenantFolder returns ROOT/tenant/<id>, created and durable.
func (s *localStore) tenantFolder(tenantID int64) (string, error) {
	dir := filepath.Join(s.root, filepath.FromSlash(tenantDir(tenantID)))
	if _, ok := s.synced.Load(tenantID); ok {
		return dir, nil
	}
	if err := os.Mkdir(dir, localDirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	// Sync the parent even if the folder existed: it may have just been
	// created by a concurrent Put, or by a process that crashed before syncing.
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return "", err
	}
	s.synced.Store(tenantID, struct{}{})
	return dir, nil
}

// Open implements procedo.BlobStore. The result is an *os.File.
func (s *localStore) Open(ctx context.Context, tenantID int64, sha string) (_ io.ReadCloser, err error) {
	defer procedo.Wrap(&err, "blob.Open(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(tenantID, sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotFound(sha)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat implements procedo.BlobStore.
func (s *localStore) Stat(ctx context.Context, tenantID int64, sha string) (_ procedo.BlobInfo, err error) {
	defer procedo.Wrap(&err, "blob.Stat(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return procedo.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return procedo.BlobInfo{}, err
	}
	fi, err := os.Stat(s.path(tenantID, sha))
	if errors.Is(err, fs.ErrNotExist) {
		return procedo.BlobInfo{}, errNotFound(sha)
	}
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	if !fi.Mode().IsRegular() {
		return procedo.BlobInfo{}, fmt.Errorf("blob %s is not a regular file", sha)
	}
	return procedo.BlobInfo{SHA256: sha, Size: fi.Size()}, nil
}

// Delete implements procedo.BlobStore. It does not sync the folder: a delete lost
// in a crash leaves an orphan, which the next orphan cleanup removes again.
func (s *localStore) Delete(ctx context.Context, tenantID int64, sha string) (err error) {
	defer procedo.Wrap(&err, "blob.Delete(tenant=%d)", tenantID)
	if err := checkKey(tenantID, sha); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(s.path(tenantID, sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List implements Store by reading the tenant folder in batches, so a large
// tenant does not load every name at once. Entries that are not regular files
// named by a hash are skipped.
func (s *localStore) List(ctx context.Context, tenantID int64, fn func(procedo.BlobInfo) error) (err error) {
	fromFn := false // errors of fn go back unchanged
	defer func() {
		if !fromFn {
			procedo.Wrap(&err, "blob.List(tenant=%d)", tenantID)
		}
	}()
	if err := checkTenant(tenantID); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Join(s.root, filepath.FromSlash(tenantDir(tenantID))))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = dir.Close() }() // opened read-only: closing cannot lose data
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries, readErr := dir.ReadDir(256)
		for _, e := range entries {
			if !validSHA256(e.Name()) || !e.Type().IsRegular() {
				continue
			}
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted since the folder was read
			}
			if err != nil {
				return err
			}
			if err := fn(procedo.BlobInfo{SHA256: e.Name(), Size: fi.Size()}); err != nil {
				fromFn = true
				return err
			}
		}
		if errors.Is(readErr, io.EOF) {
			return nil
		}
		if readErr != nil {
			return readErr
		}
	}
}

// Close implements Store; a local store holds nothing open.
func (s *localStore) Close() error { return nil }

// path is the file of a validated key.
func (s *localStore) path(tenantID int64, sha string) string {
	return filepath.Join(s.root, filepath.FromSlash(tenantDir(tenantID)), sha)
}

// syncDir fsyncs a folder, which makes the names created or renamed in it
// durable (a file's own fsync does not cover its directory entry).
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close() // the sync error is the one that matters
		return err
	}
	return d.Close()
}

// Path returns the file that holds a blob, for maintenance tools and tamper
// tests; it does not check that the file exists.
func (s *localStore) Path(tenantID int64, sha string) string { return s.path(tenantID, sha) }
