package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  string
		wantHelp bool
		wantList []string
	}{
		{name: "ok", args: []string{"--out", "x", "--blob", "a", "-blob=b"}, wantList: []string{"a", "b"}},
		{name: "missing", args: []string{"--blob", "a"}, wantErr: "missing required flag --out"},
		{name: "unknown flag", args: []string{"--out", "x", "--nope"}, wantErr: "flag provided but not defined: -nope"},
		{name: "positional", args: []string{"--out", "x", "extra"}, wantErr: `unexpected argument "extra"`},
		{name: "help", args: []string{"-h"}, wantHelp: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := NewFlagSet("test")
			fs.String("out", "", "where to write")
			var blobs Strings
			fs.Var(&blobs, "blob", "a blob, repeatable")
			err := Parse(fs, tc.args, "out")
			if tc.wantErr == "" && !tc.wantHelp {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.wantList, []string(blobs)); diff != "" {
					t.Errorf("--blob (-want +got):\n%s", diff)
				}
				return
			}
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse error = %v, want a *UsageError", err)
			}
			if Help(err) != tc.wantHelp {
				t.Errorf("Help(%v) = %t, want %t", err, Help(err), tc.wantHelp)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse error = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(ue.Flags, "where to write") {
				t.Errorf("usage lacks the flag docs: %q", ue.Flags)
			}
		})
	}
}
