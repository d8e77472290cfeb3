package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var apiNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// checkName rejects anything that is not a Salesforce API name (Account,
// Ext_Id__c, ns__Obj__c), so names never alter a request path.
func checkName(kind, name string) error {
	if !apiNameRE.MatchString(name) {
		return fmt.Errorf("%s name %q is not a Salesforce API name (letters, digits and _, starting with a letter)", kind, name)
	}
	return nil
}

// saveResult is Salesforce's answer to a create or upsert, single or in a
// collection.
type saveResult struct {
	ID      string        `json:"id"`
	Success bool          `json:"success"`
	Created *bool         `json:"created"`
	Errors  []ErrorDetail `json:"errors"`
}

// Create inserts one record of object and returns its ID. fields' Type and URL
// are ignored.
func (c *Client) Create(ctx context.Context, object string, fields *Record) (string, error) {
	if err := checkName("object", object); err != nil {
		return "", fmt.Errorf("creating record: %w", err)
	}
	var res saveResult
	if err := c.sendJSON(ctx, http.MethodPost, c.dataPath("/sobjects/"+object), fieldsBody{fields}, &res, false); err != nil {
		return "", fmt.Errorf("creating %s: %w", object, err)
	}
	return res.ID, nil
}

// Retrieve reads one record by ID; with no fields, every field the user can
// read. A missing or deleted record matches ErrNotFound.
func (c *Client) Retrieve(ctx context.Context, object, id string, fields ...string) (*Record, error) {
	if err := checkName("object", object); err != nil {
		return nil, fmt.Errorf("retrieving record: %w", err)
	}
	var q url.Values
	if len(fields) > 0 {
		q = url.Values{"fields": {strings.Join(fields, ",")}}
	}
	rec := new(Record)
	if err := c.getJSON(ctx, c.dataPath("/sobjects/"+object+"/"+url.PathEscape(id)), q, rec); err != nil {
		return nil, fmt.Errorf("retrieving %s %s: %w", object, id, err)
	}
	return rec, nil
}

// Update sets fields on one record.
func (c *Client) Update(ctx context.Context, object, id string, fields *Record) error {
	if err := checkName("object", object); err != nil {
		return fmt.Errorf("updating record: %w", err)
	}
	if err := c.sendJSON(ctx, http.MethodPatch, c.dataPath("/sobjects/"+object+"/"+url.PathEscape(id)), fieldsBody{fields}, nil, true); err != nil {
		return fmt.Errorf("updating %s %s: %w", object, id, err)
	}
	return nil
}

// Delete deletes one record (to the recycle bin).
func (c *Client) Delete(ctx context.Context, object, id string) error {
	if err := checkName("object", object); err != nil {
		return fmt.Errorf("deleting record: %w", err)
	}
	if err := c.do(ctx, call{method: http.MethodDelete, path: c.dataPath("/sobjects/" + object + "/" + url.PathEscape(id)), idempotent: true}, nil); err != nil {
		return fmt.Errorf("deleting %s %s: %w", object, id, err)
	}
	return nil
}

// UpsertResult says what an upsert did.
type UpsertResult struct {
	ID      string // "" only when an API version before 46.0 answered 204
	Created bool   // true: no record matched and one was created
}

// Upsert creates or updates the record of object whose externalIDField
// equals value. fields must hold neither Id nor externalIDField. A value that
// matches several records fails with *AmbiguousExternalIDError
// (ErrMultipleMatches).
func (c *Client) Upsert(ctx context.Context, object, externalIDField, value string, fields *Record) (UpsertResult, error) {
	for _, n := range [][2]string{{"object", object}, {"external ID field", externalIDField}} {
		if err := checkName(n[0], n[1]); err != nil {
			return UpsertResult{}, fmt.Errorf("upserting record: %w", err)
		}
	}
	var (
		res     UpsertResult
		matches []string
	)
	path := c.dataPath("/sobjects/" + object + "/" + externalIDField + "/" + url.PathEscape(value))
	err := c.do(ctx, call{method: http.MethodPatch, path: path, body: fieldsBody{fields}, idempotent: true},
		func(resp *http.Response) error {
			switch resp.StatusCode {
			case http.StatusNoContent:
				return nil
			case http.StatusMultipleChoices:
				return json.NewDecoder(resp.Body).Decode(&matches)
			}
			var sr saveResult
			if err := json.NewDecoder(resp.Body).Decode(&sr); err != nil {
				return err
			}
			res.ID = sr.ID
			// created is absent before v46.0: 201 then means created.
			res.Created = resp.StatusCode == http.StatusCreated
			if sr.Created != nil {
				res.Created = *sr.Created
			}
			return nil
		})
	if err != nil {
		return UpsertResult{}, fmt.Errorf("upserting %s by %s=%q: %w", object, externalIDField, value, err)
	}
	if matches != nil {
		return UpsertResult{}, &AmbiguousExternalIDError{Object: object, Field: externalIDField, Value: value, Matches: matches}
	}
	return res, nil
}

// UpdatedResult is the answer of getUpdated.
type UpdatedResult struct {
	IDs []string
	// LatestDateCovered is where the next window should start.
	LatestDateCovered time.Time
}

// DeletedRecord is one entry of getDeleted.
type DeletedRecord struct {
	ID          string
	DeletedDate time.Time
}

// DeletedResult is the answer of getDeleted.
type DeletedResult struct {
	Records []DeletedRecord
	// EarliestDateAvailable after the requested start means deletions were
	// purged from the window: resynchronise fully.
	EarliestDateAvailable time.Time
	LatestDateCovered     time.Time
}

// Updated lists the IDs of object's records changed between start and end
// (getUpdated: at most 30 days back, minute granularity).
func (c *Client) Updated(ctx context.Context, object string, start, end time.Time) (*UpdatedResult, error) {
	var wire struct {
		IDs               []string `json:"ids"`
		LatestDateCovered string   `json:"latestDateCovered"`
	}
	if err := c.replication(ctx, "updated", object, start, end, &wire); err != nil {
		return nil, err
	}
	res := &UpdatedResult{IDs: wire.IDs}
	var err error
	if res.LatestDateCovered, err = ParseTime(wire.LatestDateCovered); err != nil {
		return nil, fmt.Errorf("getting updated %s: latestDateCovered: %w", object, err)
	}
	return res, nil
}

// Deleted lists object's records deleted between start and end (getDeleted:
// at most 15 days back).
func (c *Client) Deleted(ctx context.Context, object string, start, end time.Time) (*DeletedResult, error) {
	var wire struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable string `json:"earliestDateAvailable"`
		LatestDateCovered     string `json:"latestDateCovered"`
	}
	if err := c.replication(ctx, "deleted", object, start, end, &wire); err != nil {
		return nil, err
	}
	res := &DeletedResult{Records: make([]DeletedRecord, len(wire.DeletedRecords))}
	for i, d := range wire.DeletedRecords {
		t, err := ParseTime(d.DeletedDate)
		if err != nil {
			return nil, fmt.Errorf("getting deleted %s: record %s deletedDate: %w", object, d.ID, err)
		}
		res.Records[i] = DeletedRecord{ID: d.ID, DeletedDate: t}
	}
	var err error
	if res.EarliestDateAvailable, err = ParseTime(wire.EarliestDateAvailable); err != nil {
		return nil, fmt.Errorf("getting deleted %s: earliestDateAvailable: %w", object, err)
	}
	if res.LatestDateCovered, err = ParseTime(wire.LatestDateCovered); err != nil {
		return nil, fmt.Errorf("getting deleted %s: latestDateCovered: %w", object, err)
	}
	return res, nil
}

func (c *Client) replication(ctx context.Context, kind, object string, start, end time.Time, out any) error {
	if err := checkName("object", object); err != nil {
		return fmt.Errorf("getting %s records: %w", kind, err)
	}
	if !end.After(start) {
		return fmt.Errorf("getting %s %s: end %s is not after start %s", kind, object, end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	q := url.Values{"start": {replicationTime(start)}, "end": {replicationTime(end)}}
	if err := c.getJSON(ctx, c.dataPath("/sobjects/"+object+"/"+kind+"/"), q, out); err != nil {
		return fmt.Errorf("getting %s %s: %w", kind, object, err)
	}
	return nil
}

// replicationTime formats getUpdated/getDeleted bounds (UTC, seconds).
func replicationTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// Limit is one entry of the limits resource.
type Limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// Limits reads the org's limits (DailyApiRequests, DailyBulkV2QueryJobs…).
// It needs the "View Setup and Configuration" permission.
func (c *Client) Limits(ctx context.Context) (map[string]Limit, error) {
	var out map[string]Limit
	if err := c.getJSON(ctx, c.dataPath("/limits/"), nil, &out); err != nil {
		return nil, fmt.Errorf("reading limits: %w", err)
	}
	return out, nil
}
