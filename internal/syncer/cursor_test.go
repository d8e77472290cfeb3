package syncer

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2024, 3, 1, 10, 0, 5, 250_000_000, time.UTC)

func TestCursorAfter(t *testing.T) {
	t.Parallel()

	cases := []struct {
		c, d Cursor
		want bool
	}{
		{Cursor{t0, "001B"}, Cursor{t0, "001A"}, true},
		{Cursor{t0, "001A"}, Cursor{t0, "001A"}, false},
		{Cursor{t0, "001A"}, Cursor{t0, "001B"}, false},
		{Cursor{t0.Add(time.Millisecond), "001A"}, Cursor{t0, "001Z"}, true},
		{Cursor{t0, ""}, Cursor{}, true},
		{Cursor{}, Cursor{}, false},
		{Cursor{t0.In(time.FixedZone("x", 3600)), "001A"}, Cursor{t0, "001A"}, false},
	}
	for _, c := range cases {
		if got := c.c.After(c.d); got != c.want {
			t.Errorf("%v.After(%v) = %v; want %v", c.c, c.d, got, c.want)
		}
	}
}

func TestDecodeCheckpoint(t *testing.T) {
	t.Parallel()

	stored := Checkpoint{Format: checkpointVersion, Phase: PhaseIncremental, Plan: "p1",
		Cursor: Cursor{t0, "001A"}, SettleAt: t0.Add(time.Minute), Settled: true}
	cases := []struct {
		name    string
		in      []byte
		plan    string
		want    Checkpoint
		wantErr bool
	}{
		{"nothing stored", nil, "p1", newCheckpoint("p1"), false},
		{"round trip", stored.encode(), "p1", stored, false},
		{"plan changed", stored.encode(), "p2", newCheckpoint("p2"), false},
		{"older format", []byte(`{"format":0,"phase":"incremental","plan":"p1"}`), "p1", newCheckpoint("p1"), false},
		{"unknown phase", []byte(`{"format":1,"phase":"later","plan":"p1"}`), "p1", Checkpoint{}, true},
		{"not JSON", []byte(`{`), "p1", Checkpoint{}, true},
	}
	for _, c := range cases {
		got, err := decodeCheckpoint(c.in, c.plan)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: error %v; want error %v", c.name, err, c.wantErr)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", c.name, diff)
		}
	}
}

func TestCheckpointStarts(t *testing.T) {
	t.Parallel()

	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // local clock, unrelated to Salesforce's
	sec := time.Date(2024, 3, 1, 10, 0, 5, 0, time.UTC)
	cur := Cursor{t0, "001A"}
	cases := []struct {
		name  string
		cp    Checkpoint
		load  Start
		start Start
		sweep bool
	}{
		{"nothing read", Checkpoint{}, Start{}, Start{}, false},
		{"unsettled: the cursor's whole second", Checkpoint{Cursor: cur, SweepAt: now.Add(time.Second)},
			Start{Second: sec}, Start{Second: sec}, false},
		{"sweep due", Checkpoint{Cursor: cur, SweepAt: now, SweepFrom: t0.Add(-time.Minute)},
			Start{Second: sec}, Start{Second: sec.Add(-time.Minute)}, true},
		{"settled: the next second, no sweep", Checkpoint{Cursor: cur, SweepAt: now, Settled: true},
			Start{Second: sec}, Start{Second: sec.Add(time.Second)}, false},
	}
	for _, c := range cases {
		if got := c.cp.loadStart(); got != c.load {
			t.Errorf("%s: loadStart = %+v; want %+v", c.name, got, c.load)
		}
		got, sweep := c.cp.changesStart(now)
		if got != c.start || sweep != c.sweep {
			t.Errorf("%s: changesStart = %+v, sweep %v; want %+v, %v", c.name, got, sweep, c.start, c.sweep)
		}
	}
}

func TestCheckpointSweepsAndSettles(t *testing.T) {
	t.Parallel()

	const lookback = time.Minute
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cp := newCheckpoint("p")
	cp.Floor = t0
	cp.Cursor = Cursor{t0.Add(-time.Hour), "001A"}
	cp.finishLoad(now, lookback)
	want := Checkpoint{Format: checkpointVersion, Phase: PhaseIncremental, Plan: "p",
		Cursor: Cursor{Modstamp: t0}, SweepFrom: t0.Add(-lookback), SweepAt: now.Add(lookback),
		SettleAt: now.Add(lookback + settleMargin)}
	if diff := cmp.Diff(want, cp); diff != "" {
		t.Fatalf("finishLoad below the floor (-want +got)\n%s", diff)
	}

	// A change read before the sweep is due.
	c1 := Cursor{t0.Add(time.Second), "001B"}
	cp.advance(c1, now.Add(10*time.Second), lookback)
	if cp.Cursor != c1 || !cp.SettleAt.Equal(now.Add(10*time.Second+lookback+settleMargin)) {
		t.Fatalf("advance: %+v", cp)
	}
	cp.advance(Cursor{t0, "001Z"}, now.Add(11*time.Second), lookback) // not after the cursor
	if cp.Cursor != c1 {
		t.Fatalf("advance to an earlier position moved the cursor to %v", cp.Cursor)
	}
	cp.finishRead(now.Add(10*time.Second), Cursor{Modstamp: t0}, false, lookback)
	if cp.Settled {
		t.Fatalf("finishRead of a plain read settled: %+v", cp)
	}

	// The sweep: it began before SettleAt, so the stream stays unsettled.
	began := now.Add(lookback)
	if _, sweep := cp.changesStart(began); !sweep {
		t.Fatal("no sweep at SweepAt")
	}
	cp.finishRead(began, c1, true, lookback)
	if cp.Settled || !cp.SweepFrom.Equal(c1.Modstamp.Add(-lookback)) || !cp.SweepAt.Equal(began.Add(lookback)) {
		t.Fatalf("after a sweep before SettleAt: %+v", cp)
	}
	// The next sweep begins after SettleAt: settled.
	began = began.Add(lookback)
	cp.finishRead(began, c1, true, lookback)
	if !cp.Settled {
		t.Fatalf("a sweep after SettleAt did not settle: %+v", cp)
	}
	if _, sweep := cp.changesStart(began.Add(time.Hour)); sweep {
		t.Fatal("a settled stream sweeps")
	}

	// A change unsettles it: the next sweep starts at the settled cursor.
	c2 := Cursor{t0.Add(time.Hour), "001C"}
	cp.advance(c2, began.Add(time.Hour), lookback)
	if cp.Settled || !cp.SweepFrom.Equal(c1.Modstamp) || !cp.SweepAt.Equal(began.Add(time.Hour+lookback)) {
		t.Fatalf("advance from a settled stream: %+v", cp)
	}
}
