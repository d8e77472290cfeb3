package sfemu

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/sfbridge/sfbridge/internal/soql"
)

func TestParameterizedSearchToSOSL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string // GET form
		body  string // POST form, when query is empty
		want  string
		code  string
	}{
		{name: "term only", query: "q=Acme", want: "FIND {Acme}"},
		{name: "escaped term", query: "q=" + url.QueryEscape(`O'Neil & Sons (UK) - "x"`),
			want: `FIND {O\'Neil \& Sons \(UK\) \- \"x\"}`},
		{name: "wildcards stay", query: "q=Acm*", want: "FIND {Acm*}"},
		{name: "objects and fields", query: "q=Acme&sobject=Account&Account.fields=Id,Name&Account.limit=10&sobject=Contact&in=NAME&overallLimit=50",
			want: "FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name LIMIT 10), Contact LIMIT 50"},
		{name: "shared fields and default limit", query: "q=Acme&sobject=Account&sobject=Lead&fields=Id,Name&defaultLimit=5",
			want: "FIND {Acme} RETURNING Account(Id, Name LIMIT 5), Lead(Id, Name LIMIT 5)"},
		{name: "where", query: "q=Acme&sobject=Account&Account.where=" + url.QueryEscape("Industry = 'Energy'"),
			want: "FIND {Acme} RETURNING Account(Id WHERE Industry = 'Energy')"},
		{name: "POST body", body: `{"q":"Acme","in":"ALL","fields":["Id"],"sobjects":[{"name":"Account","fields":["Name"],"limit":3},{"name":"Contact"}],"overallLimit":20}`,
			want: "FIND {Acme} IN ALL FIELDS RETURNING Account(Name LIMIT 3), Contact(Id) LIMIT 20"},
		{name: "no q", query: "sobject=Account", code: "MISSING_ARGUMENT"},
		{name: "bad in", query: "q=a&in=EVERYWHERE", code: "INVALID_SEARCH"},
		{name: "bad limit", query: "q=a&sobject=Account&Account.limit=ten", code: "INVALID_SEARCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps *paramSearch
			var err error
			if tt.query != "" {
				q, perr := url.ParseQuery(tt.query)
				if perr != nil {
					t.Fatal(perr)
				}
				ps, err = paramSearchFromQuery(q)
			} else {
				ps = &paramSearch{}
				err = json.Unmarshal([]byte(tt.body), ps)
			}
			var got string
			if err == nil {
				got, err = ps.sosl()
			}
			if tt.code != "" {
				if ae, ok := err.(*apiError); !ok || ae.Code != tt.code {
					t.Errorf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if _, err := soql.ParseSearch(got); err != nil {
				t.Errorf("the SOSL does not parse: %v", err)
			}
		})
	}
}
