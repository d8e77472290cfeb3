package sfemu

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

// AdminPrefix is where the admin API lives, apart from anything Salesforce serves.
const AdminPrefix = "/_emulator/"

// adminError is the admin API's error body: a stable code and a message
// saying what is wrong and how to fix it.
type adminError struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *adminError) Error() string { return e.Code + ": " + e.Message }

func badRequest(code, format string, args ...any) *adminError {
	return &adminError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// adminMux builds the admin API's routes.
func (e *Emulator) adminMux() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern string, h func(*http.Request) (any, error)) {
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			out, err := h(r)
			if err != nil {
				ae := &adminError{}
				if !errors.As(err, &ae) {
					ae = &adminError{Status: http.StatusInternalServerError, Code: "admin.internal", Message: err.Error()}
				}
				writeJSON(w, r, ae.Status, ae)
				return
			}
			writeJSON(w, r, http.StatusOK, out)
		})
	}
	p := strings.TrimSuffix(AdminPrefix, "/")
	for _, rt := range []struct {
		methods []string
		path    string
		serve   func(*http.Request) (any, error)
	}{
		{[]string{"GET"}, "/state", func(*http.Request) (any, error) { return e.State(), nil }},
		{[]string{"POST"}, "/records/{object}", e.adminInsert},
		{[]string{"POST"}, "/undelete", e.adminUndelete},
		{[]string{"POST"}, "/schema", e.adminSchema},
		{[]string{"POST"}, "/reset", e.adminReset},
		{[]string{"POST"}, "/save", e.adminSave},
		{[]string{"GET", "PUT"}, "/limits", e.adminLimits},
		{[]string{"GET", "PUT", "DELETE"}, "/faults", e.adminFaults},
		{[]string{"POST"}, "/revoke", e.adminRevoke},
		{[]string{"POST"}, "/sessions/expire", e.adminExpire},
		{[]string{"GET", "POST"}, "/clock", e.adminClock},
		{[]string{"GET"}, "/apps", func(*http.Request) (any, error) { return e.world().auth.Apps(), nil }},
		{[]string{"POST"}, "/apps", e.adminRegisterApp},
		{[]string{"POST"}, "/login", e.adminLogin},
	} {
		for _, method := range rt.methods {
			handle(method+" "+p+rt.path, rt.serve)
		}
	}
	m.HandleFunc(AdminPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusNotFound, &adminError{Code: "admin.not_found",
			Message: fmt.Sprintf("no admin resource %s %s; see internal/sfemu/doc.go for the list", r.Method, r.URL.Path)})
	})
	return m
}

// serveAdmin checks the admin token (not needed from loopback) and serves
// the admin API.
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		token := r.Header.Get("X-Emulator-Admin-Token")
		if token == "" {
			token = bearerToken(r)
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(e.adminToken)) != 1 {
			writeJSON(w, r, http.StatusUnauthorized, &adminError{Code: "admin.unauthorized",
				Message: "the admin API needs the admin token (printed when the emulator starts) in an " +
					"X-Emulator-Admin-Token or Authorization: Bearer header when called from another host"})
			return
		}
	}
	e.admin.ServeHTTP(w, r)
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readAdminJSON decodes a JSON body strictly; an empty body leaves v as is.
func readAdminJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return badRequest("admin.invalid_body", "reading the body: %v", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequest("admin.invalid_body", "the body is not the JSON expected: %v", err)
	}
	return nil
}

// usageBody is the admin view of the daily counters: API requests, and the
// Bulk API's batches and query jobs.
type usageBody struct {
	DailyAPIRequests     int `json:"dailyApiRequests"`
	Used                 int `json:"used"`
	DailyBulkAPIBatches  int `json:"dailyBulkApiBatches"`
	BulkAPIBatchesUsed   int `json:"bulkApiBatchesUsed"`
	DailyBulkV2QueryJobs int `json:"dailyBulkV2QueryJobs"`
	BulkV2QueryJobsUsed  int `json:"bulkV2QueryJobsUsed"`
}

// usageBody reports the daily counters.
func (e *Emulator) usageBody() usageBody {
	var b usageBody
	b.Used, b.DailyAPIRequests = e.usage.snapshot()
	b.BulkAPIBatchesUsed, b.DailyBulkAPIBatches, _ = e.usage.allocation(allocBulkBatches)
	b.BulkV2QueryJobsUsed, b.DailyBulkV2QueryJobs, _ = e.usage.allocation(allocQueryJobs)
	return b
}

func (e *Emulator) adminLimits(r *http.Request) (any, error) {
	if r.Method == http.MethodPut {
		var in struct {
			DailyAPIRequests     *int `json:"dailyApiRequests"`
			Used                 *int `json:"used"`
			DailyBulkAPIBatches  *int `json:"dailyBulkApiBatches"`
			DailyBulkV2QueryJobs *int `json:"dailyBulkV2QueryJobs"`
		}
		if err := readAdminJSON(r, &in); err != nil {
			return nil, err
		}
		if err := e.usage.set(in.DailyAPIRequests, in.Used); err != nil {
			return nil, badRequest("admin.invalid_limit", "%v", err)
		}
		for _, l := range []struct {
			name string
			most *int
		}{{allocBulkBatches, in.DailyBulkAPIBatches}, {allocQueryJobs, in.DailyBulkV2QueryJobs}} {
			if l.most == nil {
				continue
			}
			if err := e.usage.setLimit(l.name, *l.most); err != nil {
				return nil, badRequest("admin.invalid_limit", "%v", err)
			}
		}
	}
	return e.usageBody(), nil
}

func (e *Emulator) adminFaults(r *http.Request) (any, error) {
	switch r.Method {
	case http.MethodPut:
		var plan FaultPlan
		if err := readAdminJSON(r, &plan); err != nil {
			return nil, err
		}
		if err := e.SetFaults(plan); err != nil {
			return nil, badRequest("admin.invalid_faults", "%v", err)
		}
	case http.MethodDelete:
		if err := e.SetFaults(FaultPlan{}); err != nil {
			return nil, err
		}
	}
	seed, faults := e.faults.status()
	return map[string]any{"seed": seed, "faults": faults}, nil
}

func (e *Emulator) adminRevoke(r *http.Request) (any, error) {
	var in struct {
		UserID string `json:"userId"`
		Token  string `json:"token"`
	}
	if err := readAdminJSON(r, &in); err != nil {
		return nil, err
	}
	if in.Token != "" {
		if err := e.world().auth.Revoke(in.Token); err != nil {
			return nil, badRequest("admin.unknown_token", "%v", err)
		}
		return map[string]int{"revoked": 1}, nil
	}
	return map[string]int{"revoked": e.world().auth.RevokeUser(in.UserID)}, nil
}

func (e *Emulator) adminExpire(r *http.Request) (any, error) {
	var in struct {
		AccessToken string `json:"accessToken"`
	}
	if err := readAdminJSON(r, &in); err != nil {
		return nil, err
	}
	if in.AccessToken != "" {
		if !e.world().auth.ExpireSession(in.AccessToken) {
			return nil, badRequest("admin.unknown_token", "no live session has this access token")
		}
		return map[string]int{"expired": 1}, nil
	}
	return map[string]int{"expired": e.world().auth.ExpireSessions()}, nil
}

func (e *Emulator) adminClock(r *http.Request) (any, error) {
	if r.Method == http.MethodPost {
		var in struct {
			Advance string `json:"advance"`
			Set     string `json:"set"`
		}
		if err := readAdminJSON(r, &in); err != nil {
			return nil, err
		}
		switch {
		case in.Advance != "" && in.Set != "":
			return nil, badRequest("admin.invalid_clock", "give either advance or set, not both")
		case in.Advance != "":
			d, err := time.ParseDuration(in.Advance)
			if err != nil || d <= 0 {
				return nil, badRequest("admin.invalid_clock", "advance %q must be a positive Go duration such as \"90m\" or \"48h\"", in.Advance)
			}
			e.clock.Advance(d)
		case in.Set != "":
			t, err := time.Parse(time.RFC3339, in.Set)
			if err != nil {
				return nil, badRequest("admin.invalid_clock", "set %q must be an RFC 3339 time such as \"2026-03-01T09:00:00Z\"", in.Set)
			}
			e.clock.Set(t)
		default:
			return nil, badRequest("admin.invalid_clock", "give advance (a duration) or set (an RFC 3339 time)")
		}
		e.SettleBulk(r.Context())
	}
	return map[string]string{"now": e.clock.Now().Format(time.RFC3339Nano)}, nil
}

func (e *Emulator) adminRegisterApp(r *http.Request) (any, error) {
	var app auth.ConnectedApp
	if err := readAdminJSON(r, &app); err != nil {
		return nil, err
	}
	if err := e.world().auth.RegisterApp(app); err != nil {
		return nil, badRequest("admin.invalid_app", "%v", err)
	}
	return e.world().auth.Apps(), nil
}

func (e *Emulator) adminLogin(r *http.Request) (any, error) {
	var in struct {
		Username    string `json:"username"`
		ConsumerKey string `json:"consumerKey"`
	}
	if err := readAdminJSON(r, &in); err != nil {
		return nil, err
	}
	if in.ConsumerKey == "" {
		in.ConsumerKey = auth.DevConsumerKey
	}
	token, sess, err := e.world().auth.Login(in.ConsumerKey, in.Username)
	if err != nil {
		return nil, badRequest("admin.login_failed", "%v", err)
	}
	base := auth.RequestBaseURL(r, e.opts.BaseURL)
	return map[string]string{"accessToken": token, "instanceUrl": base, "userId": sess.UserID,
		"id": base + "/id/" + e.world().auth.OrgID() + "/" + sess.UserID}, nil
}
