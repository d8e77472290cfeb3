package sfemu

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReferences(t *testing.T) {
	t.Parallel()
	var refs references = map[string]any{}
	for id, body := range map[string]string{
		"refAccount": `{"id":"001000000000001AAA","success":true,"errors":[]}`,
		"q1":         `{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003000000000001AAA","Amount":12.5},{"Id":"003000000000002AAA"}]}`,
	} {
		var v any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		refs[id] = v
	}
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"/services/data/v60.0/sobjects/Account/@{refAccount.id}", "/services/data/v60.0/sobjects/Account/001000000000001AAA", ""},
		{"@{q1.records[1].Id}", "003000000000002AAA", ""},
		{"@{q1.records[0].id}", "003000000000001AAA", ""}, // field names are case-insensitive
		{"SELECT Id FROM Contact WHERE AccountId = '@{refAccount.id}' AND Id != '@{q1.records[0].Id}'",
			"SELECT Id FROM Contact WHERE AccountId = '001000000000001AAA' AND Id != '003000000000001AAA'", ""},
		{"@{q1.totalSize} records", "2 records", ""},
		{"@{q1.done}", "true", ""},
		{"no reference", "no reference", ""},
		{"@{nope.id}", "", "No value for nope.id found in nope"},
		{"@{q1.records[5].Id}", "", "No value for q1.records[5].Id found in q1"},
		{"@{refAccount.id.more}", "", "No value for refAccount.id.more"},
		{"@{refAccount[0]}", "", "No value for refAccount[0]"},
	}
	for _, tt := range tests {
		got, err := refs.expandString(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("expandString(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expandString(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}

	body := map[string]any{"LastName": "Smith", "AccountId": "@{refAccount.id}", "Amount": "@{q1.records[0].Amount}",
		"Tags": []any{"x @{q1.totalSize}"}}
	got, err := refs.expandValue(body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"LastName": "Smith", "AccountId": "001000000000001AAA", "Amount": json.Number("12.5"),
		"Tags": []any{"x 2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expandValue (-want +got):\n%s", diff)
	}
}
