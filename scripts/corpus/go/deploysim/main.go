// deploysim: the `checkout` service's log over three hours, written by Go's log/slog TextHandler (logfmt)
// with a virtual clock. Two and a half hours cannot be run for real here, so the events are scripted and
// time advances by simulation steps; the formatting (time=, level=, msg=, key=value quoting) is slog's own.
//
// Story: at 10:02:14 the deploy of v2.14.0 reloads the price cache with max_entries=0 (unbounded). The
// cache grows, the heap follows, GC pauses and latency grow, and at 12:15:41 the process dies out of
// memory; the orchestrator restarts it. Unrelated noise: a one-off payment-provider timeout at 10:41, a
// rate-limit reload at 09:31 that changes nothing, routine per-minute stats.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

var now = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Time(slog.TimeKey, now)
			}
			return a
		},
	}))
}

func main() {
	log := logger()
	at := func(h, m, s, ms int) { now = time.Date(2026, 12, 4, h, m, s, ms*int(time.Millisecond), time.UTC) }
	http := log.With("component", "http")
	cache := log.With("component", "pricecache")
	rt := log.With("component", "runtime")
	pay := log.With("component", "payments")

	at(9, 30, 0, 12)
	log.Info("starting checkout", "version", "v2.13.2", "go", "go1.26", "pid", 4187)
	at(9, 30, 0, 240)
	cache.Info("configuration loaded", "max_entries", 50000, "ttl", "10m")
	at(9, 30, 0, 311)
	http.Info("listening", "addr", "0.0.0.0:8080")
	at(9, 31, 5, 877)
	http.Info("configuration reloaded", "rate_limit_rps", 400, "previous_rate_limit_rps", 400, "changed", false)

	entries, heap, p99, gc := 48100, 182, 41, 3
	deployed := false
	for minute := 0; minute <= 164; minute++ {
		t := time.Date(2026, 12, 4, 9, 32, 0, 0, time.UTC).Add(time.Duration(minute) * time.Minute)
		if !deployed && t.After(time.Date(2026, 12, 4, 10, 2, 0, 0, time.UTC)) {
			deployed = true
			at(10, 2, 14, 503)
			cache.Info("configuration reloaded", "version", "v2.14.0", "previous_version", "v2.13.2",
				"max_entries", 0, "previous_max_entries", 50000, "ttl", "10m")
		}
		if t.Equal(time.Date(2026, 12, 4, 10, 6, 0, 0, time.UTC)) {
			at(10, 5, 40, 118)
			cache.Warn("eviction disabled: max_entries=0, cache is unbounded", "entries", entries)
		}
		if deployed {
			entries += 2900 + minute*7
			heap = 182 + (entries-48100)/260
			gc = 3 + (heap-182)/5
			p99 = 41 + (heap-182)/3
		}
		now = t.Add(time.Duration(minute%7) * 137 * time.Millisecond)
		http.Info("requests served", "count", 5900+minute%13*11, "errors", minute%5/4, "p99_ms", p99)
		if minute%5 == 0 {
			now = now.Add(2 * time.Second)
			cache.Info("cache stats", "entries", entries, "hit_ratio", 0.93, "evictions", map[bool]int{true: 0, false: 1210}[deployed])
			rt.Info("memory", "heap_mb", heap, "limit_mb", 2048, "gc_pause_ms", gc)
		}
		if deployed && entries > 50000 && minute%30 == 0 {
			now = now.Add(2500 * time.Millisecond)
			cache.Warn("cache above soft limit", "entries", entries, "soft_limit", 50000)
		}
		if heap > 1400 && minute%4 == 0 {
			now = now.Add(3 * time.Second)
			rt.Warn("heap usage high", "heap_mb", heap, "limit_mb", 2048)
		}
		if gc > 250 && minute%3 == 0 {
			now = now.Add(4 * time.Second)
			rt.Warn("long GC pause", "gc_pause_ms", gc)
		}
		if p99 > 500 && minute%2 == 0 {
			now = now.Add(5 * time.Second)
			http.Warn("slow requests", "p99_ms", p99, "slo_ms", 500)
		}
		if t.Equal(time.Date(2026, 12, 4, 10, 41, 0, 0, time.UTC)) {
			now = now.Add(9 * time.Second)
			pay.Error("payment provider timeout", "provider", "acme-pay", "order_id", "ord-88213", "timeout", "5s")
			now = now.Add(2 * time.Second)
			pay.Info("payment retried", "provider", "acme-pay", "order_id", "ord-88213", "attempt", 2, "ok", true)
		}
		if heap >= 2000 {
			for i, path := range []string{"/api/cart", "/api/price", "/api/checkout"} {
				now = now.Add(time.Duration(7+i*3) * time.Second)
				http.Error("request timed out", "path", path, "timeout", "3s", "p99_ms", p99)
			}
			now = now.Add(11066 * time.Millisecond)
			rt.Error("out of memory: heap limit exceeded, exiting", "heap_mb", 2049, "limit_mb", 2048,
				"err", fmt.Errorf("runtime: cannot allocate memory"))
			now = now.Add(8836 * time.Millisecond)
			log.Info("starting checkout", "version", "v2.14.0", "go", "go1.26", "pid", 6021)
			now = now.Add(231 * time.Millisecond)
			cache.Info("configuration loaded", "max_entries", 0, "ttl", "10m")
			return
		}
	}
}
