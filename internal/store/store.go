package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// Options configure a Store.
type Options struct {
	// Keyring seals the secrets the store holds (client secrets, tokens)
	// and opens them again. Required.
	Keyring *secret.Keyring

	// Now is the clock transactions read their timestamp from. Default
	// time.Now; tests set a fixed one.
	Now func() time.Time
}

// Store is sfbridge's database: a driver, its migrated schema, and the
// repositories over it. It is safe for concurrent use.
type Store struct {
	drv    Driver
	keys   *secret.Keyring
	now    func() time.Time
	outbox signal // fired after commits that appended to the outbox
}

// Open applies the driver's pending migrations and returns the store. The
// store owns the driver from then on: Close closes it, and so does a failed
// Open.
func Open(ctx context.Context, drv Driver, opts Options) (*Store, error) {
	if opts.Keyring == nil {
		_ = drv.Close()
		return nil, errors.New("store: opening: Options.Keyring is required to seal and open secrets")
	}
	s := &Store{drv: drv, keys: opts.Keyring, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := migrate(ctx, s); err != nil {
		_ = drv.Close()
		return nil, fmt.Errorf("store: opening %s: %w", drv.Name(), err)
	}
	return s, nil
}

// Close closes the driver.
func (s *Store) Close() error { return s.drv.Close() }

// Dialect returns the driver's dialect.
func (s *Store) Dialect() Dialect { return s.drv.Dialect() }

// Write runs fn in a new write transaction: committed when fn returns nil,
// rolled back when it returns an error or panics. On SQLite there is one
// writer at a time, so fn must not call Write on the Store itself (it would
// wait for its own transaction); use the Tx it is given.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := s.drv.BeginWrite(ctx)
	if err != nil {
		return fmt.Errorf("beginning a write transaction: %w", s.drv.MapError(err))
	}
	return s.run(&Tx{tx: sqlTx, drv: s.drv, keys: s.keys, writable: true, now: s.txTime()}, fn)
}

// Read runs fn in a new read-only transaction over one snapshot.
func (s *Store) Read(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := s.drv.BeginRead(ctx)
	if err != nil {
		return fmt.Errorf("beginning a read transaction: %w", s.drv.MapError(err))
	}
	return s.run(&Tx{tx: sqlTx, drv: s.drv, keys: s.keys, now: s.txTime()}, fn)
}

// txTime is a transaction's timestamp: UTC, in microseconds, the finest
// precision every engine keeps.
func (s *Store) txTime() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Store) run(tx *Tx, fn func(*Tx) error) (err error) {
	committed := false
	defer func() {
		if !committed {
			_ = tx.tx.Rollback() // the error that got us here matters more
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", s.drv.MapError(err))
	}
	committed = true
	if tx.outboxed {
		s.outbox.fire()
	}
	return nil
}
