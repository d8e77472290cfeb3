package store

import "errors"

// Sentinels every driver maps its native errors onto. Test with errors.Is;
// the native error stays in the chain for its details.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")

	// ErrConflict means a write collided with existing data: a unique key
	// already taken, or an optimistic version check that lost.
	ErrConflict = errors.New("store: conflict")

	// ErrConstraint means a write broke a rule of the schema: NOT NULL,
	// CHECK, a column type, or a foreign key.
	ErrConstraint = errors.New("store: constraint violated")

	// ErrBusy means the database is locked by another process or
	// transaction for longer than the driver waits; retry later.
	ErrBusy = errors.New("store: database busy")

	// ErrReadOnly means a write was attempted in a read transaction.
	ErrReadOnly = errors.New("store: write in a read-only transaction")

	// ErrInvalid means a repository was given a value it cannot store; the
	// message says which and why.
	ErrInvalid = errors.New("store: invalid value")

	// ErrSchemaTooNew means the database was migrated by a newer sfbridge
	// than this one.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this sfbridge")

	// ErrMigrationChanged means a migration already applied to the database
	// differs from the one this sfbridge ships.
	ErrMigrationChanged = errors.New("store: applied migration differs from the shipped one")
)
