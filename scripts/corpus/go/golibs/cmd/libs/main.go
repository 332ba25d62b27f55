// libs: the same small sequence of events (start, request, retry warning, error, shutdown) logged by each Go
// logging library in its default configuration, one library per run: `libs <name>` writes to stdout/stderr
// exactly as the library does. Names: zap-production, zap-development, zerolog, zerolog-unixms,
// logrus-text, logrus-json, slog-text, slog-json, klog.
package main

import (
	"errors"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

var errDial = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func pause() { time.Sleep(3 * time.Millisecond) }

func runZap(logger *zap.Logger) {
	defer func() { _ = logger.Sync() }()
	logger.Info("starting inventory", zap.String("version", "2.1.0"), zap.Int("pid", os.Getpid()))
	pause()
	logger.Info("request handled", zap.String("method", "GET"), zap.String("path", "/items/42"),
		zap.Int("status", 200), zap.Duration("latency", 3200*time.Microsecond))
	pause()
	logger.Warn("cache unavailable, retrying", zap.Int("attempt", 2), zap.Error(errDial))
	pause()
	logger.Error("cannot load item", zap.String("item", "42"), zap.Error(errDial))
	pause()
	logger.DPanic("inventory count negative", zap.Int("count", -3))
	pause()
	logger.Info("shutting down", zap.String("signal", "SIGTERM"))
}

func runZerolog(log zerolog.Logger) {
	log.Info().Str("version", "2.1.0").Int("pid", os.Getpid()).Msg("starting inventory")
	pause()
	log.Info().Str("method", "GET").Str("path", "/items/42").Int("status", 200).Dur("latency", 3200*time.Microsecond).Msg("request handled")
	pause()
	log.Warn().Int("attempt", 2).Err(errDial).Msg("cache unavailable, retrying")
	pause()
	log.Error().Str("item", "42").Err(errDial).Msg("cannot load item")
	pause()
	log.WithLevel(zerolog.PanicLevel).Int("count", -3).Msg("inventory count negative")
	pause()
	log.Info().Str("signal", "SIGTERM").Msg("shutting down")
}

func runLogrus(log *logrus.Logger) {
	log.WithFields(logrus.Fields{"version": "2.1.0", "pid": os.Getpid()}).Info("starting inventory")
	pause()
	log.WithFields(logrus.Fields{"method": "GET", "path": "/items/42", "status": 200, "latency": 3200 * time.Microsecond}).Info("request handled")
	pause()
	log.WithField("attempt", 2).WithError(errDial).Warn("cache unavailable, retrying")
	pause()
	log.WithField("item", "42").WithError(errDial).Error("cannot load item")
	pause()
	log.WithField("count", -3).Warning("inventory count negative")
	pause()
	log.WithField("signal", "SIGTERM").Info("shutting down")
}

func runSlog(log *slog.Logger) {
	log.Info("starting inventory", "version", "2.1.0", "pid", os.Getpid())
	pause()
	log.Info("request handled", "method", "GET", "path", "/items/42", "status", 200, "latency", 3200*time.Microsecond)
	pause()
	log.Warn("cache unavailable, retrying", "attempt", 2, "err", errDial)
	pause()
	log.Error("cannot load item", "item", "42", "err", errDial)
	pause()
	log.Error("inventory count negative", "count", -3)
	pause()
	log.Info("shutting down", "signal", "SIGTERM")
}

func runKlog() {
	klog.InitFlags(nil)
	_ = flag.Set("logtostderr", "true")
	flag.Parse()
	defer klog.Flush()
	klog.InfoS("starting inventory", "version", "2.1.0")
	pause()
	klog.Infof("request handled: GET /items/42 200 in %s", 3200*time.Microsecond)
	pause()
	klog.Warningf("cache unavailable, retrying (attempt %d): %v", 2, errDial)
	pause()
	klog.ErrorS(errDial, "cannot load item", "item", "42")
	pause()
	klog.Errorf("inventory count negative: %d\nstate dump:\n  items=118\n  reserved=121", -3)
	pause()
	klog.Info("shutting down")
}

func main() {
	which := os.Args[1]
	os.Args = os.Args[:1]
	switch which {
	case "zap-production":
		l, _ := zap.NewProduction()
		runZap(l)
	case "zap-development":
		l, _ := zap.NewDevelopment()
		defer func() { _ = recover() }() // development DPanic panics after logging
		runZap(l)
	case "zerolog":
		runZerolog(zerolog.New(os.Stderr).With().Timestamp().Logger())
	case "zerolog-unixms":
		zerolog.TimeFieldFormat = zerolog.TimeFormatUnixMs
		runZerolog(zerolog.New(os.Stderr).With().Timestamp().Logger())
	case "logrus-text":
		runLogrus(logrus.New())
	case "logrus-json":
		l := logrus.New()
		l.SetFormatter(&logrus.JSONFormatter{})
		runLogrus(l)
	case "slog-text":
		runSlog(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	case "slog-json":
		runSlog(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	case "klog":
		runKlog()
	default:
		os.Exit(2)
	}
}
