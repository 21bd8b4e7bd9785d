//go:build !unix

package fieldcrypt

import "io/fs"

// keepOwner has nothing to keep where files carry no Unix owner and mode.
func keepOwner(string, fs.FileInfo) error { return nil }
