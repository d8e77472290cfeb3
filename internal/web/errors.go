package web

import "errors"

var (
	// ErrCatalogue means a message catalogue (i18n/<lang>.json) is
	// malformed or does not hold the same keys as the default language's.
	ErrCatalogue = errors.New("web: bad message catalogue")
	// ErrAPI means the in-process /api/v1 answered something the console
	// cannot read: a bug, never a user's mistake.
	ErrAPI = errors.New("web: unexpected API answer")
)
