package access

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The rows of the role matrix in doc.go.
const (
	rowOrg             = "register an org, set its polling frequency"
	rowCreateEdit      = "create workflows, edit their own"
	rowDisableOwn      = "disable their own workflows"
	rowSeeOthers       = "see other people's workflows"
	rowDisableOthers   = "disable other people's workflows"
	rowEnableRunOthers = "enable or run other people's workflows"
	rowMakeUser        = "make someone a connector user"
	rowMakeAdmin       = "make someone a connector admin"
	rowRestricted      = "turn on the restricted list, add people"
	rowFeatures        = "log activities, search (when the feature's setting grants it)"
	rowFeatureSettings = "choose who may log activities and search"
)

var matrixRows = []string{rowOrg, rowCreateEdit, rowDisableOwn, rowSeeOthers, rowDisableOthers,
	rowEnableRunOthers, rowMakeUser, rowMakeAdmin, rowRestricted, rowFeatures, rowFeatureSettings}

const (
	me    int64 = 1
	other int64 = 2
)

var (
	mine   = Resource{OwnerID: me}
	theirs = Resource{OwnerID: other}
	none   = Resource{}
)

// as builds the actor "me" holding roles, with the list off.
func as(roles ...Role) Actor { return Actor{ID: me, Roles: RolesOf(roles...)} }

// granting returns a with features granted by the admin settings.
func granting(a Actor, f Feature) Actor {
	a.Features = f
	return a
}

// listOn returns a with the restricted-access list on; onList puts a on it.
func listOn(a Actor, onList bool) Actor {
	a.ListOn, a.OnList = true, onList
	return a
}

type matrixCase struct {
	row    string
	col    Role // the column (role) of the matrix cell the case stands for
	name   string
	actor  Actor
	act    Action
	res    Resource
	reason Reason // empty: allowed
}

// matrixCases gives every cell of the matrix an allowed and a refused case.
// For a "yes" cell the refused case takes away what grants the right; for a
// "no" cell the allowed case adds it.
var matrixCases = []matrixCase{
	// register an org, set its polling frequency: yes, yes, no
	{rowOrg, SystemAdmin, "system admin registers", as(SystemAdmin), OrgRegister, none, ""},
	{rowOrg, SystemAdmin, "system admin sets polling", as(SystemAdmin), OrgSetPolling, none, ""},
	{rowOrg, SystemAdmin, "nobody without an admin role", as(), OrgRegister, none, ReasonNotAdmin},
	{rowOrg, ConnectorAdmin, "connector admin registers", as(ConnectorAdmin), OrgRegister, none, ""},
	{rowOrg, ConnectorAdmin, "connector admin sets polling", listOn(as(ConnectorAdmin), false), OrgSetPolling, none, ""},
	{rowOrg, ConnectorAdmin, "the list does not grant it", listOn(as(), true), OrgSetPolling, none, ReasonNotAdmin},
	{rowOrg, ConnectorUser, "connector user may not register", as(ConnectorUser), OrgRegister, none, ReasonNotAdmin},
	{rowOrg, ConnectorUser, "connector user may not set polling", listOn(as(ConnectorUser), true), OrgSetPolling, none, ReasonNotAdmin},
	{rowOrg, SystemAdmin, "system admin sets the API budget", as(SystemAdmin), OrgConfigure, none, ""},
	{rowOrg, ConnectorUser, "connector user may not set the API budget", as(ConnectorUser), OrgConfigure, none, ReasonNotAdmin},
	{rowOrg, ConnectorUser, "connector user who is also connector admin", as(ConnectorUser, ConnectorAdmin), OrgRegister, none, ""},

	// create workflows, edit their own: yes*, yes*, yes
	{rowCreateEdit, SystemAdmin, "system admin creates, list off", as(SystemAdmin), WorkflowCreate, none, ""},
	{rowCreateEdit, SystemAdmin, "system admin edits own, list off", as(SystemAdmin), WorkflowEdit, mine, ""},
	{rowCreateEdit, SystemAdmin, "list on: system admin needs the user role", listOn(as(SystemAdmin), true), WorkflowCreate, none, ReasonConnectorUserRequired},
	{rowCreateEdit, SystemAdmin, "list on: system admin and connector user on the list", listOn(as(SystemAdmin, ConnectorUser), true), WorkflowEdit, mine, ""},
	{rowCreateEdit, SystemAdmin, "list on: system admin and connector user off the list", listOn(as(SystemAdmin, ConnectorUser), false), WorkflowEdit, mine, ReasonRestrictedList},
	{rowCreateEdit, SystemAdmin, "system admin may not edit another's", as(SystemAdmin), WorkflowEdit, theirs, ReasonNotOwner},
	{rowCreateEdit, ConnectorAdmin, "connector admin creates, list off", as(ConnectorAdmin), WorkflowCreate, none, ""},
	{rowCreateEdit, ConnectorAdmin, "connector admin edits own, list off", as(ConnectorAdmin), WorkflowEdit, mine, ""},
	{rowCreateEdit, ConnectorAdmin, "list on: connector admin on the list still needs the user role", listOn(as(ConnectorAdmin), true), WorkflowEdit, mine, ReasonConnectorUserRequired},
	{rowCreateEdit, ConnectorAdmin, "list on: connector admin and connector user on the list", listOn(as(ConnectorAdmin, ConnectorUser), true), WorkflowCreate, none, ""},
	{rowCreateEdit, ConnectorUser, "connector user creates, list off", as(ConnectorUser), WorkflowCreate, none, ""},
	{rowCreateEdit, ConnectorUser, "connector user edits own, list on and on it", listOn(as(ConnectorUser), true), WorkflowEdit, mine, ""},
	{rowCreateEdit, ConnectorUser, "list on: connector user off the list", listOn(as(ConnectorUser), false), WorkflowCreate, none, ReasonRestrictedList},
	{rowCreateEdit, ConnectorUser, "without the role, list off", as(), WorkflowCreate, none, ReasonNoRole},
	{rowCreateEdit, ConnectorUser, "on the list without the role", listOn(as(), true), WorkflowCreate, none, ReasonNoRole},

	// disable their own workflows: yes, yes, yes (even off the list)
	{rowDisableOwn, SystemAdmin, "system admin disables own, list on, off it", listOn(as(SystemAdmin), false), WorkflowDisable, mine, ""},
	{rowDisableOwn, SystemAdmin, "without the role, not the owner", as(), WorkflowDisable, theirs, ReasonNotOwner},
	{rowDisableOwn, ConnectorAdmin, "connector admin disables own", as(ConnectorAdmin), WorkflowDisable, mine, ""},
	{rowDisableOwn, ConnectorAdmin, "a connector user, not the owner", as(ConnectorUser), WorkflowDisable, theirs, ReasonNotOwner},
	{rowDisableOwn, ConnectorUser, "connector user disables own, list on, off it", listOn(as(ConnectorUser), false), WorkflowDisable, mine, ""},
	{rowDisableOwn, ConnectorUser, "connector user, not the owner", listOn(as(ConnectorUser), true), WorkflowDisable, theirs, ReasonNotOwner},

	// see other people's workflows: yes, yes, no
	{rowSeeOthers, SystemAdmin, "system admin sees another's", as(SystemAdmin), WorkflowView, theirs, ""},
	{rowSeeOthers, SystemAdmin, "without an admin role", as(ConnectorUser), WorkflowView, theirs, ReasonNotOwner},
	{rowSeeOthers, ConnectorAdmin, "connector admin sees another's", listOn(as(ConnectorAdmin), false), WorkflowView, theirs, ""},
	{rowSeeOthers, ConnectorAdmin, "without an admin role", as(), WorkflowView, theirs, ReasonNotOwner},
	{rowSeeOthers, ConnectorUser, "connector user may not see another's", as(ConnectorUser), WorkflowView, theirs, ReasonNotOwner},
	{rowSeeOthers, ConnectorUser, "connector user sees own", listOn(as(ConnectorUser), false), WorkflowView, mine, ""},

	// disable other people's workflows: yes, yes, no
	{rowDisableOthers, SystemAdmin, "system admin disables another's", as(SystemAdmin), WorkflowDisable, theirs, ""},
	{rowDisableOthers, SystemAdmin, "without an admin role", listOn(as(ConnectorUser), true), WorkflowDisable, theirs, ReasonNotOwner},
	{rowDisableOthers, ConnectorAdmin, "connector admin disables another's, list on, off it", listOn(as(ConnectorAdmin), false), WorkflowDisable, theirs, ""},
	{rowDisableOthers, ConnectorAdmin, "without an admin role", as(), WorkflowDisable, theirs, ReasonNotOwner},
	{rowDisableOthers, ConnectorUser, "connector user may not disable another's", as(ConnectorUser), WorkflowDisable, theirs, ReasonNotOwner},
	{rowSeeOthers, ConnectorAdmin, "connector admin sees another's sheet", as(ConnectorAdmin), SheetView, theirs, ""},
	{rowSeeOthers, ConnectorUser, "connector user may not see another's sheet", as(ConnectorUser), SheetView, theirs, ReasonNotOwner},
	{rowEnableRunOthers, SystemAdmin, "system admin may not edit another's sheet", as(SystemAdmin, ConnectorUser), SheetEdit, theirs, ReasonNotOwner},
	{rowCreateEdit, ConnectorUser, "connector user edits own sheet", as(ConnectorUser), SheetEdit, mine, ""},
	{rowDisableOthers, ConnectorUser, "connector user who is also connector admin", as(ConnectorUser, ConnectorAdmin), WorkflowDisable, theirs, ""},

	// enable or run other people's workflows: no, no, no
	{rowEnableRunOthers, SystemAdmin, "system admin may not enable another's", as(SystemAdmin, ConnectorUser), WorkflowEnable, theirs, ReasonNotOwner},
	{rowEnableRunOthers, SystemAdmin, "system admin may not run another's", listOn(as(SystemAdmin, ConnectorUser), true), WorkflowRun, theirs, ReasonNotOwner},
	{rowEnableRunOthers, SystemAdmin, "system admin runs own", as(SystemAdmin), WorkflowRun, mine, ""},
	{rowEnableRunOthers, ConnectorAdmin, "connector admin may not run another's", as(ConnectorAdmin), WorkflowRun, theirs, ReasonNotOwner},
	{rowEnableRunOthers, ConnectorAdmin, "connector admin enables own", listOn(as(ConnectorAdmin, ConnectorUser), true), WorkflowEnable, mine, ""},
	{rowEnableRunOthers, ConnectorUser, "connector user may not enable another's", as(ConnectorUser), WorkflowEnable, theirs, ReasonNotOwner},
	{rowEnableRunOthers, ConnectorUser, "connector user enables own", as(ConnectorUser), WorkflowEnable, mine, ""},
	{rowEnableRunOthers, ConnectorUser, "list on: connector user off it may not run own", listOn(as(ConnectorUser), false), WorkflowRun, mine, ReasonRestrictedList},

	// make someone a connector user: yes, yes, no
	{rowMakeUser, SystemAdmin, "system admin makes a connector user", as(SystemAdmin), AssignConnectorUser, theirs, ""},
	{rowMakeUser, SystemAdmin, "without an admin role", as(), AssignConnectorUser, theirs, ReasonNotAdmin},
	{rowMakeUser, ConnectorAdmin, "connector admin makes a connector user", listOn(as(ConnectorAdmin), false), AssignConnectorUser, theirs, ""},
	{rowMakeUser, ConnectorAdmin, "a connector user on the list", listOn(as(ConnectorUser), true), AssignConnectorUser, theirs, ReasonNotAdmin},
	{rowMakeUser, ConnectorUser, "connector user may not", as(ConnectorUser), AssignConnectorUser, theirs, ReasonNotAdmin},
	{rowMakeUser, ConnectorUser, "connector user who is also system admin", as(ConnectorUser, SystemAdmin), AssignConnectorUser, theirs, ""},

	// make someone a connector admin: yes, no, no
	{rowMakeAdmin, SystemAdmin, "system admin makes a connector admin", as(SystemAdmin), AssignConnectorAdmin, theirs, ""},
	{rowMakeAdmin, SystemAdmin, "system admin makes a system admin", as(SystemAdmin), AssignSystemAdmin, theirs, ""},
	{rowMakeAdmin, SystemAdmin, "without the role", as(ConnectorAdmin, ConnectorUser), AssignConnectorAdmin, theirs, ReasonNotSystemAdmin},
	{rowMakeAdmin, ConnectorAdmin, "connector admin may not make a connector admin", as(ConnectorAdmin), AssignConnectorAdmin, theirs, ReasonNotSystemAdmin},
	{rowMakeAdmin, ConnectorAdmin, "connector admin may not make a system admin", as(ConnectorAdmin), AssignSystemAdmin, theirs, ReasonNotSystemAdmin},
	{rowMakeAdmin, ConnectorAdmin, "connector admin who is also system admin", as(ConnectorAdmin, SystemAdmin), AssignConnectorAdmin, theirs, ""},
	{rowMakeAdmin, ConnectorUser, "connector user may not", listOn(as(ConnectorUser), true), AssignConnectorAdmin, theirs, ReasonNotSystemAdmin},
	{rowMakeAdmin, ConnectorUser, "connector user who is also system admin", as(ConnectorUser, SystemAdmin), AssignConnectorAdmin, theirs, ""},

	// turn on the restricted list, add people: yes, yes, no
	{rowRestricted, SystemAdmin, "system admin turns the list on", as(SystemAdmin), RestrictedToggle, none, ""},
	{rowRestricted, SystemAdmin, "system admin adds people", listOn(as(SystemAdmin), false), RestrictedEdit, none, ""},
	{rowRestricted, SystemAdmin, "without an admin role", as(), RestrictedToggle, none, ReasonNotAdmin},
	{rowRestricted, ConnectorAdmin, "connector admin turns the list on", as(ConnectorAdmin), RestrictedToggle, none, ""},
	{rowRestricted, ConnectorAdmin, "connector admin sees the list", listOn(as(ConnectorAdmin), false), RestrictedView, none, ""},
	{rowRestricted, ConnectorAdmin, "being on the list grants no admin right", listOn(as(ConnectorUser), true), RestrictedEdit, none, ReasonNotAdmin},
	{rowRestricted, ConnectorUser, "connector user may not turn it on", as(ConnectorUser), RestrictedToggle, none, ReasonNotAdmin},
	{rowRestricted, ConnectorUser, "connector user may not see it", listOn(as(ConnectorUser), true), RestrictedView, none, ReasonNotAdmin},
	{rowRestricted, ConnectorUser, "connector user who is also connector admin", listOn(as(ConnectorUser, ConnectorAdmin), true), RestrictedEdit, none, ""},
	// log activities, search: whoever the setting grants, whatever the role
	{rowFeatures, SystemAdmin, "system admin granted activity logs", granting(as(SystemAdmin), FeatureActivity), ActivityLog, none, ""},
	{rowFeatures, SystemAdmin, "system admin not granted search", granting(as(SystemAdmin), FeatureActivity), SearchUse, none, ReasonFeatureNotGranted},
	{rowFeatures, ConnectorAdmin, "connector admin granted search", granting(as(ConnectorAdmin), FeatureSearch), SearchUse, none, ""},
	{rowFeatures, ConnectorAdmin, "connector admin granted nothing", as(ConnectorAdmin), ActivityLog, none, ReasonFeatureNotGranted},
	{rowFeatures, ConnectorUser, "connector user granted both", granting(listOn(as(ConnectorUser), false), FeatureActivity|FeatureSearch), SearchUse, none, ""},
	{rowFeatures, ConnectorUser, "connector user granted search only", granting(as(ConnectorUser), FeatureSearch), ActivityLog, none, ReasonFeatureNotGranted},
	// choose who may log activities and search: yes, yes, no
	{rowFeatureSettings, SystemAdmin, "system admin changes the settings", as(SystemAdmin), FeatureSettings, none, ""},
	{rowFeatureSettings, SystemAdmin, "a granted person without an admin role", granting(as(), FeatureActivity|FeatureSearch), FeatureSettings, none, ReasonNotAdmin},
	{rowFeatureSettings, ConnectorAdmin, "connector admin changes the settings", as(ConnectorAdmin), FeatureSettings, none, ""},
	{rowFeatureSettings, ConnectorAdmin, "without an admin role", listOn(as(ConnectorUser), true), FeatureSettings, none, ReasonNotAdmin},
	{rowFeatureSettings, ConnectorUser, "connector user may not", granting(as(ConnectorUser), FeatureActivity), FeatureSettings, none, ReasonNotAdmin},
	{rowFeatureSettings, ConnectorUser, "connector user who is also connector admin", as(ConnectorUser, ConnectorAdmin), FeatureSettings, none, ""},
}

func TestFeatureNames(t *testing.T) {
	t.Parallel()
	for _, f := range AllFeatures {
		got, err := ParseFeature(f.String())
		if err != nil || got != f {
			t.Errorf("ParseFeature(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
	}
	if _, err := ParseFeature("workflows"); err == nil {
		t.Error(`ParseFeature("workflows") succeeded`)
	}
	for act, want := range map[Action]Feature{ActivityLog: FeatureActivity, SearchUse: FeatureSearch, FeatureSettings: 0, WorkflowCreate: 0} {
		if got := act.Feature(); got != want {
			t.Errorf("%s.Feature() = %v, want %v", act, got, want)
		}
	}
}

func TestDecideMatrix(t *testing.T) {
	t.Parallel()
	for _, c := range matrixCases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.row, c.col, c.name), func(t *testing.T) {
			t.Parallel()
			d := Decide(c.actor, c.act, c.res)
			if d.Allowed != (c.reason == "") || d.Reason != c.reason {
				t.Fatalf("Decide(%+v, %s, %+v) = allowed %v reason %q, want reason %q (empty: allowed)",
					c.actor, c.act, c.res, d.Allowed, d.Reason, c.reason)
			}
			if d.Action != c.act {
				t.Errorf("Decision.Action = %q, want %q", d.Action, c.act)
			}
			if !d.Allowed && !strings.HasSuffix(d.Message, ".") {
				t.Errorf("refusal message %q is not a sentence", d.Message)
			}
		})
	}
}

// TestMatrixCoverage pins that the table above walks every cell of the
// matrix with both an allowed and a refused case, and every action.
func TestMatrixCoverage(t *testing.T) {
	t.Parallel()
	type cell struct {
		row string
		col Role
	}
	allowed, refused := map[cell]bool{}, map[cell]bool{}
	actions := map[Action]bool{}
	for _, c := range matrixCases {
		k := cell{c.row, c.col}
		if c.reason == "" {
			allowed[k] = true
		} else {
			refused[k] = true
		}
		actions[c.act] = true
	}
	for _, row := range matrixRows {
		for _, col := range AllRoles {
			k := cell{row, col}
			if !allowed[k] || !refused[k] {
				t.Errorf("cell %q × %s: allowed case %v, refused case %v; want both", row, col, allowed[k], refused[k])
			}
		}
	}
	for _, act := range Actions() {
		switch act {
		case SelfView, TokenManage, UserList, UserCreate, OrgView, OrgConnect, AuditView:
			continue // not in the matrix; TestDecideSelfService covers them
		}
		if !actions[act] {
			t.Errorf("action %s has no matrix case", act)
		}
	}
}

func TestDecideSelfService(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		actor  Actor
		act    Action
		res    Resource
		reason Reason
	}{
		{"anyone sees themselves", as(), SelfView, none, ""},
		{"anyone manages own tokens", listOn(as(), false), TokenManage, mine, ""},
		{"not another's tokens, even a system admin", as(SystemAdmin), TokenManage, theirs, ReasonNotOwner},
		{"admins list people", as(ConnectorAdmin), UserList, none, ""},
		{"users do not list people", as(ConnectorUser), UserList, none, ReasonNotAdmin},
		{"admins add people", as(SystemAdmin), UserCreate, none, ""},
		{"users do not add people", as(ConnectorUser), UserCreate, none, ReasonNotAdmin},
		{"admins read the audit log", as(ConnectorAdmin), AuditView, none, ""},
		{"users do not read the audit log", as(ConnectorUser), AuditView, none, ReasonNotAdmin},
		{"a connector user sees the orgs", as(ConnectorUser), OrgView, none, ""},
		{"no role, no orgs", as(), OrgView, none, ReasonNoRole},
		{"a connector user links their identity", listOn(as(ConnectorUser), false), OrgConnect, mine, ""},
		{"no role, no link", as(), OrgConnect, mine, ReasonNoRole},
		{"unknown action", as(SystemAdmin, ConnectorAdmin, ConnectorUser), Action("workflow.delete_everything"), none, ReasonUnknownAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Decide(tt.actor, tt.act, tt.res)
			if d.Allowed != (tt.reason == "") || d.Reason != tt.reason {
				t.Fatalf("Decide = allowed %v reason %q, want reason %q", d.Allowed, d.Reason, tt.reason)
			}
		})
	}
}

func TestEveryActionIsDocumented(t *testing.T) {
	t.Parallel()
	for _, act := range Actions() {
		if !act.Known() || act.Who() == "" || rules[act].phrase == "" {
			t.Errorf("action %s: known %v, who %q, phrase %q", act, act.Known(), act.Who(), rules[act].phrase)
		}
	}
	if Action("nope").Known() {
		t.Error(`Action("nope").Known() = true`)
	}
}

func TestDecisionErr(t *testing.T) {
	t.Parallel()
	if err := Decide(as(SystemAdmin), OrgRegister, none).Err(); err != nil {
		t.Fatalf("allowed decision: Err() = %v", err)
	}
	err := Decide(as(ConnectorUser), OrgRegister, none).Err()
	var refused *RefusedError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &refused) || refused.Reason != ReasonNotAdmin {
		t.Fatalf("refused decision: Err() = %#v", err)
	}
	want := "access: org.register refused (access.not_admin): Only a system admin or a connector admin may register a Salesforce org. Ask one of them to do it for you."
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant %q", err.Error(), want)
	}
}
