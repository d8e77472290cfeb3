package access

import (
	"slices"
)

// Action is something a person asks to do. Every check in sfbridge names one,
// and [Decide] knows a rule for each; an action without a rule is refused.
type Action string

// The actions, one per row of the role matrix (docs/adr/0120-access-model.md)
// plus the self-service ones every signed-in person may do.
const (
	OrgRegister   Action = "org.register"              // register a Salesforce org
	OrgSetPolling Action = "org.set_polling_frequency" // set an org's polling frequency
	OrgConfigure  Action = "org.configure"             // set an org's API budget, thresholds and notifications
	OrgView       Action = "org.view"                  // see the registered orgs, their state and API usage
	OrgConnect    Action = "org.connect"               // link one's own Salesforce identity to an org

	WorkflowCreate  Action = "workflow.create"  // create a workflow (no owner yet)
	WorkflowEdit    Action = "workflow.edit"    // edit a workflow
	WorkflowView    Action = "workflow.view"    // see a workflow
	WorkflowDisable Action = "workflow.disable" // turn a workflow off
	WorkflowEnable  Action = "workflow.enable"  // turn a workflow on
	WorkflowRun     Action = "workflow.run"     // run a workflow now

	SheetView Action = "sheet.view" // see a workflow's sheet, its rows, conflicts and dead letters
	SheetEdit Action = "sheet.edit" // edit, import and delete a workflow's rows; resolve its conflicts and dead letters

	UserList             Action = "user.list"                   // list the people and their roles
	UserCreate           Action = "user.create"                 // add a person (with no role)
	AssignConnectorUser  Action = "role.assign_connector_user"  // give or take the connector user role
	AssignConnectorAdmin Action = "role.assign_connector_admin" // give or take the connector admin role
	AssignSystemAdmin    Action = "role.assign_system_admin"    // give or take the system admin role

	RestrictedView   Action = "restricted.view"         // see the restricted-access list
	RestrictedToggle Action = "restricted.toggle"       // turn the restricted-access list on or off
	RestrictedEdit   Action = "restricted.edit_members" // add people to the list, remove them

	ActivityLog     Action = "activity.log"      // log activities, see and retry one's own
	SearchUse       Action = "search.use"        // search Salesforce, use list views
	FeatureSettings Action = "settings.features" // choose who may log activities and search

	AuditView Action = "audit.view" // read the audit log

	SelfView    Action = "self.view"    // see one's own account and roles
	TokenManage Action = "token.manage" // create, list and revoke personal API tokens
)

// rule is how one action is decided.
type rule struct {
	phrase string // what the action does, after "may": "register a Salesforce org"
	who    string // who may do it, for documentation
	decide func(a Actor, res Resource, q ask) Decision
}

var rules = map[Action]rule{
	OrgRegister:   {"register a Salesforce org", whoAdmins, adminOnly},
	OrgSetPolling: {"set an org's polling frequency", whoAdmins, adminOnly},
	OrgConfigure:  {"change an org's API budget, warning thresholds and notifications", whoAdmins, adminOnly},
	OrgView:       {"see the registered orgs", whoRoleHolders, anyRole},
	OrgConnect:    {"link their own Salesforce identity to an org", whoRoleHolders, anyRole},

	WorkflowCreate:  {"create workflows", whoAuthors, author},
	WorkflowEdit:    {"edit this workflow", whoOwnerAuthor, ownerAuthor},
	WorkflowEnable:  {"enable this workflow", whoOwnerAuthor, ownerAuthor},
	WorkflowRun:     {"run this workflow", whoOwnerAuthor, ownerAuthor},
	WorkflowView:    {"see this workflow", whoOwnerOrAdmin, ownerOrAdmin},
	WorkflowDisable: {"disable this workflow", whoOwnerOrAdmin, ownerOrAdmin},

	// A sheet belongs to its workflow: the resource is the workflow's.
	SheetView: {"see this sheet", whoOwnerOrAdmin, ownerOrAdmin},
	SheetEdit: {"change this sheet's rows, conflicts and dead letters", whoOwnerAuthor, ownerAuthor},

	UserList:             {"list people and their roles", whoAdmins, adminOnly},
	UserCreate:           {"add people", whoAdmins, adminOnly},
	AssignConnectorUser:  {"give or take the connector user role", whoAdmins, adminOnly},
	AssignConnectorAdmin: {"give or take the connector admin role", whoSystemAdmins, systemAdminOnly},
	AssignSystemAdmin:    {"give or take the system admin role", whoSystemAdmins, systemAdminOnly},

	RestrictedView:   {"see the restricted-access list", whoAdmins, adminOnly},
	RestrictedToggle: {"turn the restricted-access list on or off", whoAdmins, adminOnly},
	RestrictedEdit:   {"add people to the restricted-access list or remove them", whoAdmins, adminOnly},

	ActivityLog:     {"log activities into Salesforce", whoGranted, granted(FeatureActivity)},
	SearchUse:       {"search Salesforce and use list views", whoGranted, granted(FeatureSearch)},
	FeatureSettings: {"choose who may log activities and search", whoAdmins, adminOnly},

	AuditView: {"read the audit log", whoAdmins, adminOnly},

	SelfView:    {"see their own account", whoEveryone, everyone},
	TokenManage: {"manage these API tokens", whoOwner, ownerOnly},
}

const (
	whoAdmins       = "system admins and connector admins"
	whoSystemAdmins = "system admins"
	whoEveryone     = "every signed-in person"
	whoRoleHolders  = "anyone holding a role"
	whoOwner        = "the owner only"
	whoOwnerOrAdmin = "the owner, system admins and connector admins"
	whoAuthors      = "anyone with a role; when the restricted-access list is on, only connector users on the list"
	whoOwnerAuthor  = "the owner only, if they may create workflows (" + whoAuthors + ")"
	whoGranted      = "everyone the admin setting of the feature grants it to (everyone, or chosen people)"
)

// Actions returns every action that has a rule, sorted.
func Actions() []Action {
	list := make([]Action, 0, len(rules))
	for act := range rules {
		list = append(list, act)
	}
	slices.Sort(list)
	return list
}

// Known reports whether act has a rule.
func (act Action) Known() bool {
	_, ok := rules[act]
	return ok
}

// Who describes, for documentation, who may perform act ("system admins and
// connector admins"); it is empty for an unknown action.
func (act Action) Who() string { return rules[act].who }
