package org

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
)

// The built-in development users; both have the password DevPassword.
const (
	AdminUsername    = "admin@example.com"
	StandardUsername = "user@example.com"
	DevPassword      = "sfbridge"
)

// userAuth is what the org keeps about a user besides the User record: the
// password hash (emulator-only; it is never part of a record).
type userAuth struct {
	hash string
}

// User is a user as the OAuth server and the CLI see one.
type User struct {
	ID        string // 18-character User ID
	Username  string
	FirstName string
	LastName  string
	Email     string
	Alias     string
	Active    bool
	ProfileID string
	Profile   string // profile name
	TimeZone  string // IANA zone, e.g. "America/Los_Angeles"
	Locale    string // e.g. "en_US"
	Language  string // e.g. "en_US"
}

// NewUser describes a user to create.
type NewUser struct {
	Username, Password, FirstName, LastName, Email, Alias string
	Profile                                               string // profile name
	TimeZone, Locale, Language                            string // defaults: the org's
}

// passwordIterations is the PBKDF2 cost. Emulator passwords protect test
// data, not secrets; the cost keeps logins and tests fast.
const passwordIterations = 4096

func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(passwordIterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err != nil || err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// bootstrap creates what every org has: the two built-in profiles, its
// Organization row (whose ID is the org ID), and the development users.
func (o *Org) bootstrap() error {
	reg := o.Registry()
	o.mu.Lock()
	defer o.mu.Unlock()
	// Every record, the admin included, is created by the admin, whose ID
	// is known in advance: it is record 4, after the profiles and the
	// Organization row.
	const adminNum = 4
	adminID, err := sfid.New(reg.Object("User").KeyPrefix, o.pod, adminNum)
	if err != nil {
		return err
	}
	o.admin = adminNum
	sys := &Principal{org: o, userID: adminID, system: true, profile: &Profile{Name: SystemAdministrator}, loc: loadLocation(o.settings.TimeZone)}
	var profileIDs []string
	for _, p := range builtinProfiles() {
		id, err := o.insertValues(sys, "Profile", Values{"Name": p.Name, "PermissionsViewAllData": p.ViewAllData,
			"PermissionsModifyAllData": p.ModifyAllData, "PermissionsApiEnabled": true, "UserType": "Standard"})
		if err != nil {
			return fmt.Errorf("creating profile %s: %w", p.Name, err)
		}
		p.ID = id
		o.profiles[id] = p
		profileIDs = append(profileIDs, id)
	}
	if o.id, err = o.insertValues(sys, "Organization", o.organizationValues()); err != nil {
		return fmt.Errorf("creating the Organization row: %w", err)
	}
	for i, u := range []NewUser{
		{Username: AdminUsername, FirstName: "Admin", LastName: "User", Alias: "admin"},
		{Username: StandardUsername, FirstName: "Standard", LastName: "User", Alias: "user"},
	} {
		u.Email, u.Password = u.Username, DevPassword
		id, err := o.createUser(sys, u, profileIDs[i], nil)
		if err != nil {
			return fmt.Errorf("creating user %s: %w", u.Username, err)
		}
		if i == 0 && id != adminID {
			return fmt.Errorf("bootstrapping the org: the admin got ID %s, want %s", id, adminID)
		}
	}
	return nil
}

func (o *Org) organizationValues() Values {
	access := func(object, private, public string) string {
		if o.sharingOf(o.Registry().Object(object)) == schema.SharingPrivate {
			return private
		}
		return public
	}
	return Values{
		"Name": o.settings.Name, "Country": "US", "PrimaryContact": "Admin User",
		"DefaultLocaleSidKey": o.settings.Locale, "TimeZoneSidKey": o.settings.TimeZone,
		"LanguageLocaleKey": o.settings.Language, "ReceivesInfoEmails": true, "ReceivesAdminInfoEmails": true,
		"FiscalYearStartMonth": int64(o.settings.FiscalYearStartMonth), "UsesStartDateAsFiscalYearName": false,
		"DefaultAccountAccess": access("Account", "None", "Edit"), "DefaultContactAccess": "ControlledByParent",
		"DefaultOpportunityAccess": access("Opportunity", "None", "Edit"),
		"DefaultLeadAccess":        access("Lead", "None", "ReadEditTransfer"),
		"DefaultCaseAccess":        access("Case", "None", "ReadEditTransfer"), "DefaultCalendarAccess": "HideDetailsInsert",
		"DefaultPricebookAccess": "ReadSelect", "DefaultCampaignAccess": "All", "UiSkin": "Theme3",
		"SignupCountryIsoCode": "US", "OrganizationType": "Developer Edition", "InstanceName": "EMU1",
		"IsSandbox": false, "WebToCaseDefaultOrigin": "Web", "MonthlyPageViewsUsed": int64(0),
		"MonthlyPageViewsEntitlement": int64(0), "IsReadOnly": false,
	}
}

// CreateUser creates a user with a password. as must be allowed to create
// users.
func (o *Org) CreateUser(ctx context.Context, as *Principal, u NewUser) (string, error) {
	var id string
	err := o.write(ctx, func() error {
		p := o.profileNamed(u.Profile)
		if p == nil {
			return schema.NewError("INVALID_CROSS_REFERENCE_KEY", fmt.Sprintf("no profile named %q", u.Profile), "ProfileId")
		}
		var err error
		id, err = o.createUser(as, u, p.ID, nil)
		return err
	})
	return id, err
}

// createUser creates a user record, with extra field values, and stores
// its password. mu is held.
func (o *Org) createUser(as *Principal, u NewUser, profileID string, extra Values) (string, error) {
	if u.Password == "" {
		return "", schema.NewError("INVALID_NEW_PASSWORD", "Your password must have at least 1 character")
	}
	hash, err := hashPassword(u.Password)
	if err != nil {
		return "", err
	}
	v := Values{"Username": u.Username, "FirstName": u.FirstName, "LastName": u.LastName, "Email": u.Email,
		"Alias": u.Alias, "ProfileId": profileID, "TimeZoneSidKey": or(u.TimeZone, o.settings.TimeZone),
		"LocaleSidKey": or(u.Locale, o.settings.Locale), "LanguageLocaleKey": or(u.Language, o.settings.Language),
		"EmailEncodingKey": "UTF-8"}
	if u.Alias == "" {
		v["Alias"] = strings.ToLower(truncate(u.FirstName, 1) + truncate(u.LastName, 4))
	}
	for k, x := range extra {
		v[k] = x
	}
	id, err := o.insertValues(as, "User", v)
	if err != nil {
		return "", err
	}
	o.users[recordNumber(id)] = &userAuth{hash: hash}
	return id, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// SetPassword changes a user's password.
func (o *Org) SetPassword(ctx context.Context, userID, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return o.write(ctx, func() error {
		r := o.userRecord(userID)
		if r == nil {
			return errNotFound()
		}
		o.users[r.num] = &userAuth{hash: hash}
		return nil
	})
}

// userRecord returns the live User record with the given ID; mu is held.
func (o *Org) userRecord(id string) *Record {
	id18, err := sfid.To18(id)
	if err != nil {
		return nil
	}
	r := o.recs[recordNumber(id18)]
	if r == nil || r.ID() != id18 || r.sys.obj != "User" {
		return nil
	}
	return r
}

// userBox returns a user ID boxed once: the user record's own box when the
// user exists. mu is held.
func (o *Org) userBox(id string) any {
	if r := o.userRecord(id); r != nil {
		return r.id
	}
	return o.box(id)
}

// user converts a User record; mu is held.
func (o *Org) user(r *Record) User {
	uo := o.Registry().Object("User")
	str := func(name string) string { s, _ := r.Get(uo.Field(name)).(string); return s }
	u := User{ID: r.ID(), Username: str("Username"), FirstName: str("FirstName"), LastName: str("LastName"),
		Email: str("Email"), Alias: str("Alias"), Active: r.Get(uo.Field("IsActive")) == true,
		ProfileID: str("ProfileId"), TimeZone: str("TimeZoneSidKey"), Locale: str("LocaleSidKey"),
		Language: str("LanguageLocaleKey")}
	if p := o.profiles[u.ProfileID]; p != nil {
		u.Profile = p.Name
	}
	return u
}

// UserByID returns the user with the given 15- or 18-character ID.
func (o *Org) UserByID(id string) (User, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	r := o.userRecord(id)
	if r == nil {
		return User{}, false
	}
	return o.user(r), true
}

// UserByUsername returns the user with the given username, matched
// case-insensitively.
func (o *Org) UserByUsername(username string) (User, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	r := o.userNamed(username)
	if r == nil {
		return User{}, false
	}
	return o.user(r), true
}

func (o *Org) userNamed(username string) *Record {
	uo := o.Registry().Object("User")
	f := uo.Field("Username")
	n, ok := o.tables["User"].unique[f.Index][uniqueKey(f, username)]
	if !ok {
		return nil
	}
	return o.recs[n]
}

// Authenticate returns the user whose username and password match. It does
// not check that the user is active.
func (o *Org) Authenticate(username, password string) (User, bool) {
	o.mu.RLock()
	r := o.userNamed(username)
	var a *userAuth
	if r != nil {
		a = o.users[r.num]
	}
	o.mu.RUnlock()
	if a == nil || !checkPassword(a.hash, password) {
		return User{}, false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.user(r), true
}

// Users returns every user, active or not, in creation order.
func (o *Org) Users() []User {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []User
	for _, n := range o.tables["User"].order {
		if r := o.recs[n]; r != nil {
			out = append(out, o.user(r))
		}
	}
	return out
}
