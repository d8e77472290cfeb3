package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// StatsSource reports the numbers behind the sync metrics. The packages that
// own them (syncer, the outbox, the Salesforce client) are gathered by the
// server's wiring into one implementation; /metrics calls Stats on every
// scrape, so it must be cheap (counters in memory, one indexed query).
type StatsSource interface {
	Stats(ctx context.Context) (Stats, error)
}

// Stats is one snapshot of the sync numbers.
type Stats struct {
	Orgs      []OrgStats
	Workflows []WorkflowStats
}

// OrgStats are one Salesforce org's API numbers.
type OrgStats struct {
	Org string // the org's name in sfbridge: the metric label
	// APICalls counts the API calls sfbridge made to the org since it
	// started (a counter).
	APICalls uint64
	// APIUsed and APILimit are the daily API requests used and allowed, as
	// last read from Sforce-Limit-Info.
	APIUsed, APILimit int64
}

// WorkflowStats are one workflow's sync numbers.
type WorkflowStats struct {
	Workflow string // the workflow's name: the metric label
	Org      string
	// Lag is how far the inbound checkpoint trails now: the age of the
	// newest change synced, 0 when nothing waits.
	Lag time.Duration
	// RowsIn and RowsOut count rows synced from and to Salesforce since the
	// process started (counters).
	RowsIn, RowsOut uint64
	Errors          uint64 // rows or calls that failed, since start (counter)
	Conflicts       uint64 // conflicts met, since start (counter)
	OutboxDepth     int64  // local changes waiting to go to Salesforce
}

// Metrics returns the registry behind /metrics, for packages that keep
// their own collectors. Names start with "sfbridge_".
func (s *Server) Metrics() prometheus.Registerer { return s.registry }

func (s *Server) initMetrics() error {
	s.registry = prometheus.NewRegistry()
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sfbridge_http_requests_total",
		Help: "HTTP requests served, by route pattern and status code.",
	}, []string{"route", "code"})
	cs := []prometheus.Collector{
		s.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	if s.opts.Stats != nil {
		cs = append(cs, &statsCollector{src: s.opts.Stats, log: s.log.Error})
	}
	for _, c := range cs {
		if err := s.registry.Register(c); err != nil {
			return fmt.Errorf("registering metrics: %w", err)
		}
	}
	return nil
}

func (s *Server) metricsRoute() route {
	rt := public(http.MethodGet, "/metrics", "Prometheus metrics", nil)
	rt.raw = promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	rt.rawType = "text/plain"
	return rt
}

var (
	descStatsUp = prometheus.NewDesc("sfbridge_stats_up",
		"1 if the last collection of sync statistics succeeded, else 0.", nil, nil)
	descAPICalls = prometheus.NewDesc("sfbridge_salesforce_api_calls_total",
		"Salesforce API calls made by sfbridge since it started.", []string{"org"}, nil)
	descAPIUsed = prometheus.NewDesc("sfbridge_salesforce_api_used",
		"Daily Salesforce API requests used, from Sforce-Limit-Info.", []string{"org"}, nil)
	descAPILimit = prometheus.NewDesc("sfbridge_salesforce_api_limit",
		"Daily Salesforce API requests allowed, from Sforce-Limit-Info.", []string{"org"}, nil)
	descLag = prometheus.NewDesc("sfbridge_sync_lag_seconds",
		"How far the workflow's inbound sync trails Salesforce.", []string{"workflow", "org"}, nil)
	descRows = prometheus.NewDesc("sfbridge_rows_synced_total",
		"Rows synced, by direction (inbound: from Salesforce; outbound: to it).", []string{"workflow", "org", "direction"}, nil)
	descErrors = prometheus.NewDesc("sfbridge_sync_errors_total",
		"Rows or calls that failed to sync.", []string{"workflow", "org"}, nil)
	descConflicts = prometheus.NewDesc("sfbridge_sync_conflicts_total",
		"Conflicts met while syncing.", []string{"workflow", "org"}, nil)
	descOutbox = prometheus.NewDesc("sfbridge_outbox_depth",
		"Local changes waiting to be sent to Salesforce.", []string{"workflow", "org"}, nil)
)

// statsCollector turns a StatsSource snapshot into metrics at scrape time.
type statsCollector struct {
	src StatsSource
	log func(msg string, args ...any)
}

// statsTimeout bounds one scrape's call to Stats.
const statsTimeout = 5 * time.Second

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descStatsUp, descAPICalls, descAPIUsed, descAPILimit,
		descLag, descRows, descErrors, descConflicts, descOutbox} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		c.log("api: collecting sync statistics", "err", err)
		ch <- prometheus.MustNewConstMetric(descStatsUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descStatsUp, prometheus.GaugeValue, 1)
	for _, o := range st.Orgs {
		ch <- prometheus.MustNewConstMetric(descAPICalls, prometheus.CounterValue, float64(o.APICalls), o.Org)
		ch <- prometheus.MustNewConstMetric(descAPIUsed, prometheus.GaugeValue, float64(o.APIUsed), o.Org)
		ch <- prometheus.MustNewConstMetric(descAPILimit, prometheus.GaugeValue, float64(o.APILimit), o.Org)
	}
	for _, w := range st.Workflows {
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, w.Lag.Seconds(), w.Workflow, w.Org)
		ch <- prometheus.MustNewConstMetric(descRows, prometheus.CounterValue, float64(w.RowsIn), w.Workflow, w.Org, "inbound")
		ch <- prometheus.MustNewConstMetric(descRows, prometheus.CounterValue, float64(w.RowsOut), w.Workflow, w.Org, "outbound")
		ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(w.Errors), w.Workflow, w.Org)
		ch <- prometheus.MustNewConstMetric(descConflicts, prometheus.CounterValue, float64(w.Conflicts), w.Workflow, w.Org)
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.GaugeValue, float64(w.OutboxDepth), w.Workflow, w.Org)
	}
}
