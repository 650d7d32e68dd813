package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// PublishOptions tune publishing.
type PublishOptions struct {
	// StorageVersion is the DuckDB storage format of the published file (e.g.
	// "v1.0.0"), so that readers on older DuckDB versions can open it. Empty
	// means the library's default.
	StorageVersion string
	// Schemas limits what is published; nil publishes every schema.
	Schemas []string
}

// Publish copies the work database into a new file beside dest and renames it
// over dest in one step. A reader holding dest open keeps its snapshot (the old
// inode); new readers see the new build; nobody ever sees a half-built file.
//
// When the whole work database is published and it is stored in the wanted
// format (OpenWork with WorkOptions.StorageVersion), the copy is the file
// itself, checkpointed: bytes, not rows, so publishing costs a file copy.
// Otherwise (a work database in another format, or Schemas set) the rows
// are copied into a new file of that format.
func Publish(ctx context.Context, w *Work, dest string, opt PublishOptions) (err error) {
	tmp, err := tempBeside(dest)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
		}
	}()
	if len(opt.Schemas) == 0 && w.storedAs(ctx, opt.StorageVersion) {
		err = copyWorkFile(ctx, w, tmp)
	} else {
		err = copyWorkRows(ctx, w, tmp, opt)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("%w: %w", ErrPublish, err)
	}
	os.Remove(dest + ".wal") // a stale WAL of an older file must not be replayed onto the new one
	return syncFile(filepath.Dir(dest))
}

// storedAs reports whether the work database is in storage format version.
func (w *Work) storedAs(ctx context.Context, version string) bool {
	if version == "" {
		return false
	}
	var tags string
	err := w.DB.QueryRowContext(ctx, `SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = ?`, w.Name).Scan(&tags)
	return err == nil && strings.TrimSuffix(tags, "+") == version
}

// tempBeside returns the temporary file a publish of dest writes, after
// removing those of killed publishes (Publish runs under the state lock, so
// no other publish can own one).
func tempBeside(dest string) (string, error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %w", ErrPublish, err)
	}
	if entries, err := os.ReadDir(dir); err == nil {
		prefix := "." + filepath.Base(dest) + ".publish-"
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	return filepath.Join(dir, fmt.Sprintf(".%s.publish-%d", filepath.Base(dest), os.Getpid())), nil
}

// copyWorkFile checkpoints the work database (everything in its file, the
// WAL empty) and copies the file to tmp. Nothing writes to the work database
// meanwhile: the pipeline publishes last, under the state lock.
func copyWorkFile(ctx context.Context, w *Work, tmp string) error {
	if _, err := w.DB.ExecContext(ctx, "FORCE CHECKPOINT"); err != nil {
		return fmt.Errorf("%w: checkpoint: %w", ErrPublish, err)
	}
	if err := copyFile(w.Path, tmp); err != nil {
		return fmt.Errorf("%w: %w", ErrPublish, err)
	}
	return nil
}

// copyFile copies src to a new file dst and syncs it (copy_file_range on Linux).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyWorkRows copies the rows of the work database into tmp, a new file of
// the wanted storage format.
func copyWorkRows(ctx context.Context, w *Work, tmp string, opt PublishOptions) (err error) {
	attach := fmt.Sprintf("ATTACH %s AS cchc_publish", QuoteLiteral(tmp))
	if opt.StorageVersion != "" {
		attach = fmt.Sprintf("ATTACH %s AS cchc_publish (STORAGE_VERSION %s)", QuoteLiteral(tmp), QuoteLiteral(opt.StorageVersion))
	}
	if _, err := w.DB.ExecContext(ctx, attach); err != nil {
		return fmt.Errorf("%w: %w", ErrPublish, err)
	}
	attached := true
	defer func() {
		if attached {
			w.DB.ExecContext(context.WithoutCancel(ctx), "DETACH cchc_publish")
		}
	}()
	if _, err := w.DB.ExecContext(ctx, fmt.Sprintf("COPY FROM DATABASE %s TO cchc_publish", QuoteIdent(w.Name))); err != nil {
		return fmt.Errorf("%w: copy: %w", ErrPublish, err)
	}
	if len(opt.Schemas) > 0 {
		keep := map[string]bool{}
		for _, s := range opt.Schemas {
			keep[s] = true
		}
		rows, err := w.DB.QueryContext(ctx, `SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'cchc_publish' AND NOT internal`)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrPublish, err)
		}
		var drop []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			if !keep[s] && s != "main" {
				drop = append(drop, s)
			}
		}
		rows.Close()
		for _, s := range drop {
			if _, err := w.DB.ExecContext(ctx, "DROP SCHEMA cchc_publish."+QuoteIdent(s)+" CASCADE"); err != nil {
				return fmt.Errorf("%w: %w", ErrPublish, err)
			}
		}
	}
	if _, err := w.DB.ExecContext(ctx, "CHECKPOINT cchc_publish"); err != nil {
		return fmt.Errorf("%w: checkpoint: %w", ErrPublish, err)
	}
	if _, err := w.DB.ExecContext(ctx, "DETACH cchc_publish"); err != nil {
		return fmt.Errorf("%w: detach: %w", ErrPublish, err)
	}
	attached = false
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("%w: %w", ErrPublish, err)
	}
	return nil
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return err
	}
	return nil
}

// Lock is an exclusive lock on a state directory: one run at a time per
// warehouse. It is an flock, so the kernel releases it when the process dies:
// a crashed run never leaves a stale lock behind.
type Lock struct{ f *os.File }

// TryLock takes the lock of dir without waiting; ErrLocked when another process
// holds it.
func TryLock(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, dir)
		}
		return nil, err
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &Lock{f: f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}
