package sfemu

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

func TestComposite(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := `{"allOrNone":false,"compositeRequest":[
	 {"method":"GET","url":"/services/data/v60.0/sobjects/Account","referenceId":"info"},
	 {"method":"GET","url":"/services/data/v60.0/sobjects/@{info.objectDescribe.name}/describe","referenceId":"desc"},
	 {"method":"GET","url":"/services/data/v60.0/sobjects/Nope","referenceId":"missing"},
	 {"method":"GET","url":"/services/data/v60.0/sobjects/@{missing.objectDescribe.name}","referenceId":"dependsOnFailure"}
	]}`
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite", body)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var out struct {
		CompositeResponse []struct {
			Body           any               `json:"body"`
			HTTPHeaders    map[string]string `json:"httpHeaders"`
			HTTPStatusCode int               `json:"httpStatusCode"`
			ReferenceID    string            `json:"referenceId"`
		} `json:"compositeResponse"`
	}
	r.decode(t, &out)
	var got []string
	for _, s := range out.CompositeResponse {
		got = append(got, fmt.Sprintf("%s:%d", s.ReferenceID, s.HTTPStatusCode))
	}
	if want := "info:200 desc:200 missing:404 dependsOnFailure:400"; strings.Join(got, " ") != want {
		t.Errorf("results = %v, want %s", got, want)
	}
	if d, ok := out.CompositeResponse[1].Body.(map[string]any); !ok || d["name"] != "Account" {
		t.Errorf("the reference was not resolved: %v", out.CompositeResponse[1].Body)
	}
	if used, _ := f.e.APIUsage(); used != 1 {
		t.Errorf("composite must count as one API request: used %d", used)
	}

	t.Run("allOrNone halts", func(t *testing.T) {
		r := f.do(t, http.MethodPost, "/services/data/v60.0/composite", strings.Replace(body, `"allOrNone":false`, `"allOrNone":true`, 1))
		r.decode(t, &out)
		got = got[:0]
		for _, s := range out.CompositeResponse {
			got = append(got, fmt.Sprintf("%s:%d", s.ReferenceID, s.HTTPStatusCode))
		}
		if want := "info:400 desc:400 missing:404 dependsOnFailure:400"; strings.Join(got, " ") != want {
			t.Errorf("results = %v, want %s", got, want)
		}
		golden.Check(t, "testdata/golden/composite-halted.json", mustJSON(t, out.CompositeResponse[0].Body))
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestCompositeValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	sub := `{"method":"GET","url":"/services/data/v60.0/limits","referenceId":"r%d"}`
	many := make([]string, 26)
	for i := range many {
		many[i] = fmt.Sprintf(sub, i)
	}
	queries := make([]string, 6)
	for i := range queries {
		queries[i] = fmt.Sprintf(`{"method":"GET","url":"/services/data/v60.0/query?q=x","referenceId":"q%d"}`, i)
	}
	tests := []struct {
		name, body, code string
	}{
		{"empty", `{"compositeRequest":[]}`, "INVALID_INPUT"},
		{"too many", `{"compositeRequest":[` + strings.Join(many, ",") + `]}`, "LIMIT_EXCEEDED"},
		{"too many queries", `{"compositeRequest":[` + strings.Join(queries, ",") + `]}`, "LIMIT_EXCEEDED"},
		{"duplicate reference", `{"compositeRequest":[` + fmt.Sprintf(sub, 1) + "," + fmt.Sprintf(sub, 1) + `]}`, "INVALID_INPUT"},
		{"bad reference id", `{"compositeRequest":[{"method":"GET","url":"/services/data/v60.0/limits","referenceId":"a-b"}]}`, "INVALID_INPUT"},
		{"missing url", `{"compositeRequest":[{"method":"GET","referenceId":"a"}]}`, "INVALID_INPUT"},
		{"nested composite", `{"compositeRequest":[{"method":"POST","url":"/services/data/v60.0/composite","referenceId":"a"}]}`, "INVALID_INPUT"},
		{"not JSON", `{"compositeRequest":`, "JSON_PARSER_ERROR"},
	}
	for _, tt := range tests {
		r := f.do(t, http.MethodPost, "/services/data/v60.0/composite", tt.body)
		var errs []restError
		r.decode(t, &errs)
		if r.status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != tt.code {
			t.Errorf("%s: %d %s, want 400 %s", tt.name, r.status, r.body, tt.code)
		}
	}
	if r := f.do(t, http.MethodPost, "/services/data/v33.0/composite", `{}`); r.status != http.StatusNotFound {
		t.Errorf("composite in v33.0: %d", r.status)
	}
}

func TestCompositeBatch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := `{"haltOnError":%v,"batchRequests":[
	 {"method":"GET","url":"v60.0/sobjects/Account"},
	 {"method":"GET","url":"v60.0/sobjects/Nope"},
	 {"method":"GET","url":"v60.0/limits"}]}`
	var out struct {
		HasErrors bool `json:"hasErrors"`
		Results   []struct {
			StatusCode int `json:"statusCode"`
			Result     any `json:"result"`
		} `json:"results"`
	}
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite/batch", fmt.Sprintf(body, false))
	r.decode(t, &out)
	if !out.HasErrors || len(out.Results) != 3 || out.Results[0].StatusCode != 200 || out.Results[1].StatusCode != 404 || out.Results[2].StatusCode != 200 {
		t.Errorf("batch: %s", r.body)
	}
	if used, _ := f.e.APIUsage(); used != 3 {
		t.Errorf("a batch counts one request per subrequest: used %d, want 3", used)
	}
	r = f.do(t, http.MethodPost, "/services/data/v60.0/composite/batch", fmt.Sprintf(body, true))
	r.decode(t, &out)
	if out.Results[2].StatusCode != http.StatusPreconditionFailed {
		t.Errorf("haltOnError: %s", r.body)
	}
	golden.Check(t, "testdata/golden/composite-batch-halted.json", mustJSON(t, out.Results[2].Result))
}

func TestGzipRequest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte(`{"compositeRequest":[{"method":"GET","url":"/services/data/v60.0/limits","referenceId":"l"}]}`))
	_ = zw.Close()
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite", buf.Bytes(), "Content-Encoding", "gzip")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"referenceId":"l"`) {
		t.Errorf("%d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodPost, "/services/data/v60.0/composite", "not gzip", "Content-Encoding", "gzip")
	if r.status != http.StatusBadRequest {
		t.Errorf("bad gzip: %d %s", r.status, r.body)
	}
}

func TestCompositeDML(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := `{"allOrNone":%v,"compositeRequest":[
	 {"method":"POST","url":"/services/data/v60.0/sobjects/Account","referenceId":"refAccount","body":{"Name":"Acme"}},
	 {"method":"POST","url":"/services/data/v60.0/sobjects/Contact","referenceId":"refContact","body":{"LastName":"Smith","AccountId":"@{refAccount.id}"}},
	 {"method":"GET","url":"/services/data/v60.0/sobjects/Contact/@{refContact.id}?fields=AccountId","referenceId":"check"},
	 {"method":"POST","url":"/services/data/v60.0/sobjects/Contact","referenceId":"bad","body":{"FirstName":"No last name"}}
	]}`
	type result struct {
		Body           json.RawMessage   `json:"body"`
		HTTPHeaders    map[string]string `json:"httpHeaders"`
		HTTPStatusCode int               `json:"httpStatusCode"`
		ReferenceID    string            `json:"referenceId"`
	}
	var out struct {
		CompositeResponse []result `json:"compositeResponse"`
	}
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite", fmt.Sprintf(body, false))
	r.decode(t, &out)
	codes := []int{}
	for _, s := range out.CompositeResponse {
		codes = append(codes, s.HTTPStatusCode)
	}
	if fmt.Sprint(codes) != "[201 201 200 400]" {
		t.Fatalf("codes %v: %s", codes, r.body)
	}
	var acct struct{ ID string }
	var contact struct{ AccountID string }
	_ = json.Unmarshal(out.CompositeResponse[0].Body, &acct)
	_ = json.Unmarshal(out.CompositeResponse[2].Body, &contact)
	if contact.AccountID != acct.ID || !strings.HasPrefix(out.CompositeResponse[0].HTTPHeaders["Location"], "/services/data/v60.0/sobjects/Account/") {
		t.Errorf("reference not followed: %s", r.body)
	}

	before := f.e.world().org.RecordCounts()
	r = f.do(t, http.MethodPost, "/services/data/v60.0/composite", fmt.Sprintf(body, true))
	r.decode(t, &out)
	codes = codes[:0]
	for _, s := range out.CompositeResponse {
		codes = append(codes, s.HTTPStatusCode)
	}
	if fmt.Sprint(codes) != "[400 400 400 400]" || !strings.Contains(string(out.CompositeResponse[3].Body), "REQUIRED_FIELD_MISSING") {
		t.Errorf("allOrNone: %v %s", codes, r.body)
	}
	after := f.e.world().org.RecordCounts()
	if before["Account"] != after["Account"] || before["Contact"] != after["Contact"] {
		t.Errorf("allOrNone kept changes: before %v after %v", before, after)
	}
	golden.Check(t, "testdata/golden/composite-all-or-none.json", append(redactIDs(r.body), '\n'))
}

func TestCompositeBatchNoNesting(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite/batch", `{"batchRequests":[
	 {"method":"POST","url":"v60.0/composite/batch","richInput":{"batchRequests":[]}},
	 {"method":"GET","url":"v60.0/limits"}]}`)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"statusCode":400`) || !strings.Contains(string(r.body), `"statusCode":200`) {
		t.Errorf("%d %s", r.status, r.body)
	}
}
