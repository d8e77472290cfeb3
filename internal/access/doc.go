// Package access decides who may do what in sfbridge: three roles, the
// restricted-access list, and one [Decide] for every check.
//
// The roles follow the Smartsheet connector's model. A person may hold
// several; "admin" means system admin or connector admin:
//
//	action                                       system admin  connector admin  connector user
//	register a Salesforce org, set its polling   yes           yes              no
//	create workflows, edit their own             yes*          yes*             yes
//	disable their own workflows                  yes           yes              yes
//	see other people's workflows                 yes           yes              no
//	disable other people's workflows             yes           yes              no
//	enable or run other people's workflows       no            no               no
//	make someone a connector user                yes           yes              no
//	make someone a connector admin               yes           no               no
//	turn on the restricted list, add people      yes           yes              no
//	choose who may log activities and search     yes           yes              no
//	log activities, search (when granted)        **            **               **
//
// (*) While the restricted-access list is on, only connector users who are on
// the list create, edit, enable or run workflows — admins too need the
// connector user role. Being on the list grants no role and no admin right;
// it is the permission to author workflows while the list is on. Turning the
// list on adds everyone who already owns a workflow, and removing someone
// from it disables their workflows at once. Those two effects change stored
// data, so the API asks its store to apply them in one transaction; this
// package only decides.
//
// (**) Activity logging and search are opened by an admin setting to
// everyone (the default) or to chosen people, whatever their roles: a
// [Feature]. The caller fills [Actor.Features] with what the settings grant
// before deciding an action whose [Action.Feature] is not 0; a refusal is
// [ReasonFeatureNotGranted].
//
// [Decide] is a pure function over plain values — an [Actor] (id, [Roles],
// whether the list is on and whether the actor is on it), an [Action] and a
// [Resource] (its owner) — returning a [Decision] with a stable [Reason]
// code ("access.not_admin") and a sentence the refused person can act on.
// Every action has exactly one rule; an unknown action is refused.
//
// The package also holds the credential primitives the API builds on:
// argon2id password hashes ([PasswordParams.HashPassword], [VerifyPassword])
// and random secrets for sessions and personal API tokens ([NewSecret]),
// stored only as their SHA-256 ([HashSecret]).
//
// Decision records: docs/adr/0120-access-model.md,
// docs/adr/0250-activity-and-search-through-the-api.md (features).
package access
