package epoch

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Env is the name of the environment variable that fixes every timestamp.
const Env = "SOURCE_DATE_EPOCH"

// Max is the largest accepted value: 9999-12-31T23:59:59Z.
const Max = 253402300799

// Parse returns the UTC time of s, a count of seconds since the Unix epoch.
// s must be decimal digits only and at most Max; the empty string means 0.
func Parse(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("%s=%q: want decimal digits only (seconds since 1970-01-01T00:00:00Z)", Env, s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > Max {
		return time.Time{}, fmt.Errorf("%s=%q: out of range 0..%d", Env, s, int64(Max))
	}
	return time.Unix(n, 0).UTC(), nil
}

// FromEnv parses SOURCE_DATE_EPOCH from the environment; unset or empty means 0.
func FromEnv() (time.Time, error) {
	return Parse(os.Getenv(Env))
}
