// crashloop: a worker as it runs in a container, logging with zap's production config (JSON on stderr).
// It loads its config, dials its database (DB_ADDR) three times with back-off and exits through
// logger.Fatal when it cannot connect: in a pod whose database address is wrong this is a crash loop.
// BIG_CONFIG=1 also logs the effective config as one long line (longer than CRI's 16 KiB line limit).
package main

import (
	"fmt"
	"net"
	"os"
	"time"

	"go.uber.org/zap"
)

func main() {
	base, err := zap.NewProduction()
	if err != nil {
		panic(err)
	}
	logger := base.Named("payments-worker")
	defer func() { _ = logger.Sync() }()
	addr := os.Getenv("DB_ADDR")
	logger.Info("starting payments-worker", zap.String("version", "1.8.3"), zap.String("pod", os.Getenv("POD_NAME")))
	logger.Info("config loaded", zap.String("db_addr", addr), zap.String("queue", "payments.v1"))
	if os.Getenv("BIG_CONFIG") == "1" {
		routes := make([]string, 0, 1200)
		for i := 0; i < 1200; i++ {
			routes = append(routes, fmt.Sprintf("merchant-%04d=shard-%d", i, i%16))
		}
		logger.Info("effective routing table", zap.Strings("routes", routes))
	}
	backoff := 500 * time.Millisecond
	for attempt := 1; attempt <= 3; attempt++ {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
			logger.Info("connected to database", zap.String("db_addr", addr))
			return
		}
		logger.Warn("database connection failed, retrying",
			zap.Int("attempt", attempt), zap.Duration("backoff", backoff), zap.Error(err))
		time.Sleep(backoff)
		backoff *= 2
	}
	logger.Fatal("cannot connect to database, giving up", zap.String("db_addr", addr), zap.Int("attempts", 3))
}
