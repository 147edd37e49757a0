package epoch

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: time.Unix(0, 0)},
		{in: "0", want: time.Unix(0, 0)},
		{in: "1700000000", want: time.Unix(1700000000, 0)},
		{in: "0001", want: time.Unix(1, 0)},
		{in: "253402300799", want: time.Unix(Max, 0)},
		{in: "253402300800", wantErr: true},
		{in: "99999999999999999999999", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "+1", wantErr: true},
		{in: " 1", wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "1e9", wantErr: true},
		{in: "0x10", wantErr: true},
		{in: "١٢", wantErr: true}, // non-ASCII digits
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) = %v, want error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("Parse(%q) = %v, want %v in UTC", tc.in, got, tc.want.UTC())
			}
		})
	}
}

func TestParseErrorNamesValue(t *testing.T) {
	_, err := Parse("soon")
	if err == nil || err.Error() != `SOURCE_DATE_EPOCH="soon": want decimal digits only (seconds since 1970-01-01T00:00:00Z)` {
		t.Errorf("Parse(\"soon\") error = %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(Env, "86400")
	got, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if want := "1970-01-02T00:00:00Z"; got.Format(time.RFC3339) != want {
		t.Errorf("FromEnv() = %s, want %s", got.Format(time.RFC3339), want)
	}
}
