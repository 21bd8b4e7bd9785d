//go:build unix

package fieldcrypt

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the rewritten key file the owner, group and mode of the
// one it replaces: "vigil keys add" is often run as root against a file the
// server reads as its own user, and a root-owned replacement would stop the
// server at its next start.
func keepOwner(tmp string, orig fs.FileInfo) error {
	if st, ok := orig.Sys().(*syscall.Stat_t); ok && (int(st.Uid) != os.Geteuid() || int(st.Gid) != os.Getegid()) {
		if err := os.Chown(tmp, int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
	}
	return os.Chmod(tmp, orig.Mode().Perm())
}
