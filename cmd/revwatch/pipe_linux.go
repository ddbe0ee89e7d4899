package main

import (
	"io"
	"os"
	"syscall"
)

// growPipe asks for a 1 MB pipe buffer when w is a pipe (the usual
// `revwatch reviews --format json | jq ...`): with the default 64 KB the
// writer sleeps and wakes the reader every 64 KB, 13,000 times for a
// million-review export (BENCHMARKS.md). Best effort: the kernel may cap
// it (/proc/sys/fs/pipe-max-size, the user's pipe quota), and a refusal
// changes nothing but speed.
func growPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	const fSetPipeSize = 0x407 // F_SETPIPE_SZ, not in package syscall
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSize, 1<<20)
}
