//go:build !unix

package cli

func ignoreFileSizeLimit() {}
