//go:build !unix

package bench

import "time"

// cpuTime returns 0 where the process CPU time is not read.
func cpuTime() time.Duration { return 0 }
