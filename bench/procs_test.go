package bench

import "runtime"

// setProcs sets GOMAXPROCS to n and returns a func that restores it.
func setProcs(n int) func() {
	old := runtime.GOMAXPROCS(n)
	return func() { runtime.GOMAXPROCS(old) }
}
