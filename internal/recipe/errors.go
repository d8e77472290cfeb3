package recipe

import "errors"

var (
	// ErrInvalid is wrapped by every error that is the document's or the
	// caller's fault without being a problem inside the document: an owner
	// unknown to sfbridge, a workflow stored with another org or owner. The
	// CLI exits with code 2 on it; the API answers 422.
	ErrInvalid = errors.New("invalid workflow request")

	// ErrOwnerUnknown is returned (wrapping ErrInvalid) when the document's
	// owner is no sfbridge user.
	ErrOwnerUnknown = errors.New("the workflow's owner is not an sfbridge user")

	// ErrOrgOrOwnerChanged is returned (wrapping ErrInvalid) when a document
	// names a stored workflow but another org or owner: a workflow keeps
	// both for life.
	ErrOrgOrOwnerChanged = errors.New("a workflow keeps its org and owner")
)

// ErrNotBuildable is wrapped by the *NotBuildableError of DraftOf: the
// builder cannot show the document without losing part of it, so it is
// edited as YAML.
var ErrNotBuildable = errors.New("the builder cannot show this workflow whole")
