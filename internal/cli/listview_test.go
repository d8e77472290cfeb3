package cli_test

import (
	"regexp"
	"strings"
	"testing"
)

func TestListViews(t *testing.T) {
	_, url, dir, data := connected(t)
	account := seedRecord(t, url, emulatorLogin(t, url), "Account", map[string]any{"Name": "Listview Test Co"})

	r := sfbridge(t, dir, nil, append([]string{"listview", "list", "Account"}, data...)...)
	ids := regexp.MustCompile(`(?m)^(\*?)\s+(00B\w{15})\s`).FindAllStringSubmatch(r.stdout, -1)
	if r.code != 0 || len(ids) < 2 || ids[0][1] != "*" {
		t.Fatalf("listview list Account: exit %d, stdout %q; want at least two views, the first enabled", r.code, r.stdout)
	}
	second := ids[1][2]

	if r := sfbridge(t, dir, nil, append([]string{"listview", "choose", "Account", second}, data...)...); r.code != 0 {
		t.Fatalf("listview choose: exit %d, stderr %q", r.code, r.stderr)
	}
	r = sfbridge(t, dir, nil, append([]string{"listview", "list", "Account"}, data...)...)
	if !regexp.MustCompile(`(?m)^\*\s+` + second + `\s`).MatchString(r.stdout) {
		t.Errorf("after choosing %s, listview list does not mark it:\n%s", second, r.stdout)
	}

	r = sfbridge(t, dir, nil, append([]string{"listview", "show", "Account", "--limit", "2000"}, data...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "("+second+")") || !strings.Contains(r.stdout, "/lightning/r/Account/"+account+"/view") {
		t.Errorf("listview show: exit %d, stdout %q; want the chosen view %s with the new account %s", r.code, r.stdout, second, account)
	}

	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"three views", []string{"choose", "Account", "00B000000000001AAA", "00B000000000002AAA", "00B000000000003AAA"}, "enable at most 2"},
		{"a view of no object", []string{"choose", "Account", "00B000000000001AAA"}, "is not one of the"},
		{"bad object name", []string{"list", "Not-An-Object"}, "is not an object API name"},
		{"unknown object", []string{"list", "Nope__c"}, "check the object's API name"},
		{"bad limit", []string{"show", "Account", "--limit", "0"}, "--limit 0 is not between 1 and 2000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := sfbridge(t, dir, nil, append(append([]string{"listview"}, tt.args...), data...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.stderr)
			}
		})
	}
}
