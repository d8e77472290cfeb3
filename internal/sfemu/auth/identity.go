package auth

import (
	"net/http"
	"strings"
	"time"
)

// identityURLs is the "urls" object of identity responses; {version} is
// left for the client to fill, as Salesforce does. Only the resources the
// emulator serves are listed.
type identityURLs struct {
	REST         string `json:"rest"`
	SObjects     string `json:"sobjects"`
	Search       string `json:"search"`
	Query        string `json:"query"`
	Recent       string `json:"recent"`
	Profile      string `json:"profile"`
	CustomDomain string `json:"custom_domain"`
}

type photos struct {
	Picture   string `json:"picture"`
	Thumbnail string `json:"thumbnail"`
}

// identity is the identity URL's response, in Salesforce's key order.
type identity struct {
	ID               string  `json:"id"`
	AssertedUser     bool    `json:"asserted_user"`
	UserID           string  `json:"user_id"`
	OrganizationID   string  `json:"organization_id"`
	Username         string  `json:"username"`
	NickName         string  `json:"nick_name"`
	DisplayName      string  `json:"display_name"`
	Email            string  `json:"email"`
	EmailVerified    bool    `json:"email_verified"`
	FirstName        string  `json:"first_name"`
	LastName         string  `json:"last_name"`
	Timezone         string  `json:"timezone"`
	Photos           photos  `json:"photos"`
	AddrStreet       *string `json:"addr_street"`
	AddrCity         *string `json:"addr_city"`
	AddrState        *string `json:"addr_state"`
	AddrCountry      *string `json:"addr_country"`
	AddrZip          *string `json:"addr_zip"`
	MobilePhone      *string `json:"mobile_phone"`
	MobileVerified   bool    `json:"mobile_phone_verified"`
	IsLightningLogin bool    `json:"is_lightning_login_user"`
	account
}

// userinfo is the OpenID Connect userinfo response, in Salesforce's key order.
type userinfo struct {
	Sub               string `json:"sub"`
	UserID            string `json:"user_id"`
	OrganizationID    string `json:"organization_id"`
	PreferredUsername string `json:"preferred_username"`
	Nickname          string `json:"nickname"`
	Name              string `json:"name"`
	Email             string `json:"email"`
	EmailVerified     bool   `json:"email_verified"`
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	Zoneinfo          string `json:"zoneinfo"`
	Photos            photos `json:"photos"`
	Profile           string `json:"profile"`
	Picture           string `json:"picture"`
	IsIntegrationUser bool   `json:"is_salesforce_integration_user"`
	account
}

// account is the part both identity and userinfo end with, in
// Salesforce's key order.
type account struct {
	URLs           identityURLs `json:"urls"`
	Active         bool         `json:"active"`
	UserType       string       `json:"user_type"`
	Language       string       `json:"language"`
	Locale         string       `json:"locale"`
	UTCOffset      int64        `json:"utcOffset"`
	IsAppInstalled bool         `json:"is_app_installed"`
}

// accountOf is u's account part of an identity response.
func (s *Server) accountOf(base string, u User) account {
	return account{
		URLs: identityLinks(base, u), Active: u.Active, UserType: "STANDARD",
		Language: orDefault(u.Language, "en_US"), Locale: orDefault(u.Locale, "en_US"),
		UTCOffset: s.utcOffset(u), IsAppInstalled: true,
	}
}

// bearer returns the session behind the request's Bearer/OAuth header or
// its oauth_token parameter; identity endpoints answer 403 Bad_OAuth_Token
// without one.
func (s *Server) bearer(r *http.Request) (Session, bool) {
	if tok := r.FormValue("oauth_token"); tok != "" {
		sess, err := s.Lookup(tok)
		return sess, err == nil
	}
	sess, err := s.Authenticate(r)
	return sess, err == nil
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

// identityCaller is the session of an identity request; when the method is
// not GET or POST, or the token is missing or bad, it answers the request
// (405, or 403 Bad_OAuth_Token) and reports false.
func (s *Server) identityCaller(w http.ResponseWriter, r *http.Request) (Session, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeText(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return Session{}, false
	}
	sess, ok := s.bearer(r)
	if !ok {
		writeText(w, http.StatusForbidden, "Bad_OAuth_Token")
	}
	return sess, ok
}

// handleIdentity serves GET /id/{orgId}/{userId}.
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.identityCaller(w, r)
	if !ok {
		return
	}
	if org := r.PathValue("org"); len(org) < 15 || org[:15] != s.orgID15 {
		writeText(w, http.StatusForbidden, "Wrong_Org")
		return
	}
	u, found := s.cfg.Users.UserByID(r.PathValue("user"))
	if !found {
		writeText(w, http.StatusNotFound, "Bad_Id")
		return
	}
	base := s.baseURL(r)
	writeJSON(w, http.StatusOK, identity{
		ID: s.identityURL(r, u.ID), AssertedUser: u.ID == sess.UserID, UserID: u.ID,
		OrganizationID: s.cfg.OrgID, Username: u.Username, NickName: nickname(u), DisplayName: u.DisplayName(),
		Email: u.Email, EmailVerified: true, FirstName: u.FirstName, LastName: u.LastName,
		Timezone: zoneOf(u), Photos: userPhotos(base), account: s.accountOf(base, u),
	})
}

// handleUserinfo serves GET/POST /services/oauth2/userinfo for the token's user.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.identityCaller(w, r)
	if !ok {
		return
	}
	u, found := s.cfg.Users.UserByID(sess.UserID)
	if !found {
		writeText(w, http.StatusForbidden, "Bad_OAuth_Token")
		return
	}
	base := s.baseURL(r)
	p := userPhotos(base)
	writeJSON(w, http.StatusOK, userinfo{
		Sub: s.identityURL(r, u.ID), UserID: u.ID, OrganizationID: s.cfg.OrgID,
		PreferredUsername: u.Username, Nickname: nickname(u), Name: u.DisplayName(), Email: u.Email,
		EmailVerified: true, GivenName: u.FirstName, FamilyName: u.LastName, Zoneinfo: zoneOf(u),
		Photos: p, Profile: base + "/" + u.ID, Picture: p.Picture, account: s.accountOf(base, u),
	})
}

func identityLinks(base string, u User) identityURLs {
	rest := base + "/services/data/v{version}/"
	return identityURLs{
		REST: rest, SObjects: rest + "sobjects/", Search: rest + "search/", Query: rest + "query/",
		Recent: rest + "recent/", Profile: base + "/" + u.ID, CustomDomain: base,
	}
}

func userPhotos(base string) photos {
	return photos{Picture: base + "/profilephoto/005/F", Thumbnail: base + "/profilephoto/005/T"}
}

func nickname(u User) string {
	name, _, _ := strings.Cut(u.Username, "@")
	return name
}

func zoneOf(u User) string { return orDefault(u.TimeZone, "GMT") }

// utcOffset is the user's time zone offset from UTC now, in milliseconds.
func (s *Server) utcOffset(u User) int64 {
	loc, err := time.LoadLocation(zoneOf(u))
	if err != nil {
		return 0
	}
	_, off := s.cfg.Clock.Now().In(loc).Zone()
	return int64(off) * 1000
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
