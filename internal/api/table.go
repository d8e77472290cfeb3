package api

import (
	"net/http"

	"github.com/sfbridge/sfbridge/internal/access"
)

// table is the route table: every route of the server, in the order the
// OpenAPI document lists them.
func (s *Server) table() []route {
	const v1 = "/api/v1"
	rts := []route{
		public(http.MethodGet, v1+"/setup", "Say whether first-run setup is still to be done", s.setupStatus).
			body(nil, SetupStatus{}),
		public(http.MethodPost, v1+"/setup", "Create the first system admin and sign them in (only while no system admin has a password)", s.setup).
			body(SetupRequest{}, Me{}).created(),
		public(http.MethodPost, v1+"/session", "Sign in with a login and a password; sets the session cookie", s.login).
			body(LoginRequest{}, Me{}),
		guarded(http.MethodDelete, v1+"/session", access.SelfView, "Sign out: end the session and clear its cookie", s.logout).
			body(nil, nil),

		guarded(http.MethodGet, v1+"/me", access.SelfView, "The signed-in person, their roles and restricted-list status", s.getMe).
			body(nil, Me{}),
		guarded(http.MethodGet, v1+"/me/tokens", access.TokenManage, "List your personal API tokens (without their secrets)", s.listTokens).
			body(nil, TokenList{}).on(self),
		guarded(http.MethodPost, v1+"/me/tokens", access.TokenManage, "Create a personal API token; its secret is shown only in this answer", s.createToken).
			body(TokenRequest{}, NewToken{}).on(self).created(),
		guarded(http.MethodDelete, v1+"/me/tokens/{token}", access.TokenManage, "Revoke one of your personal API tokens", s.revokeToken).
			body(nil, nil).on(self),

		guarded(http.MethodGet, v1+"/users", access.UserList, "List people and their roles", s.listUsers).
			body(nil, UserList{}),
		guarded(http.MethodPost, v1+"/users", access.UserCreate, "Add a person; giving roles needs the right to assign each", s.createUser).
			body(CreateUserRequest{}, UserInfo{}).created(),
		// The route gate is the weakest assignment right; the handler checks
		// the action of every role that changes.
		guarded(http.MethodPut, v1+"/users/{id}/roles", access.AssignConnectorUser, "Replace a person's roles", s.setRoles).
			body(RolesRequest{}, UserInfo{}),

		guarded(http.MethodGet, v1+"/access/restricted", access.RestrictedView, "The restricted-access list: whether it is on, and its members", s.getRestricted).
			body(nil, RestrictedList{}),
		guarded(http.MethodPut, v1+"/access/restricted", access.RestrictedToggle, "Turn the restricted-access list on (adding everyone who owns workflows) or off", s.toggleRestricted).
			body(RestrictedToggle{}, RestrictedList{}),
		guarded(http.MethodPut, v1+"/access/restricted/members/{id}", access.RestrictedEdit, "Add a person to the restricted-access list (the list must be on)", s.addRestricted).
			body(nil, nil),
		guarded(http.MethodDelete, v1+"/access/restricted/members/{id}", access.RestrictedEdit, "Remove a person from the restricted-access list; their workflows are disabled at once", s.removeRestricted).
			body(nil, RemovedMember{}),
	}
	rts = append(rts, s.activityRoutes(v1)...)
	rts = append(rts, s.searchRoutes(v1)...)
	rts = append(rts, s.featureRoutes(v1)...)
	rts = append(rts, s.budgetRoutes(v1)...)
	rts = append(rts, s.notificationRoutes(v1)...)
	rts = append(rts, s.workflowRoutes(v1)...)
	rts = append(rts, s.activitySettingsRoutes(v1)...)
	rts = append(rts, s.sheetRoutes(v1)...)
	rts = append(rts, s.orgRoutes(v1)...)
	rts = append(rts, s.auditRoutes(v1)...)
	return append(rts,
		public(http.MethodGet, v1+"/openapi.json", "This API's OpenAPI 3.1 description", s.openAPI).
			body(nil, map[string]any{}),
		public(http.MethodGet, "/healthz", "Liveness: the process serves HTTP", s.healthz).
			body(nil, Health{}),
		public(http.MethodGet, "/readyz", "Readiness: every dependency check passes", s.readyz).
			body(nil, Health{}),
		s.metricsRoute(),
	)
}
