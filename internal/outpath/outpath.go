// Package outpath checks, before a command reads anything, that it can write
// where it was told to: the folder of an output file exists and takes a new
// file, an output folder exists or can be made. Its errors name the path the
// user gave, never a temporary one.
package outpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotWritable reports an output path a command cannot write.
var ErrNotWritable = errors.New("cannot be written")

// File checks that a file can be written at path: its folder exists, is a
// folder and takes a new file, and path is not itself a folder. It leaves
// nothing behind.
func File(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s: %w: it is a folder", path, ErrNotWritable)
	}
	dir := filepath.Dir(path)
	if err := folder(dir); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Dir checks that the folder dir can be written into: it exists and takes a
// new file, or it does not exist and its nearest existing parent does (the
// command makes it).
func Dir(dir string) error {
	p := filepath.Clean(dir)
	for {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			return fmt.Errorf("%s: %w: %s is a file, not a folder", dir, ErrNotWritable, p)
		case err == nil:
			if err := folder(p); err != nil {
				return fmt.Errorf("%s: %w", dir, err)
			}
			return nil
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR): // a/x with a a file: go up to a
			return fmt.Errorf("%s: %w: %w", dir, ErrNotWritable, err)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fmt.Errorf("%s: %w: no part of it exists", dir, ErrNotWritable)
		}
		p = parent
	}
}

// folder checks that dir is an existing folder that takes a new file, by
// making and removing one: permissions, read-only mounts and ACLs all say
// their word.
func folder(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: the folder %s does not exist", ErrNotWritable, dir)
	case err != nil:
		return fmt.Errorf("%w: %w", ErrNotWritable, err)
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is not a folder", ErrNotWritable, dir)
	}
	f, err := os.CreateTemp(dir, ".cchc-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the temporary name means nothing to the user
		}
		return fmt.Errorf("%w: the folder %s: %w", ErrNotWritable, dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
