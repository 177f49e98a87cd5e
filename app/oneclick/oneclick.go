// Package oneclick sends the one-click unsubscribe request of RFC 8058 on
// a person's behalf: a POST of "List-Unsubscribe=One-Click" to the https
// URI a mailing list's message names.
//
// The URI comes from a stranger's message, so the request is made as
// from nobody: no cookies, no Referer, no credentials, no proxy, to
// public addresses only (checked on the address actually dialled, so a
// name that resolves to a private address is refused too), https only
// (redirects included), within a time limit, reading a bounded answer.
package oneclick

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Body is what a one-click POST sends (RFC 8058 section 3.2).
const Body = "List-Unsubscribe=One-Click"

const (
	defaultTimeout = 15 * time.Second
	maxRedirects   = 3
	maxAnswer      = 64 << 10 // bytes of the answer read, then dropped
)

// Errors the caller tells apart.
var (
	// ErrRefused: the URI or an address it leads to is not one the
	// webmail may reach (not https, credentials in it, a private or
	// loopback address).
	ErrRefused = errors.New("oneclick: address refused")
	// ErrRejected: the list answered, but not with success.
	ErrRejected = errors.New("oneclick: request not accepted")
)

// Options configure a Client. The zero value is what production uses.
type Options struct {
	// Allow decides which addresses may be dialled; nil means Public.
	// Tests allow loopback with it, to reach their own listener.
	Allow func(netip.Addr) bool
	// RootCAs, when set, replaces the system's certificate authorities
	// (tests trust their own listener's certificate with it).
	RootCAs *x509.CertPool
	// Timeout bounds a whole request, redirects included; 15 s by
	// default.
	Timeout time.Duration
}

// Client sends one-click unsubscribe requests. It is safe for concurrent
// use.
type Client struct {
	hc *http.Client
}

// New returns a Client.
func New(o Options) *Client {
	allow := o.Allow
	if allow == nil {
		allow = Public
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	d := &net.Dialer{
		Timeout: o.Timeout,
		// Checked on the address being connected to, after the name is
		// resolved: no DNS answer can lead the request elsewhere.
		ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !allow(ap.Addr().Unmap()) {
				return ErrRefused
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us, past the check
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		DisableKeepAlives:      true,
		ForceAttemptHTTP2:      true,
	}
	return &Client{hc: &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		Jar:       nil, // no cookies, ever
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: too many redirects", ErrRejected)
			}
			if err := check(req.URL); err != nil {
				return err
			}
			// net/http adds the previous URL as Referer on a redirect.
			req.Header.Del("Referer")
			return nil
		},
	}}
}

// Unsubscribe POSTs the one-click request to uri and reports whether the
// list accepted it (a 2xx answer, after at most a few https redirects).
// Errors wrap ErrRefused or ErrRejected, or are the network's.
func (c *Client) Unsubscribe(ctx context.Context, uri string) error {
	u, err := url.Parse(uri)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if err := check(u); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(Body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRefused, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "webmail one-click unsubscribe (RFC 8058)")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err // *url.Error, which unwraps to ErrRefused where it is one
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: status %d", ErrRejected, resp.StatusCode)
	}
	return nil
}

// check refuses a URI the request may not go to, before any dialling:
// anything but https with a host, and credentials in the URI.
func check(u *url.URL) error {
	switch {
	case u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q", ErrRefused, u.Scheme)
	case u.Host == "":
		return fmt.Errorf("%w: no host", ErrRefused)
	case u.User != nil:
		return fmt.Errorf("%w: credentials in the URI", ErrRefused)
	}
	return nil
}

// notPublic are address ranges that are not loopback, private or
// link-local by netip's predicates but still lead inside a network or
// nowhere: shared address space (CGNAT), benchmarking, documentation,
// reserved, and IPv6 prefixes that embed an IPv4 address (NAT64, 6to4,
// Teredo).
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fec0::/10"),
}

// Public reports whether a is a public unicast address: not loopback,
// private, link-local, multicast, unspecified or otherwise reserved. It
// is the address policy of production.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
