package apt

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolveMirrors(t *testing.T) {
	apt := Mirrors{
		"debian":          {"http://mirror.test/debian", "http://mirror2.test/debian", "http://mirror3.test/debian"},
		"debian-security": {"http://security.mirror.test/debian-security", "http://archive.mirror.test/debian-security"},
	}
	tests := []struct {
		name    string
		flags   []string
		env     string
		aptDir  string
		want    Mirrors
		wantErr string
	}{
		{name: "nothing", want: Mirrors{}},
		{name: "apt only", aptDir: "testdata/apt", want: apt},
		{
			name:   "flags replace apt for their names only",
			flags:  []string{"debian=http://flag.test/debian/", "debian=https://flag2.test/debian"},
			aptDir: "testdata/apt",
			want: Mirrors{
				"debian":          {"http://flag.test/debian", "https://flag2.test/debian"},
				"debian-security": apt["debian-security"],
			},
		},
		{
			name:   "env replaces apt",
			env:    "  debian-security=http://env.test/debian-security,http://env2.test/debian-security\n",
			aptDir: "testdata/apt",
			want: Mirrors{
				"debian":          apt["debian"],
				"debian-security": {"http://env.test/debian-security", "http://env2.test/debian-security"},
			},
		},
		{
			name:   "flags before env before apt",
			flags:  []string{"debian=http://flag.test/debian,http://flag.test/debian"},
			env:    "debian=http://env.test/debian snapshot=http://env.test/archive/debian/20250510T000000Z",
			aptDir: "testdata/apt",
			want: Mirrors{
				"debian":          {"http://flag.test/debian"},
				"debian-security": apt["debian-security"],
				"snapshot":        {"http://env.test/archive/debian/20250510T000000Z"},
			},
		},
		{name: "flag without URL", flags: []string{"debian"}, wantErr: `--mirror "debian": want NAME=URL[,URL...]`},
		{name: "flag without name", flags: []string{"=http://mirror.test/debian"}, wantErr: `--mirror "=http://mirror.test/debian": want NAME=URL[,URL...]`},
		{name: "bad name", flags: []string{"Debian=http://mirror.test/debian"}, wantErr: `--mirror "Debian=http://mirror.test/debian": archive name "Debian": want lower-case letters, digits and . _ + -`},
		{name: "ftp", flags: []string{"debian=ftp://mirror.test/debian"}, wantErr: `--mirror "debian=ftp://mirror.test/debian": mirror URL "ftp://mirror.test/debian": want http://HOST/PATH or https://HOST/PATH`},
		{name: "empty URL", flags: []string{"debian=http://mirror.test/debian,"}, wantErr: `--mirror "debian=http://mirror.test/debian,": mirror URL "": want http://HOST/PATH or https://HOST/PATH`},
		{name: "query", flags: []string{"debian=http://mirror.test/debian?x=1"}, wantErr: `--mirror "debian=http://mirror.test/debian?x=1": mirror URL "http://mirror.test/debian?x=1": want no user, query or fragment`},
		{name: "bad env", env: "debian=http://mirror.test/debian debian-security", wantErr: `DISTILL_DEBIAN_MIRRORS: "debian-security": want NAME=URL[,URL...]`},
		{name: "bad apt", aptDir: "testdata/apt/sources.list", wantErr: "reading apt sources: open testdata/apt/sources.list/sources.list.d: not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveMirrors(tc.flags, tc.env, tc.aptDir)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ResolveMirrors error:\n got %v\nwant %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ResolveMirrors (-want +got):\n%s", diff)
			}
		})
	}
}
