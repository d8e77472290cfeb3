package salesforce

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SObjectDescribe is the body of GET /sobjects/{Object}/describe, as much of
// it as sfbridge reads. Unknown keys are ignored when decoding.
type SObjectDescribe struct {
	Name               string              `json:"name"`
	Label              string              `json:"label"`
	LabelPlural        string              `json:"labelPlural"`
	KeyPrefix          string              `json:"keyPrefix"`
	Custom             bool                `json:"custom"`
	Createable         bool                `json:"createable"`
	Updateable         bool                `json:"updateable"`
	Deletable          bool                `json:"deletable"`
	Queryable          bool                `json:"queryable"`
	Retrieveable       bool                `json:"retrieveable"`
	Replicateable      bool                `json:"replicateable"`
	Searchable         bool                `json:"searchable"`
	Undeletable        bool                `json:"undeletable"`
	Fields             []Field             `json:"fields"`
	ChildRelationships []ChildRelationship `json:"childRelationships"`
}

// Field is one entry of a describe's fields array.
type Field struct {
	Name                string          `json:"name"`
	Label               string          `json:"label"`
	Type                string          `json:"type"` // id, string, textarea, picklist, multipicklist, combobox, reference, boolean, int, long, double, currency, percent, date, datetime, time, email, phone, url, encryptedstring, base64, address, location, anyType
	SoapType            string          `json:"soapType"`
	Length              int             `json:"length"`
	Precision           int             `json:"precision"`
	Scale               int             `json:"scale"`
	Digits              int             `json:"digits"`
	Nillable            bool            `json:"nillable"`
	Createable          bool            `json:"createable"`
	Updateable          bool            `json:"updateable"`
	DefaultedOnCreate   bool            `json:"defaultedOnCreate"`
	Calculated          bool            `json:"calculated"`
	CalculatedFormula   *string         `json:"calculatedFormula"`
	AutoNumber          bool            `json:"autoNumber"`
	Custom              bool            `json:"custom"`
	ExternalID          bool            `json:"externalId"`
	IDLookup            bool            `json:"idLookup"`
	Unique              bool            `json:"unique"`
	NameField           bool            `json:"nameField"`
	Filterable          bool            `json:"filterable"`
	Sortable            bool            `json:"sortable"`
	Groupable           bool            `json:"groupable"`
	ReferenceTo         []string        `json:"referenceTo"`
	RelationshipName    *string         `json:"relationshipName"`
	PolymorphicForeign  bool            `json:"polymorphicForeignKey"`
	CompoundFieldName   *string         `json:"compoundFieldName"`
	PicklistValues      []PicklistValue `json:"picklistValues"`
	RestrictedPicklist  bool            `json:"restrictedPicklist"`
	DependentPicklist   bool            `json:"dependentPicklist"`
	DefaultValue        any             `json:"defaultValue"`
	DeprecatedAndHidden bool            `json:"deprecatedAndHidden"`
}

// Required reports whether Salesforce requires a value for the field on
// create: not nillable, createable, and not defaulted on create. The REST
// describe has no "required" key; this is how it is derived.
func (f *Field) Required() bool {
	return !f.Nillable && f.Createable && !f.DefaultedOnCreate
}

// PicklistValue is one entry of a picklist field's values.
type PicklistValue struct {
	Value        string  `json:"value"`
	Label        string  `json:"label"`
	Active       bool    `json:"active"`
	DefaultValue bool    `json:"defaultValue"`
	ValidFor     *string `json:"validFor"`
}

// ChildRelationship is one entry of a describe's childRelationships array.
type ChildRelationship struct {
	ChildSObject     string  `json:"childSObject"`
	Field            string  `json:"field"`
	RelationshipName *string `json:"relationshipName"`
	CascadeDelete    bool    `json:"cascadeDelete"`
}

// Field returns the named field (case-insensitively, as Salesforce matches
// field names) or nil.
func (d *SObjectDescribe) Field(name string) *Field {
	for i := range d.Fields {
		if strings.EqualFold(d.Fields[i].Name, name) {
			return &d.Fields[i]
		}
	}
	return nil
}

// GlobalDescribe is the body of GET /sobjects/ (describeGlobal).
type GlobalDescribe struct {
	Encoding     string           `json:"encoding"`
	MaxBatchSize int              `json:"maxBatchSize"`
	SObjects     []SObjectSummary `json:"sobjects"`
}

// SObjectSummary is one object of describeGlobal.
type SObjectSummary struct {
	Name                string `json:"name"`
	Label               string `json:"label"`
	LabelPlural         string `json:"labelPlural"`
	KeyPrefix           string `json:"keyPrefix"`
	Custom              bool   `json:"custom"`
	CustomSetting       bool   `json:"customSetting"`
	Createable          bool   `json:"createable"`
	Updateable          bool   `json:"updateable"`
	Deletable           bool   `json:"deletable"`
	Queryable           bool   `json:"queryable"`
	Retrieveable        bool   `json:"retrieveable"`
	Replicateable       bool   `json:"replicateable"`
	Searchable          bool   `json:"searchable"`
	Triggerable         bool   `json:"triggerable"`
	Undeletable         bool   `json:"undeletable"`
	Layoutable          bool   `json:"layoutable"`
	DeprecatedAndHidden bool   `json:"deprecatedAndHidden"`
}

// SObject returns the named object (case-insensitively) or nil.
func (g *GlobalDescribe) SObject(name string) *SObjectSummary {
	for i := range g.SObjects {
		if strings.EqualFold(g.SObjects[i].Name, name) {
			return &g.SObjects[i]
		}
	}
	return nil
}

// Describe returns object's describe, from the cache while fresh (see
// Config.DescribeTTL); a stale entry is revalidated with If-Modified-Since,
// and concurrent callers share one request. The result is shared: do not
// modify it.
func (c *Client) Describe(ctx context.Context, object string) (*SObjectDescribe, error) {
	if err := checkName("object", object); err != nil {
		return nil, fmt.Errorf("describing: %w", err)
	}
	d, err := c.describes.get(ctx, strings.ToLower(object), c.cfg.DescribeTTL, c.now,
		func(ctx context.Context, since string) (*SObjectDescribe, string, error) {
			return describeFetch[SObjectDescribe](ctx, c, c.dataPath("/sobjects/"+object+"/describe/"), since)
		})
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", object, err)
	}
	return d, nil
}

// DescribeGlobal lists the org's objects, cached like Describe.
func (c *Client) DescribeGlobal(ctx context.Context) (*GlobalDescribe, error) {
	g, err := c.globalDescribe.get(ctx, "", c.cfg.DescribeTTL, c.now,
		func(ctx context.Context, since string) (*GlobalDescribe, string, error) {
			return describeFetch[GlobalDescribe](ctx, c, c.dataPath("/sobjects/"), since)
		})
	if err != nil {
		return nil, fmt.Errorf("describing global: %w", err)
	}
	return g, nil
}

// describeFetch GETs a describe resource, conditionally when since is set.
// It returns nil for 304 Not Modified, and the validator to send next time:
// the response's Last-Modified, else its Date, else now.
func describeFetch[T any](ctx context.Context, c *Client, path, since string) (*T, string, error) {
	var (
		out       *T
		validator string
	)
	cl := call{method: http.MethodGet, path: path, idempotent: true}
	if since != "" {
		cl.header = http.Header{"If-Modified-Since": {since}}
	}
	err := c.do(ctx, cl, func(resp *http.Response) error {
		validator = cmp.Or(resp.Header.Get("Last-Modified"), resp.Header.Get("Date"), c.now().UTC().Format(http.TimeFormat))
		if resp.StatusCode == http.StatusNotModified {
			return nil
		}
		out = new(T)
		return json.NewDecoder(resp.Body).Decode(out)
	})
	return out, validator, err
}

// ttlCache caches values per key for a TTL, revalidating stale ones.
type ttlCache[T any] struct {
	mu      sync.Mutex
	entries map[string]cacheEntry[T]
	fetches flight[*T]
}

type cacheEntry[T any] struct {
	val       *T
	validator string // If-Modified-Since value for revalidation
	expires   time.Time
}

// get returns the fresh cached value or runs fetch. fetch receives the stale
// entry's validator ("" when there is none) and returns the new value — nil
// when not modified — and the next validator. ttl < 0 never caches.
func (tc *ttlCache[T]) get(ctx context.Context, key string, ttl time.Duration, now func() time.Time,
	fetch func(ctx context.Context, since string) (*T, string, error)) (*T, error) {
	lookup := func() (cacheEntry[T], bool, bool) {
		tc.mu.Lock()
		defer tc.mu.Unlock()
		e, cached := tc.entries[key]
		return e, cached, cached && now().Before(e.expires)
	}
	if e, _, fresh := lookup(); fresh {
		return e.val, nil
	}
	return tc.fetches.do(ctx, key, func(ctx context.Context) (*T, error) {
		// A flight that ended just before this one began may have refreshed it.
		e, cached, fresh := lookup()
		if fresh {
			return e.val, nil
		}
		val, validator, err := fetch(ctx, e.validator)
		if err != nil {
			return nil, err
		}
		if val == nil {
			if !cached {
				return nil, errors.New("salesforce answered 304 Not Modified to an unconditional request")
			}
			val = e.val // the cached value is still current
		}
		if ttl >= 0 {
			tc.mu.Lock()
			if tc.entries == nil {
				tc.entries = make(map[string]cacheEntry[T])
			}
			tc.entries[key] = cacheEntry[T]{val: val, validator: validator, expires: now().Add(ttl)}
			tc.mu.Unlock()
		}
		return val, nil
	})
}
