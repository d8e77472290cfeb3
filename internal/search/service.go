package search

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// Conn is what the service needs of a Salesforce connection: the acting
// user's own *salesforce.Client, so that Salesforce's sharing applies.
type Conn interface {
	Token() salesforce.Token
	Describe(ctx context.Context, object string) (*salesforce.SObjectDescribe, error)
	DescribeGlobal(ctx context.Context) (*salesforce.GlobalDescribe, error)
	Search(ctx context.Context, sosl string) ([]*salesforce.Record, error)
	ListViews(ctx context.Context, object string) iter.Seq2[salesforce.ListView, error]
	ListViewResults(ctx context.Context, object, id string, limit, offset int) (*salesforce.ListViewResult, error)
}

var _ Conn = (*salesforce.Client)(nil)

// Term lengths accepted, in characters. Salesforce needs two that are not
// blanks, wildcards, quotes, parentheses or backslashes.
const (
	MinTermLength = 2
	MaxTermLength = 100
)

// Service searches Salesforce and reads list views as the connection's
// user. It keeps results briefly per user and list view choices in a
// ChoiceStore; nothing else is copied.
type Service struct {
	cfg     Config
	choices ChoiceStore

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	res     *Result
	expires time.Time
}

// NewService returns a service with cfg (see Config.Validate) that keeps
// list view choices in choices.
func NewService(cfg Config, choices ChoiceStore) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg.withDefaults(), choices: choices, cache: map[string]cached{}}, nil
}

// Search finds term across the configured objects in one SOSL search (one
// API call; the describes it needs are cached by the connection). Objects
// and fields the user cannot read are left out, not reported. A result is
// reused for the same user and term (case-insensitive) for Config.TTL;
// callers must not modify it.
func (s *Service) Search(ctx context.Context, conn Conn, term string) (*Result, error) {
	term = strings.Join(strings.Fields(term), " ")
	if err := checkTerm(term); err != nil {
		return nil, err
	}
	key := userKey(conn) + "\x00" + strings.ToLower(term)
	if res, ok := s.cached(key); ok {
		return res, nil
	}
	plans, err := s.plan(ctx, conn)
	if err != nil {
		return nil, err
	}
	res := &Result{Term: term}
	for _, p := range plans {
		res.Searched = append(res.Searched, p.object)
	}
	if len(plans) > 0 {
		records, err := conn.Search(ctx, sosl(term, plans, s.cfg.PerObject))
		if err != nil {
			return nil, fmt.Errorf("searching for %q: %w", term, err)
		}
		tok := conn.Token()
		res.Groups = group(records, plans, tok.InstanceURL)
	}
	res.At = s.cfg.Now()
	s.store(key, res)
	return res, nil
}

// checkTerm refuses a term Salesforce would refuse, or too long.
func checkTerm(term string) error {
	significant := 0
	for _, r := range term {
		if !unicode.IsSpace(r) && !strings.ContainsRune(`*?"()\`, r) {
			significant++
		}
	}
	switch n := utf8.RuneCountInString(term); {
	case significant < MinTermLength:
		return &TermError{Term: term, Reason: fmt.Sprintf("type at least %d letters or digits", MinTermLength)}
	case n > MaxTermLength:
		return &TermError{Term: term, Reason: fmt.Sprintf("is %d characters long; at most %d are searched", n, MaxTermLength)}
	}
	return nil
}

func (s *Service) cached(key string) (*Result, bool) {
	if s.cfg.TTL < 0 {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[key]
	if !ok || !s.cfg.Now().Before(c.expires) {
		return nil, false
	}
	return c.res, true
}

func (s *Service) store(key string, res *Result) {
	if s.cfg.TTL < 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	for k, c := range s.cache {
		if !now.Before(c.expires) {
			delete(s.cache, k)
		}
	}
	s.cache[key] = cached{res: res, expires: now.Add(s.cfg.TTL)}
}

// Forget drops the connection's user's cached results, e.g. after they
// changed records.
func (s *Service) Forget(conn Conn) {
	prefix := userKey(conn) + "\x00"
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.cache {
		if strings.HasPrefix(k, prefix) {
			delete(s.cache, k)
		}
	}
}

// userKey identifies the connection's org and user.
func userKey(conn Conn) string {
	tok := conn.Token()
	return tok.OrgID() + "/" + tok.UserID()
}
