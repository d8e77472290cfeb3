package salesforce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDecodeFixturesGolden decodes recorded Salesforce responses (see
// testdata/fixtures/*.source.txt) and renders them field by field, in order.
func TestDecodeFixturesGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"query-contact-with-child-subquery", "query-event-typeof-who-what"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw := readFile(t, "fixtures/"+name+".json")
			page, err := decodePage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "totalSize=%d done=%t next=%q records=%d\n", page.TotalSize, page.Done, page.NextRecordsURL, len(page.Records))
			for _, r := range page.Records {
				dumpRecord(&b, r, "")
			}
			golden(t, "records/"+name+".golden", b.String())
			assertRoundTrip(t, raw, page.Records)
		})
	}
	t.Run("organization-record", func(t *testing.T) {
		t.Parallel()
		raw := readFile(t, "fixtures/organization-record.json")
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		dumpRecord(&b, &r, "")
		golden(t, "records/organization-record.golden", b.String())
		if sandbox, ok := r.Bool("IsSandbox"); !sandbox || !ok {
			t.Errorf("Bool(IsSandbox) = %t, %t", sandbox, ok)
		}
		if _, ok := r.Bool("Name"); ok {
			t.Error("Bool of a text field reported ok")
		}
		if city, ok := r.Record("Address"); !ok || city.Type != "" || !city.IsNull("city") {
			t.Errorf("compound Address = %+v", city)
		}
	})
}

// assertRoundTrip checks that re-encoding the records gives back the same
// JSON values, in the same order.
func assertRoundTrip(t *testing.T, raw []byte, recs []*Record) {
	t.Helper()
	var wire struct{ Records []json.RawMessage }
	if err := json.Unmarshal(raw, &wire); err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, wire.Records[i]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("record %d re-encodes as\n%s\nwant\n%s", i, got, want.Bytes())
		}
	}
}

func TestRecordAccessors(t *testing.T) {
	t.Parallel()
	raw := readFile(t, "fixtures/query-event-typeof-who-what.json")
	page, err := decodePage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ev := page.Records[1]
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"ID", ev.ID(), "00U9H000000RzvSUAS"},
		{"Type", ev.Type, "Event"},
		{"String", first(ev.String("Subject")), "Test Event 1"},
		{"case-insensitive", first(ev.String("subject")), "Test Event 1"},
		{"path", first(ev.String("What.Name")), "Tom Cruise"},
		{"path case-insensitive", first(ev.String("what.accountnumber")), "123"},
		{"Int64", first(ev.Int64("DurationInMinutes")), int64(60)},
		{"Float64", first(ev.Float64("DurationInMinutes")), 60.0},
		{"Time", first(ev.Time("ActivityDateTime")), time.Date(2024, 11, 7, 7, 0, 0, 0, time.UTC)},
		{"null field", ev.IsNull("Who.Email"), true},
		{"null is no string", second(ev.String("Who.Email")), false},
		{"missing", second(ev.Get("Nope")), false},
		{"through non-record", second(ev.Get("Subject.X")), false},
		{"through null parent", second(page.Records[0].Get("What.Name")), false},
		{"parent type", must(ev.Record("What")).Type, "Account"},
		{"wrong type", second(ev.Int64("Subject")), false},
		{"names", strings.Join(ev.Names(), ","), "Id,Who,What,Subject,DurationInMinutes,ActivityDateTime"},
		{"len", ev.Len(), 6},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	contacts, err := decodePage(bytes.NewReader(readFile(t, "fixtures/query-contact-with-child-subquery.json")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := contacts.Records[0].Children("Opportunities"); ok {
		t.Error("null subquery reported as children")
	}
	ch, ok := contacts.Records[12].Children("Opportunities")
	if !ok || ch.TotalSize != 1 || !ch.Done || len(ch.Records) != 1 {
		t.Fatalf("Children = %+v, %t", ch, ok)
	}
	if name, _ := ch.Records[0].String("Name"); name != "Illusional Opportunity" {
		t.Errorf("child name = %q", name)
	}
	if id := ch.Records[0].ID(); id != "0067e00000K8i71AAB" {
		t.Errorf("child ID from url = %q", id)
	}
}

func first[T any](v T, _ bool) T      { return v }
func second[T any](_ T, ok bool) bool { return ok }
func must[T any](v T, ok bool) T {
	if !ok {
		panic("missing")
	}
	return v
}

func TestRecordBuildAndEncode(t *testing.T) {
	t.Parallel()
	r := NewRecord("Contact").Set("LastName", "Smith").Set("Email", nil).Set("lastname", "Jones").Set("Age__c", json.Number("42"))
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"attributes":{"type":"Contact"},"LastName":"Jones","Email":null,"Age__c":42}`
	if string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	body, err := json.Marshal(fieldsBody{r})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"LastName":"Jones","Email":null,"Age__c":42}`; string(body) != want {
		t.Errorf("fields body = %s, want %s", body, want)
	}
	if body, _ := json.Marshal(fieldsBody{}); string(body) != "{}" {
		t.Errorf("nil fields body = %s", body)
	}
	if _, err := json.Marshal(NewRecord("X").Set("Bad", func() {})); err == nil {
		t.Error("unencodable value accepted")
	}
}

func TestRecordUnmarshalErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `"x"`, `{"a":}`, `{"a":1`, `{"attributes":"x"}`} {
		var r Record
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("Unmarshal(%s) = nil error", in)
		}
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2011-07-07T00:37:00.000+0000", time.Date(2011, 7, 7, 0, 37, 0, 0, time.UTC)},
		{"2013-05-08T21:20:00.000-0700", time.Date(2013, 5, 9, 4, 20, 0, 0, time.UTC)},
		{"2024-11-07T07:00:00Z", time.Date(2024, 11, 7, 7, 0, 0, 0, time.UTC)},
		{"2024-11-07T07:00:00.123+02:00", time.Date(2024, 11, 7, 5, 0, 0, 123e6, time.UTC)},
		{"2010-01-01", time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"13:45:00.000Z", time.Date(0, 1, 1, 13, 45, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2010-13-01", "07/11/2024"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
	if got := FormatTime(time.Date(2024, 11, 7, 9, 0, 0, 0, time.FixedZone("CET", 3600))); got != "2024-11-07T08:00:00.000+0000" {
		t.Errorf("FormatTime = %s", got)
	}
}

// FuzzRecordJSON checks that any object the decoder accepts re-encodes to
// JSON that decodes to the same record.
func FuzzRecordJSON(f *testing.F) {
	f.Add([]byte(`{"attributes":{"type":"Account","url":"/x"},"Name":"A","N":1.50,"B":true,"Z":null}`))
	f.Add([]byte(`{"Opps":{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Opportunity"},"Name":"x"}]}}`))
	f.Add([]byte(`{"Address":{"city":null,"country":"US"},"L":[1,"a",{"b":2}]}`))
	f.Add([]byte(`{"totalSize":1,"done":true,"records":[]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Record
		if err := json.Unmarshal(in, &r); err != nil {
			return
		}
		out, err := json.Marshal(&r)
		if err != nil {
			t.Fatalf("re-encoding %s: %v", in, err)
		}
		var again Record
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("decoding re-encoded %s: %v", out, err)
		}
		var a, b strings.Builder
		dumpRecord(&a, &r, "")
		dumpRecord(&b, &again, "")
		if a.String() != b.String() {
			t.Fatalf("round trip changed the record:\n%s\nvs\n%s", a.String(), b.String())
		}
	})
}
