package access

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownRole means a role name is not one of [AllRoles].
	ErrUnknownRole = errors.New("access: unknown role")

	// ErrBadPasswordHash means a stored password hash is not an argon2id PHC
	// string this version reads.
	ErrBadPasswordHash = errors.New("access: malformed password hash")

	// ErrRefused is matched by every [*RefusedError]: errors.Is(err,
	// access.ErrRefused) tells a refusal from other failures.
	ErrRefused = errors.New("access: refused")
)

// RefusedError is a refused [Decision] as an error, for callers outside the
// HTTP API that return errors rather than decisions.
type RefusedError struct {
	Action  Action
	Reason  Reason
	Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("access: %s refused (%s): %s", e.Action, e.Reason, e.Message)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }
