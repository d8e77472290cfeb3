package bulk_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
)

// FuzzIngest uploads arbitrary bytes to an insert job. Whatever the bytes,
// the job ends Failed with an errorMessage and nothing processed, or
// JobComplete with result files that are CSV and account for every record.
func FuzzIngest(f *testing.F) {
	for _, seed := range []string{
		"LastName,FirstName\nLovelace,Ada\n",
		"LastName,Birthdate,Account.Ext__c\n\"Tu\"\"ring\",1912-06-23,A-1\n,#N/A,\n",
		"LastName,Description\r\nX,\"a\r\nb\"\r\n",
		"LastName\n\"unterminated\n",
		"LastName,LastName\nA,B\n",
		"\xef\xbb\xbfLastName,HasOptedOutOfEmail\nA,maybe\n",
		"",
	} {
		f.Add(seed, false)
		f.Add(strings.ReplaceAll(seed, "\n", "\r\n"), true)
	}
	fx := setup(f, -1)
	fx.setLimit(bulk.AllocAPIRequests, math.MaxInt32)
	fx.setLimit(bulk.AllocBulkBatches, math.MaxInt32)
	fx.create("Account", map[string]any{"Name": "Acme", "Ext__c": "A-1"})
	f.Fuzz(func(t *testing.T, data string, crlf bool) {
		fx.t = t // the fixture reports to the running input (inputs run one at a time)
		spec := `{"object":"Contact","operation":"insert"}`
		if crlf {
			spec = `{"object":"Contact","operation":"insert","lineEnding":"CRLF"}`
		}
		id := jobID(t, fx.call(http.MethodPost, v60+"/ingest", spec))
		if data != "" {
			if r := fx.call(http.MethodPut, v60+"/ingest/"+id+"/batches", data); r.status != http.StatusCreated {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
		}
		fx.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
		var info struct {
			State                                       string
			ErrorMessage                                string
			NumberRecordsProcessed, NumberRecordsFailed int
		}
		r := fx.call(http.MethodGet, v60+"/ingest/"+id, "")
		if err := json.Unmarshal([]byte(r.body), &info); err != nil {
			t.Fatalf("job info %q: %v", r.body, err)
		}
		switch info.State {
		case "Failed":
			if info.ErrorMessage == "" || info.NumberRecordsProcessed != 0 {
				t.Fatalf("failed job without a message, or with records processed: %+v", info)
			}
			return
		case "JobComplete":
		default:
			t.Fatalf("state %s", info.State)
		}
		rows := func(sub string) int {
			body := fx.call(http.MethodGet, v60+"/ingest/"+id+"/"+sub, "").body
			rd := csv.NewReader(strings.NewReader(body))
			all, err := rd.ReadAll()
			if err != nil {
				t.Fatalf("%s is not CSV: %v\n%q", sub, err, body)
			}
			return len(all) - 1
		}
		ok, failed := rows("successfulResults"), rows("failedResults")
		if ok+failed != info.NumberRecordsProcessed || failed != info.NumberRecordsFailed {
			t.Fatalf("%d successful and %d failed rows for %+v", ok, failed, info)
		}
	})
}
