package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// The sealing contexts of the columns that hold secrets: "table.column".
const (
	sealOrgClientSecret  = "orgs.client_secret"
	sealConnAccessToken  = "connections.access_token"
	sealConnRefreshToken = "connections.refresh_token"
	sealConnGrantSecret  = "connections.grant_secret"
	sealBudgetWebhook    = "org_budgets.webhook_url"
)

// sealedColumns lists every column that holds a sealed secret.
var sealedColumns = []string{sealOrgClientSecret, sealConnAccessToken, sealConnRefreshToken, sealConnGrantSecret, sealBudgetWebhook}

// seal seals v for the column named by context; the empty secret is stored
// as NULL.
func (tx *Tx) seal(v secret.Value, context string) ([]byte, error) {
	if v.IsZero() {
		return nil, nil
	}
	b, err := tx.keys.Seal(v, context)
	if err != nil {
		return nil, fmt.Errorf("sealing %s: %w", context, err)
	}
	return b, nil
}

// open opens what seal stored; NULL is the empty secret.
func (tx *Tx) open(b []byte, context string) (secret.Value, error) {
	if b == nil {
		return secret.Value{}, nil
	}
	return tx.keys.Open(b, context)
}

// RotateSecrets re-seals, under the keyring's primary key, every stored
// secret sealed with another key, in one transaction, and returns how many it
// re-sealed. Once it returns, older keys can leave the keyring.
func (s *Store) RotateSecrets(ctx context.Context) (int, error) {
	n := 0
	err := s.Write(ctx, func(tx *Tx) error {
		for _, c := range sealedColumns {
			k, err := tx.resealColumn(ctx, c)
			if err != nil {
				return fmt.Errorf("re-sealing %s: %w", c, err)
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rotating secrets: %w", err)
	}
	return n, nil
}

// resealColumn re-seals the column named by its sealing context.
func (tx *Tx) resealColumn(ctx context.Context, context string) (int, error) {
	table, column, _ := strings.Cut(context, ".")
	type item struct {
		id     int64
		sealed []byte
	}
	var items []item
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id, %s FROM %s WHERE %[1]s IS NOT NULL`, QuoteIdent(column), QuoteIdent(table)))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.id, &it.sealed); err != nil {
			return 0, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		out, changed, err := tx.keys.Reseal(it.sealed, context)
		if err != nil {
			return n, fmt.Errorf("row %d: %w", it.id, err)
		}
		if !changed {
			continue
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE id = $2`, QuoteIdent(table), QuoteIdent(column)), out, it.id); err != nil {
			return n, fmt.Errorf("row %d: %w", it.id, err)
		}
		n++
	}
	return n, nil
}
