// Command webmail serves the webmail. Without configuration it starts a
// demo: an embedded IMAP and SMTP server with a realistic mailbox.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"webmail/app"
	"webmail/app/demo"
	"webmail/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webmail:", err)
		os.Exit(1)
	}
}

// run is the whole program, so tests can start it with their own
// arguments and environment and stop it with ctx.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("webmail", flag.ContinueOnError)
	fs.SetOutput(stdout)
	configPath := fs.String("config", "", "path of the TOML configuration file (or WEBMAIL_CONFIG)")
	listen := fs.String("listen", "", "HTTP listen address, overrides the configuration (e.g. 127.0.0.1:8080)")
	checkOnly := fs.Bool("check-config", false, "validate the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := *configPath
	if path == "" {
		path = config.PathFromEnv(getenv)
	}
	cfg, err := config.Load(path, getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if *listen != "" {
		cfg.Listen = *listen
		if getenv("WEBMAIL_PUBLIC_URL") == "" && path == "" {
			cfg.PublicURL = "http://" + *listen
		}
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("configuration:\n%w", err)
		}
	}
	if *checkOnly {
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	log := newLogger(cfg.Log, stdout)
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(app.MemoryLimit(cfg))
	}

	if cfg.Demo {
		srv, err := demo.Start(ctx, demo.Options{
			Logger: log.With("component", "demo"),
			// A provider on another host name than the webmail's
			// 127.0.0.1, so its redirects are cross-site as a real one's.
			OAuth: &demo.ProviderOptions{Addr: "localhost:0", RedirectURIs: []string{cfg.PublicURL + "/login/oauth/demo/callback"}},
		})
		if err != nil {
			return fmt.Errorf("demo mail server: %w", err)
		}
		defer srv.Close()
		cfg = demoConfig(cfg, srv)
		fmt.Fprintf(stdout, "Demo mail server: IMAP %s, SMTP %s\n", srv.IMAPAddr(), srv.SMTPAddr())
		for _, a := range srv.Accounts() {
			fmt.Fprintf(stdout, "  log in as %s with password %q (SMTP: %s / %q)\n", a.Login, a.Password, a.SMTPLogin, a.SMTPPassword)
		}
		fmt.Fprintf(stdout, "  or use \"Sign in with Demo ID\" (OpenID Connect provider at %s)\n", srv.Provider().Issuer())
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	var metricsLn net.Listener
	if cfg.Metrics.Listen != "" {
		if metricsLn, err = net.Listen("tcp", cfg.Metrics.Listen); err != nil {
			ln.Close()
			return fmt.Errorf("metrics: %w", err)
		}
	}
	webmail, err := app.New(cfg, app.Options{Logger: log})
	if err != nil {
		ln.Close()
		if metricsLn != nil {
			metricsLn.Close()
		}
		return err
	}
	hs := &http.Server{
		Handler:           webmail.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large attachments
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(webmail.EndStreams) // live update streams never end on their own
	poolCtx, stopPool := context.WithCancel(context.WithoutCancel(ctx))
	poolDone := make(chan struct{})
	go func() { webmail.Run(poolCtx); close(poolDone) }()

	fmt.Fprintf(stdout, "Webmail listening on %s (open %s)\n", ln.Addr(), cfg.PublicURL)
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	var ms *http.Server
	if metricsLn != nil {
		ms = &http.Server{
			Handler:           metricsOnly(webmail.MetricsHandler()),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", metricsLn.Addr())
		go func() { errc <- ms.Serve(metricsLn) }()
	}
	select {
	case err = <-errc:
		hs.Close()
	case <-ctx.Done():
		// Readiness drops first, so a load balancer sends no more; requests
		// in flight may be waiting on a slow mail server: give them at
		// least imap_timeout.
		webmail.Drain()
		if d := cfg.DrainDelay.Duration; d > 0 {
			log.Info("draining: /readyz answers 503, still serving", "drain_delay", d.String())
			<-time.After(d) // serving on meanwhile
		}
		shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownWait())
		err = hs.Shutdown(shutCtx)
		cancel()
	}
	if ms != nil {
		ms.Close() // metrics are read until the end
	}
	stopPool()
	<-poolDone // kept IMAP connections closed
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// metricsOnly serves /metrics and nothing else on the metrics listener.
func metricsOnly(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.SlogLevel()}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// demoConfig points the configuration at the embedded demo servers.
func demoConfig(cfg config.Config, srv *demo.Server) config.Config {
	host, port := splitAddr(srv.IMAPAddr())
	cfg.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	host, port = splitAddr(srv.SMTPAddr())
	cfg.SMTP = config.SMTP{Server: config.Server{Host: host, Port: port, Security: config.SecurityPlain}, UseIMAPCredentials: false}
	if p := srv.Provider(); p != nil {
		cfg.OAuth = []config.OAuth{{
			Name: "demo", Label: "Demo ID", Issuer: p.Issuer(),
			ClientID: p.ClientID(), ClientSecret: config.Secret(p.ClientSecret()),
			Scopes: []string{"openid", "email", demo.MailScope}, LoginClaim: "email", SASL: "auto",
		}}
	}
	return cfg
}

func splitAddr(addr string) (string, int) {
	host, p, _ := net.SplitHostPort(addr)
	var port int
	fmt.Sscan(p, &port)
	return host, port
}
