package sheet

import (
	"context"

	"github.com/sfbridge/sfbridge/internal/store"
)

// DropCapture removes the sheet's change-capture triggers, for benchmarks
// that measure what they cost.
func DropCapture(ctx context.Context, sc store.Scope, sh *Sheet) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		for _, t := range sh.captureTriggers(tx.Dialect()) {
			for _, s := range tx.Dialect().DropTrigger(t.Name, t.Table) {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
