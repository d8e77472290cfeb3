package syncer

import (
	"context"
	"iter"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// Read is one read of records: a SOQL query, run as queryAll when All is
// set (deleted records included).
type Read struct {
	SOQL string
	All  bool
}

// Batch is a run of records from a Reader, in the query's order. Total is
// the number of records the whole read returns, as the source announced it
// (Salesforce's totalSize); it is the same in every batch.
type Batch struct {
	Total   int
	Records []*salesforce.Record
}

// Reader yields the records of a read in batches, fetching the next batch
// only when the current one is consumed, so that memory stays flat whatever
// the size of the result. An error is yielded once, last.
//
// It is the seam between the sync engine and the Salesforce API it reads
// with: the REST query API today (RESTReader); a Bulk API 2.0 reader can
// take over above a size threshold without the engine changing, since both
// run the same SOQL and yield records in its ORDER BY.
type Reader interface {
	Read(ctx context.Context, r Read) iter.Seq2[Batch, error]
}

// RESTReader reads with the REST query and queryAll resources, one batch
// per page (up to 2,000 records, one API call each).
type RESTReader struct {
	Client *salesforce.Client
	// BatchSize asks Salesforce for pages of this many records (200 to
	// 2,000); 0 leaves Salesforce's default, 2,000.
	BatchSize int
}

var _ Reader = RESTReader{}

// Read implements Reader.
func (r RESTReader) Read(ctx context.Context, rd Read) iter.Seq2[Batch, error] {
	var opts []salesforce.QueryOption
	if r.BatchSize != 0 {
		opts = append(opts, salesforce.BatchSize(r.BatchSize))
	}
	if rd.All {
		opts = append(opts, salesforce.IncludeDeleted())
	}
	return func(yield func(Batch, error) bool) {
		for page, err := range r.Client.QueryPages(ctx, rd.SOQL, opts...) {
			if err != nil {
				yield(Batch{}, err)
				return
			}
			if !yield(Batch{Total: page.TotalSize, Records: page.Records}, nil) {
				return
			}
		}
	}
}
