// Package sqlfs embeds the project's SQL models (one model per file, schema/name.sql)
// and data tests (tests/*.sql). The folder is named sql; the package is not, so it
// does not shadow database/sql.
package sqlfs

import (
	"embed"
	"io/fs"
)

//go:embed ref core marts tests
var files embed.FS

// FS returns the embedded models.
func FS() fs.FS { return files }
