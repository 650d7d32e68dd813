package transform

import (
	"github.com/thanhxuan/cchc/seeds"
)

// Indicators matches unit report lines to the indicator catalogue.
type Indicators struct {
	cat *seeds.Catalog
}

// NewIndicators builds the matcher from the seed catalogue.
func NewIndicators(c *seeds.Catalog) *Indicators { return &Indicators{cat: c} }
