//go:build !unix

package extract

import "os"

// openNoFollow opens a file for reading (Walk has told links from files).
func openNoFollow(p string) (*os.File, error) { return os.Open(p) }
