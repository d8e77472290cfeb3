package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// assignAction is the action that gives or takes each role: the console
// shows a role's box as editable only where access.Decide allows it.
var assignAction = map[access.Role]access.Action{
	access.SystemAdmin:    access.AssignSystemAdmin,
	access.ConnectorAdmin: access.AssignConnectorAdmin,
	access.ConnectorUser:  access.AssignConnectorUser,
}

// roleBox is one role's checkbox.
type roleBox struct {
	Role     access.Role
	Checked  bool
	Editable bool
}

// personRow is one person on the People page.
type personRow struct {
	api.UserInfo
	Self     bool
	Boxes    []roleBox
	CanSave  bool // at least one box is editable
	HasRoles bool
}

// peopleData is the People page.
type peopleData struct {
	People      []personRow
	ListOn      bool
	CanToggle   bool
	CanEditList bool
	CanAdd      bool
	NewBoxes    []roleBox // the roles the signed-in person may give a new person
	Form        setupForm // the add-person form, shown back after an error
}

// personForm is the add-person form as posted, shown back after an error:
// the password is never sent back, the roles ticked stay ticked.
type personForm struct {
	setupForm
	Roles access.Roles
}

// roleBoxes returns the boxes of roles for target (0: a new person), each
// editable when the actor may give or take that role.
func roleBoxes(actor access.Actor, target int64, roles access.Roles) []roleBox {
	boxes := make([]roleBox, len(access.AllRoles))
	for i, r := range access.AllRoles {
		boxes[i] = roleBox{Role: r, Checked: roles.Has(r),
			Editable: access.Decide(actor, assignAction[r], access.Resource{OwnerID: target}).Allowed}
	}
	return boxes
}

// formRoles returns the roles a role form asks for: the checked boxes among
// the editable ones, the current roles for the others.
func formRoles(r *http.Request, boxes []roleBox, current access.Roles) access.Roles {
	if err := r.ParseForm(); err != nil {
		return current // a malformed body changes nothing
	}
	checked := map[string]bool{}
	for _, name := range r.PostForm["roles"] {
		checked[name] = true
	}
	roles := current
	for _, b := range boxes {
		switch {
		case !b.Editable:
		case checked[string(b.Role)]:
			roles = roles.With(b.Role)
		default:
			roles = roles.Without(b.Role)
		}
	}
	return roles
}

// people shows everyone with their roles and the restricted-access list;
// the data comes from GET /api/v1/users and /api/v1/access/restricted.
func (c *console) people(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderPeople(w, r, v, http.StatusOK, personForm{})
}

func (c *console) renderPeople(w http.ResponseWriter, r *http.Request, v *view, status int, form personForm) {
	var users api.UserList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/users", nil, &users); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := peopleData{ListOn: v.Me.RestrictedListOn, Form: form.setupForm,
		CanToggle:   v.Can(string(access.RestrictedToggle)),
		CanEditList: v.Can(string(access.RestrictedEdit)),
		CanAdd:      v.Can(string(access.UserCreate)),
		NewBoxes:    roleBoxes(v.actor, 0, form.Roles)}
	for _, u := range users.Users {
		row := personRow{UserInfo: u, Self: u.ID == v.Me.ID, HasRoles: len(u.Roles) > 0,
			Boxes: roleBoxes(v.actor, u.ID, access.RolesOf(u.Roles...))}
		for _, b := range row.Boxes {
			row.CanSave = row.CanSave || b.Editable
		}
		d.People = append(d.People, row)
	}
	v.Data = d
	c.render(w, v, status, "people")
}

// addPerson adds a person through POST /api/v1/users.
func (c *console) addPerson(w http.ResponseWriter, r *http.Request, v *view) {
	form := personForm{setupForm: setupForm{Login: r.PostFormValue("login"), DisplayName: r.PostFormValue("display_name")},
		Roles: formRoles(r, roleBoxes(v.actor, 0, 0), 0)}
	in := api.CreateUserRequest{Login: form.Login, DisplayName: form.DisplayName, Password: r.PostFormValue("password"),
		Roles: form.Roles.List()}
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/users", in, nil); err != nil {
		c.renderPeople(w, r, v, c.explain(r, v, err), form)
		return
	}
	http.Redirect(w, r, "/people?done=person_added", http.StatusSeeOther)
}

// setRoles replaces a person's roles through PUT /api/v1/users/{id}/roles,
// which checks the right to change each role again.
func (c *console) setRoles(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	var target api.UserList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/users", nil, &target); err != nil {
		c.fail(w, r, v, err)
		return
	}
	current, found := access.Roles(0), false
	for _, u := range target.Users {
		if u.ID == id {
			current, found = access.RolesOf(u.Roles...), true
		}
	}
	if !found {
		c.fail(w, r, v, &api.Error{Code: api.CodeNotFound})
		return
	}
	roles := formRoles(r, roleBoxes(v.actor, id, current), current)
	err := c.api.do(w, r, http.MethodPut, fmt.Sprintf("/api/v1/users/%d/roles", id), api.RolesRequest{Roles: roles.List()}, nil)
	if err != nil {
		c.renderPeople(w, r, v, c.explain(r, v, err), personForm{})
		return
	}
	http.Redirect(w, r, "/people?done=roles_saved", http.StatusSeeOther)
}

// toggleList turns the restricted-access list on or off through PUT
// /api/v1/access/restricted.
func (c *console) toggleList(w http.ResponseWriter, r *http.Request, v *view) {
	on := r.PostFormValue("on") == "true"
	var out api.RestrictedList
	if err := c.api.do(w, r, http.MethodPut, "/api/v1/access/restricted", api.RestrictedToggle{On: &on}, &out); err != nil {
		c.renderPeople(w, r, v, c.explain(r, v, err), personForm{})
		return
	}
	done := url.Values{"done": {"list_off"}}
	if on {
		done = url.Values{"done": {"list_on"}, "n": {strconv.Itoa(len(out.Added))}}
	}
	http.Redirect(w, r, "/people?"+done.Encode(), http.StatusSeeOther)
}

// editList adds a person to the list (member=add) or removes them
// (member=remove), which disables their workflows at once.
func (c *console) editList(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	path := fmt.Sprintf("/api/v1/access/restricted/members/%d", id)
	var err error
	done := url.Values{}
	if r.PostFormValue("member") == "remove" {
		var out api.RemovedMember
		err = c.api.do(w, r, http.MethodDelete, path, nil, &out)
		done.Set("done", "member_removed")
		done.Set("n", strconv.Itoa(len(out.DisabledWorkflows)))
	} else {
		err = c.api.do(w, r, http.MethodPut, path, nil, nil)
		done.Set("done", "member_added")
	}
	if err != nil {
		c.renderPeople(w, r, v, c.explain(r, v, err), personForm{})
		return
	}
	http.Redirect(w, r, "/people?"+done.Encode(), http.StatusSeeOther)
}

// pathID reads the {id} of a person's URL, answering 404 when it is not one.
func (c *console) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.notFound(w, r)
		return 0, false
	}
	return id, true
}
