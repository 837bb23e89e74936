//go:build !unix

package bench

import "os"

// maxRSS returns 0 where the peak resident memory of a process is not read.
func maxRSS(*os.ProcessState) uint64 { return 0 }
