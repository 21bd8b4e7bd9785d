//go:build !unix

package fieldcrypt

import "io/fs"

func ownerOf(fs.FileInfo) (uid, gid int) { return -1, -1 }
