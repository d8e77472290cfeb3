package access

import (
	"fmt"
	"slices"
)

// Actor is the signed-in person asking to act, with everything a decision
// needs. Build it fresh for every request: roles and list membership change.
type Actor struct {
	ID    int64 // the user's id
	Roles Roles
	// ListOn is the server-wide setting: the restricted-access list is on.
	// It is the same for every actor.
	ListOn bool
	// OnList is whether this person is on the restricted-access list. It
	// matters only when ListOn is true.
	OnList bool
	// Features are the features the admin settings grant this person
	// (activity logging, search). Only actions whose Action.Feature is not 0
	// read it.
	Features Feature
}

// Resource is what an action applies to. The zero value is "nothing in
// particular" (creating a workflow, listing users).
type Resource struct {
	// OwnerID is the user who owns the resource (a workflow's owner, a
	// token's owner); 0 when the resource has no owner.
	OwnerID int64
}

// Reason is a stable code saying why an action was refused. The HTTP API
// returns it as the error code, with status 403.
type Reason string

// The reasons for a refusal.
const (
	ReasonNotAdmin              Reason = "access.not_admin"
	ReasonNotSystemAdmin        Reason = "access.not_system_admin"
	ReasonNotOwner              Reason = "access.not_owner"
	ReasonNoRole                Reason = "access.no_role"
	ReasonConnectorUserRequired Reason = "access.connector_user_required"
	ReasonRestrictedList        Reason = "access.restricted_list"
	ReasonUnknownAction         Reason = "access.unknown_action"
	ReasonFeatureNotGranted     Reason = "access.feature_not_granted"
)

// reasonAbout says what each reason means, for documentation.
var reasonAbout = map[Reason]string{
	ReasonNotAdmin:              "the action needs the system admin or connector admin role",
	ReasonNotSystemAdmin:        "the action needs the system admin role",
	ReasonNotOwner:              "the action is for the resource's owner (or, for seeing and disabling workflows, an admin)",
	ReasonNoRole:                "authoring workflows needs a role (the connector user role while the restricted-access list is on)",
	ReasonConnectorUserRequired: "the restricted-access list is on: admins too need the connector user role to author workflows",
	ReasonRestrictedList:        "the restricted-access list is on and the person is not on it",
	ReasonUnknownAction:         "the action has no access rule (a bug)",
	ReasonFeatureNotGranted:     "an admin setting opens the feature (activity logging, search) to chosen people only, and the person is not one of them",
}

// Reasons returns every reason, sorted, for registries that must know them
// all.
func Reasons() []Reason {
	list := make([]Reason, 0, len(reasonAbout))
	for r := range reasonAbout {
		list = append(list, r)
	}
	slices.Sort(list)
	return list
}

// About says what the reason means, for documentation.
func (r Reason) About() string { return reasonAbout[r] }

// Decision is the answer to "may this actor do this?".
type Decision struct {
	Allowed bool
	Action  Action
	Reason  Reason // empty when allowed
	Message string // for a refusal: what is refused and how to get the right, for the person refused
}

// Err returns nil when the decision allows, else a [*RefusedError].
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return &RefusedError{Action: d.Action, Reason: d.Reason, Message: d.Message}
}

// Decide says whether actor may perform act on res. It is a pure function of
// its inputs and the role matrix in docs/adr/0120-access-model.md; an action
// without a rule is refused.
func Decide(actor Actor, act Action, res Resource) Decision {
	r, ok := rules[act]
	if !ok {
		return Decision{Action: act, Reason: ReasonUnknownAction,
			Message: fmt.Sprintf("sfbridge has no access rule for %q, so nobody may do it; this is a bug, please report it.", act)}
	}
	return r.decide(actor, res, ask{act, r.phrase})
}

// ask is the action being decided, with its phrase for messages.
type ask struct {
	act    Action
	phrase string
}

func (q ask) allow() Decision { return Decision{Allowed: true, Action: q.act} }

// refuse returns a refusal whose message is format with the action's phrase
// for its one %s.
func (q ask) refuse(reason Reason, format string) Decision {
	return Decision{Action: q.act, Reason: reason, Message: fmt.Sprintf(format, q.phrase)}
}

func everyone(_ Actor, _ Resource, q ask) Decision { return q.allow() }

// anyRole lets anyone who holds at least one role act.
func anyRole(a Actor, _ Resource, q ask) Decision {
	if a.Roles != 0 {
		return q.allow()
	}
	return q.refuse(ReasonNoRole, "You hold no role, so you may not %s. Ask an admin to make you a connector user.")
}

func adminOnly(a Actor, _ Resource, q ask) Decision {
	if a.Roles.IsAdmin() {
		return q.allow()
	}
	return q.refuse(ReasonNotAdmin, "Only a system admin or a connector admin may %s. Ask one of them to do it for you.")
}

func systemAdminOnly(a Actor, _ Resource, q ask) Decision {
	if a.Roles.Has(SystemAdmin) {
		return q.allow()
	}
	return q.refuse(ReasonNotSystemAdmin, "Only a system admin may %s. Ask a system admin to do it for you.")
}

func ownerOnly(a Actor, res Resource, q ask) Decision {
	if res.OwnerID == a.ID {
		return q.allow()
	}
	return q.refuse(ReasonNotOwner, "Only its owner may %s.")
}

// ownerOrAdmin lets the owner act on their own resource, and admins on
// anyone's: seeing and disabling workflows.
func ownerOrAdmin(a Actor, res Resource, q ask) Decision {
	if res.OwnerID == a.ID || a.Roles.IsAdmin() {
		return q.allow()
	}
	return q.refuse(ReasonNotOwner, "Only its owner, a system admin or a connector admin may %s.")
}

// ownerAuthor lets only the owner edit, enable or run a workflow — nobody,
// admins included, enables or runs someone else's, because a workflow acts
// with its owner's Salesforce connection — and only while the owner may
// author workflows at all.
func ownerAuthor(a Actor, res Resource, q ask) Decision {
	if res.OwnerID != a.ID {
		return q.refuse(ReasonNotOwner, "Only its owner may %s: a workflow acts with its owner's Salesforce connection. Ask the owner, or disable it if you are an admin.")
	}
	return author(a, res, q)
}

// author decides who may create workflows (and, through ownerAuthor, edit,
// enable and run their own): anyone holding a role while the
// restricted-access list is off; once it is on, only connector users who are
// on the list.
func author(a Actor, _ Resource, q ask) Decision {
	switch {
	case !a.ListOn && a.Roles == 0:
		return q.refuse(ReasonNoRole, "You hold no role, so you may not %s. Ask an admin to make you a connector user.")
	case !a.ListOn:
		return q.allow()
	case !a.Roles.Has(ConnectorUser) && a.Roles.IsAdmin():
		return q.refuse(ReasonConnectorUserRequired, "The restricted-access list is on, so admins too need the connector user role to %s. Give yourself the connector user role (a system admin or connector admin may).")
	case !a.Roles.Has(ConnectorUser):
		return q.refuse(ReasonNoRole, "You are not a connector user, so you may not %s. Ask an admin to make you a connector user.")
	case !a.OnList:
		return q.refuse(ReasonRestrictedList, "The restricted-access list is on and you are not on it, so you may not %s. Ask an admin to add you to the list.")
	default:
		return q.allow()
	}
}
