//go:build !unix

package benchkit

import "time"

const supported = false

func processCPU() time.Duration { return 0 }
