package sfemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// sObject Collections limits.
const (
	maxCollectionRecords  = 200
	maxCollectionRetrieve = 2000
)

// collectionError is one error of a collection result: note statusCode,
// not errorCode.
type collectionError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

// collectionResult is one record's outcome, in input order.
type collectionResult struct {
	ID      *string           `json:"id,omitempty"`
	Success bool              `json:"success"`
	Errors  []collectionError `json:"errors"`
	Created *bool             `json:"created,omitempty"`
}

var (
	rolledBack = collectionError{StatusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK", Fields: []string{},
		Message: "Record rolled back because not all records were valid and the request was using AllOrNone header"}
	lockedRow = collectionError{StatusCode: "UNABLE_TO_LOCK_ROW", Fields: []string{},
		Message: "unable to obtain exclusive access to this record or 1 records"}
)

// asCollectionError renders a DML error for a collection result.
func (e *Emulator) asCollectionError(err error) collectionError {
	ae := e.toAPIError(err)
	fields := ae.Fields
	if fields == nil {
		fields = []string{}
	}
	return collectionError{StatusCode: ae.Code, Message: ae.Message, Fields: fields}
}

// collectionRequest is the body of create, update and upsert.
type collectionRequest struct {
	AllOrNone bool              `json:"allOrNone"`
	Records   []json.RawMessage `json:"records"`
}

func tooManyRecords(n, most int) *apiError {
	return newAPIError(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
		fmt.Sprintf("record limit reached. cannot submit more than %d records into this call (this one has %d)", most, n))
}

// recordHead is what a collection needs of a record before decoding it.
type recordHead struct {
	Attributes struct {
		Type string `json:"type"`
	} `json:"attributes"`
	ID string `json:"Id"`
}

// op is one record's DML in a collection.
type op func(ctx context.Context, as *org.Principal) (id string, created *bool, err error)

// runCollection runs the ops in order and renders the results. Every
// record is tried; with allOrNone, a failure anywhere undoes the successes,
// which then report ALL_OR_NONE_OPERATION_ROLLED_BACK. prepErrs are
// records that failed before their DML (decoding); ids are the IDs known up
// front (update, delete), reported even on failure.
func (e *Emulator) runCollection(c *call, allOrNone bool, ops []op, prepErrs []error, ids []string) error {
	as, err := c.as()
	if err != nil {
		return err
	}
	results := make([]collectionResult, len(ops))
	known := func(i int) *string {
		if ids[i] == "" {
			return nil
		}
		return &ids[i]
	}
	run := func(ctx context.Context) (allOK bool) {
		allOK = true
		for i, o := range ops {
			res := collectionResult{ID: known(i), Errors: []collectionError{}}
			switch {
			case prepErrs[i] != nil:
				res.Errors = append(res.Errors, e.asCollectionError(prepErrs[i]))
			case e.lockFault(c.r):
				res.Errors = append(res.Errors, lockedRow)
			default:
				id, created, err := o(ctx, as)
				if err != nil {
					res.Errors = append(res.Errors, e.asCollectionError(err))
					break
				}
				res.ID, res.Success, res.Created = &id, true, created
			}
			results[i] = res
			allOK = allOK && res.Success
		}
		return allOK
	}
	if !allOrNone {
		run(c.r.Context())
		return c.json(http.StatusOK, results)
	}
	committed := false
	c.org.Atomically(c.r.Context(), func(ctx context.Context) bool { committed = run(ctx); return committed })
	if !committed {
		for i := range results {
			if results[i].Success {
				results[i] = collectionResult{ID: known(i), Errors: []collectionError{rolledBack}}
			}
		}
	}
	return c.json(http.StatusOK, results)
}

// decodeCollection reads a create/update/upsert body: each record's object
// from attributes.type (or fixed, for upsert) and its values.
func (c *call) decodeCollection(fixed *schema.Object) (req collectionRequest, objs []*schema.Object, ins []*schema.Input, heads []recordHead, errs []error, err error) {
	if err = decodeJSON(c.r, &req); err != nil {
		return
	}
	if len(req.Records) > maxCollectionRecords {
		err = tooManyRecords(len(req.Records), maxCollectionRecords)
		return
	}
	reg := c.org.Registry()
	n := len(req.Records)
	objs, ins, heads, errs = make([]*schema.Object, n), make([]*schema.Input, n), make([]recordHead, n), make([]error, n)
	for i, raw := range req.Records {
		if err := parseJSON(raw, &heads[i]); err != nil {
			errs[i] = err
			continue
		}
		o := fixed
		if t := heads[i].Attributes.Type; t != "" {
			if o = reg.Object(t); o == nil || (fixed != nil && o != fixed) {
				errs[i] = newAPIError(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", t))
				continue
			}
		}
		if o == nil {
			errs[i] = newAPIError(http.StatusBadRequest, "INVALID_TYPE",
				"When the sObject type is not specified in the attributes of a record, the record cannot be saved. Add attributes.type.")
			continue
		}
		objs[i] = o
		if ins[i], errs[i] = o.DecodeJSON(raw); errs[i] != nil {
			ins[i] = nil
		}
	}
	return
}

// collectionCreate serves POST /composite/sobjects.
func (e *Emulator) collectionCreate(c *call) error {
	req, objs, ins, heads, errs, err := c.decodeCollection(nil)
	if err != nil {
		return err
	}
	ops := make([]op, len(objs))
	for i := range objs {
		if errs[i] == nil && heads[i].ID != "" {
			errs[i] = newAPIError(http.StatusBadRequest, "INVALID_FIELD", "cannot specify Id in an insert call")
		}
		o, in := objs[i], ins[i]
		ops[i] = func(ctx context.Context, as *org.Principal) (string, *bool, error) {
			id, err := c.org.Create(ctx, as, o.Name, in)
			return id, nil, err
		}
	}
	return e.runCollection(c, req.AllOrNone, ops, errs, make([]string, len(ops)))
}

// collectionUpdate serves PATCH /composite/sobjects.
func (e *Emulator) collectionUpdate(c *call) error {
	req, objs, ins, heads, errs, err := c.decodeCollection(nil)
	if err != nil {
		return err
	}
	ops := make([]op, len(objs))
	ids := make([]string, len(objs))
	for i := range objs {
		ids[i] = heads[i].ID
		if errs[i] == nil && heads[i].ID == "" {
			errs[i] = newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT", "Id not specified in an update call")
		}
		o, in, id := objs[i], ins[i], heads[i].ID
		ops[i] = func(ctx context.Context, as *org.Principal) (string, *bool, error) {
			return id, nil, c.org.Update(ctx, as, o.Name, id, in)
		}
	}
	return e.runCollection(c, req.AllOrNone, ops, errs, ids)
}

// collectionUpsert serves PATCH /composite/sobjects/{object}/{field}.
func (e *Emulator) collectionUpsert(c *call) error {
	o, err := c.object()
	if err != nil {
		return err
	}
	field := c.param("field")
	req, objs, ins, _, errs, err := c.decodeCollection(o)
	if err != nil {
		return err
	}
	ops := make([]op, len(objs))
	for i := range objs {
		in := ins[i]
		var key string
		if errs[i] == nil {
			if key, errs[i] = externalKey(o, field, in); errs[i] != nil {
				ins[i] = nil
			}
		}
		ops[i] = func(ctx context.Context, as *org.Principal) (string, *bool, error) {
			id, created, err := c.org.Upsert(ctx, as, o.Name, field, key, in)
			var mm *org.MultipleMatchesError
			if errors.As(err, &mm) {
				err = schema.NewError("DUPLICATE_EXTERNAL_ID",
					fmt.Sprintf("%s: more than one record found for external id field: %v", field, mm.IDs), field)
			}
			return id, &created, err
		}
	}
	return e.runCollection(c, req.AllOrNone, ops, errs, make([]string, len(ops)))
}

// externalKey is the text of the external ID value a record carries.
func externalKey(o *schema.Object, field string, in *schema.Input) (string, error) {
	f := o.Field(field)
	if f == nil {
		return "", schema.NewError("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+field)
	}
	for _, v := range in.Values {
		if v.Field == f && v.Value != nil {
			return schema.FormatValue(f.Type, v.Value), nil
		}
	}
	return "", schema.NewError("MISSING_ARGUMENT", fmt.Sprintf("%s not specified", f.Name), f.Name)
}

// collectionDelete serves DELETE /composite/sobjects?ids=...&allOrNone=.
func (e *Emulator) collectionDelete(c *call) error {
	q := c.r.URL.Query()
	ids := splitList(q.Get("ids"))
	switch {
	case len(ids) == 0:
		return newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT", "Missing required parameter: ids")
	case len(ids) > maxCollectionRecords:
		return tooManyRecords(len(ids), maxCollectionRecords)
	}
	allOrNone, _ := strconv.ParseBool(q.Get("allOrNone"))
	ops := make([]op, len(ids))
	for i, id := range ids {
		ops[i] = func(ctx context.Context, as *org.Principal) (string, *bool, error) {
			return id, nil, c.org.Delete(ctx, as, id)
		}
	}
	return e.runCollection(c, allOrNone, ops, make([]error, len(ids)), ids)
}

// collectionRetrieve serves GET /composite/sobjects/{object}?ids=&fields=
// and POST with {"ids":[...],"fields":[...]}: the records in the order of
// the IDs, null for those missing or not visible.
func (e *Emulator) collectionRetrieve(c *call) error {
	o, err := c.object()
	if err != nil {
		return err
	}
	var in struct {
		IDs    []string `json:"ids"`
		Fields []string `json:"fields"`
	}
	if c.r.Method == http.MethodPost {
		if err := decodeJSON(c.r, &in); err != nil {
			return err
		}
	} else {
		q := c.r.URL.Query()
		in.IDs, in.Fields = splitList(q.Get("ids")), splitList(q.Get("fields"))
	}
	switch {
	case len(in.IDs) == 0:
		return newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT", "Missing required parameter: ids")
	case len(in.Fields) == 0:
		return newAPIError(http.StatusBadRequest, "MISSING_ARGUMENT", "Missing required parameter: fields")
	case len(in.IDs) > maxCollectionRetrieve:
		return tooManyRecords(len(in.IDs), maxCollectionRetrieve)
	}
	as, err := c.as()
	if err != nil {
		return err
	}
	var fields []*schema.Field
	hasID := false
	for _, name := range in.Fields {
		f := o.Field(name)
		if f == nil || !as.FieldAccess(f).Read {
			return newAPIError(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", name, o.Name))
		}
		hasID = hasID || f.Name == "Id"
		fields = append(fields, f)
	}
	if !hasID {
		fields = append(fields, o.Field("Id"))
	}
	body := []byte{'['}
	for i, id := range in.IDs {
		if i > 0 {
			body = append(body, ',')
		}
		rec, err := c.org.Get(as, id)
		if err != nil || rec.Object() != o.Name {
			body = append(body, "null"...)
			continue
		}
		body = appendRecord(body, c.v, o, rec, fields)
	}
	body = append(body, ']')
	return c.rawJSON(http.StatusOK, body, nil)
}
