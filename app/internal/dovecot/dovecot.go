// Package dovecot starts a private Dovecot IMAP server for integration tests.
//
// Each call to [Start] runs its own dovecot master (Debian's dovecot-imapd, 2.3) from a
// self-contained configuration in the test's temporary directory: passwd-file users with
// plain passwords, Maildir homes, INBOX plus Drafts, Sent, Trash, Junk and Archive created
// and subscribed automatically with their SPECIAL-USE flags, "/" as hierarchy separator,
// and listeners on 127.0.0.1 only. Nothing under /etc/dovecot is read, so instances can run
// side by side in parallel tests. The package is imported only by tests.
//
// Run as root (as in CI), the server uses Debian's dovecot and dovenull users for its
// services and runs mail processes as nobody, since Dovecot refuses uid 0 for them; the
// mail files belong to nobody, and Start makes the test's temporary directories
// traversable (not readable) by others. Run as another user, every process runs as that
// user. Starting takes about 0.1 s, stopping a few milliseconds.
//
// What Dovecot 2.3.19 answers, as observed through this fixture and pinned by its tests
// (S: server, C: client):
//
// The greeting carries the pre-login capabilities; with Options.TLS, STARTTLS follows
// LITERAL+ on the plain port and is absent on the IMAPS port:
//
//	S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.
//
// The tagged OK to LOGIN carries the post-login capabilities:
//
//	C: a1 LOGIN alice@example.org alice-secret-1
//	S: a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE] Logged in
//
// unless the client has sent CAPABILITY before logging in; then the same list comes as
// an untagged "* CAPABILITY ..." line, followed by "a1 OK Logged in".
//
// A wrong password is answered after a delay of up to auth_failure_delay (2 seconds;
// Options.Extra can set "auth_failure_delay = 0"), and the connection stays open:
//
//	S: a1 NO [AUTHENTICATIONFAILED] Authentication failed.
//
// A LOGIN beyond mail_max_userip_connections (here set to 2) is refused by the login
// process in the tagged answer to LOGIN itself, with no untagged BYE before or after;
// the server then closes the connection (a clean FIN: the client reads EOF). The
// connections already logged in are not affected.
//
//	S: a1 NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=2)
//
// When the server stops, logged-in clients get "* BYE Server shutting down." and EOF.
package dovecot

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Options configures a server started by [Start]. The zero value is a usable default.
type Options struct {
	// Users are the accounts the server accepts. Without any, it has one user,
	// DefaultLogin with DefaultPassword.
	Users []User
	// MaxUserIPConnections sets mail_max_userip_connections, the number of logged-in
	// IMAP connections one user may hold from one IP address. Zero keeps Dovecot's
	// default, which is 10.
	MaxUserIPConnections int
	// TLS makes the server also listen for implicit TLS (IMAPS) on TLSAddr, and offer
	// STARTTLS on Addr, with a self-signed certificate for 127.0.0.1 and localhost that
	// clients trust through CertPool.
	TLS bool
	// Extra is appended as is to the end of dovecot.conf. Settings given there override
	// the fixture's, and sections with the same name are merged, so for example
	// "namespace inbox {\n prefix = INBOX/\n}" adds a prefix to the inbox namespace.
	Extra string
	// Metadata turns on IMAP METADATA (RFC 5464), with the entries in a file
	// dictionary in each user's home.
	Metadata bool
}

// User is an account of the test server.
type User struct {
	Login    string
	Password string
}

// The account a server has when Options.Users is empty.
const (
	DefaultLogin    = "alice@example.org"
	DefaultPassword = "alice-secret-1"
)

// Server is a running private Dovecot. Its methods may be called from several goroutines.
type Server struct {
	dir      string // tb.TempDir(): config, passwd-file, homes, logs
	baseDir  string // dovecot's base_dir, short for unix socket paths
	conf     string
	doveadm  string
	addr     string
	tlsAddr  string
	certPool *x509.CertPool
	uid, gid int // owner of the mail files
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has been waited for
	epoch    int64         // seconds part of Maildir file names
	seq      atomic.Int64  // makes Maildir file names unique and ordered
	stopOnce sync.Once
}

// startTimeout bounds how long Start waits for the greeting; a healthy start takes
// a few tens of milliseconds.
const startTimeout = 15 * time.Second

// Start starts a private Dovecot for tb and stops it, waiting for all its processes to
// exit, in tb.Cleanup. Without a dovecot binary Start calls tb.Skip, unless the CI
// environment variable is non-empty, in which case it calls tb.Fatal.
// Start returns once the server answers with its IMAP greeting.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	dovecotBin := findBinary("dovecot", "/usr/sbin/dovecot")
	doveadmBin := findBinary("doveadm", "/usr/bin/doveadm")
	if dovecotBin == "" || doveadmBin == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("dovecot: dovecot or doveadm not found, and CI is set: install dovecot-imapd")
		}
		tb.Skip("dovecot: dovecot or doveadm not found; install dovecot-imapd to run this test")
	}
	users := opt.Users
	if len(users) == 0 {
		users = []User{{Login: DefaultLogin, Password: DefaultPassword}}
	}
	for _, u := range users {
		if u.Login == "" || strings.ContainsAny(u.Login, ":/\n\r\t \\%") || strings.ContainsAny(u.Password, ":\n\r") {
			tb.Fatalf("dovecot: unusable user %q: logins need no ':', '/', '%%', '\\' or space, passwords no ':' or newline", u.Login)
		}
	}

	s := &Server{
		dir:     tb.TempDir(),
		doveadm: doveadmBin,
		epoch:   time.Now().Unix(),
	}
	if strings.ContainsAny(s.dir, " \t\"%") {
		tb.Fatalf("dovecot: temporary directory %q has characters dovecot.conf cannot take", s.dir)
	}
	s.uid, s.gid = mailOwner(tb)
	if s.uid != os.Geteuid() {
		// The mail processes run as s.uid and must reach the homes and the
		// passwd-file under s.dir, which the testing package makes with mode 0700.
		openPath(tb, s.dir)
	}

	// base_dir holds unix sockets, whose paths may not exceed 107 bytes; tb.TempDir
	// paths grow with the test name, so it lives in a short directory of its own.
	baseDir, err := os.MkdirTemp("", "dc")
	if err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(baseDir) })
	// Dovecot's unprivileged services connect to sockets in base_dir.
	if err := os.Chmod(baseDir, 0o755); err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	s.baseDir = baseDir

	home := filepath.Join(s.dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	// Dovecot creates each user's home, as the mail user, on first use.
	if err := os.Lchown(home, s.uid, s.gid); err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	var passwd strings.Builder
	for _, u := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s\n", u.Login, u.Password)
	}
	// The auth process reads the file as the dovecot user.
	if err := os.WriteFile(filepath.Join(s.dir, "passwd"), []byte(passwd.String()), 0o644); err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	if opt.TLS {
		s.certPool = writeCertificate(tb, s.dir)
	}

	const attempts = 3
	for attempt := 1; ; attempt++ {
		err := s.start(tb, dovecotBin, opt)
		if err == nil {
			break
		}
		// Another process may take a port between our probe and Dovecot's bind.
		if errors.Is(err, errAddrInUse) && attempt < attempts {
			continue
		}
		tb.Fatalf("dovecot: %v\n%s", err, s.Log())
	}
	return s
}

var errAddrInUse = errors.New("address already in use")

// start writes the configuration with fresh ports, runs the master and waits for the
// greeting. On failure the master has exited.
func (s *Server) start(tb testing.TB, bin string, opt Options) error {
	tb.Helper()
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	s.tlsAddr = ""
	if opt.TLS {
		s.tlsAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	}
	s.conf = filepath.Join(s.dir, "dovecot.conf")
	if err := os.WriteFile(s.conf, []byte(s.config(ports, opt)), 0o644); err != nil {
		return err
	}
	// A log left by a failed attempt would only confuse.
	os.Remove(s.logPath())

	stderr, err := os.Create(filepath.Join(s.dir, "dovecot.stderr"))
	if err != nil {
		return err
	}
	defer stderr.Close()
	cmd := exec.Command(bin, "-F", "-c", s.conf)
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited

	err = s.waitReady()
	if err == nil {
		tb.Cleanup(func() { s.Stop(tb) })
		return nil
	}
	s.kill()
	if strings.Contains(s.Log(), "Address already in use") {
		return fmt.Errorf("%w: %v", errAddrInUse, err)
	}
	return err
}

// config returns the text of dovecot.conf.
func (s *Server) config(ports []int, opt Options) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Written by webmail/app/internal/dovecot for one test run; reads nothing from /etc/dovecot.")
	p("base_dir = %s", s.baseDir)
	p("state_dir = %s", filepath.Join(s.dir, "state"))
	p("instance_name = %s", filepath.Base(s.baseDir))
	p("log_path = %s", s.logPath())
	p("protocols = imap")
	p("listen = 127.0.0.1")
	p("auth_mechanisms = plain login")
	p("disable_plaintext_auth = no")
	p("auth_verbose = yes")
	if opt.TLS {
		p("ssl = yes")
		p("ssl_cert = <%s", filepath.Join(s.dir, "cert.pem"))
		p("ssl_key = <%s", filepath.Join(s.dir, "key.pem"))
	} else {
		p("ssl = no")
	}
	if s.uid == os.Geteuid() && s.uid != 0 {
		// Unprivileged run: every service runs as the current user, nothing chroots.
		u, g := strconv.Itoa(s.uid), strconv.Itoa(s.gid)
		if cu, err := user.Current(); err == nil {
			u = cu.Username
		}
		if cg, err := user.LookupGroupId(g); err == nil {
			g = cg.Name
		}
		p("default_login_user = %s", u)
		p("default_internal_user = %s", u)
		p("default_internal_group = %s", g)
		p("first_valid_uid = %d", s.uid)
		p("service imap-login {\n  chroot =\n}")
		p("service anvil {\n  chroot =\n}")
	}
	p("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %s\n}", filepath.Join(s.dir, "passwd"))
	p("userdb {\n  driver = static\n  args = uid=%d gid=%d home=%s/%%u\n}", s.uid, s.gid, filepath.Join(s.dir, "home"))
	p("mail_location = maildir:~/Maildir")
	p("namespace inbox {\n  inbox = yes\n  separator = /")
	for _, m := range []string{"Drafts", "Sent", "Trash", "Junk", "Archive"} {
		p("  mailbox %s {\n    special_use = \\%s\n    auto = subscribe\n  }", m, m)
	}
	p("}")
	tlsPort := 0
	if opt.TLS {
		tlsPort = ports[1]
	}
	p("service imap-login {")
	p("  inet_listener imap {\n    address = 127.0.0.1\n    port = %d\n  }", ports[0])
	p("  inet_listener imaps {\n    address = 127.0.0.1\n    port = %d\n    ssl = yes\n  }", tlsPort)
	p("}")
	if opt.MaxUserIPConnections != 0 {
		p("protocol imap {\n  mail_max_userip_connections = %d\n}", opt.MaxUserIPConnections)
	}
	if opt.Metadata {
		p("mail_attribute_dict = file:%%h/dovecot-attributes")
		p("protocol imap {\n  imap_metadata = yes\n}")
	}
	if opt.Extra != "" {
		p("# Options.Extra")
		p("%s", opt.Extra)
	}
	return b.String()
}

// waitReady polls until the IMAP greeting (and with TLS the IMAPS greeting) can be read.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	var tlsConfig *tls.Config
	if s.tlsAddr != "" {
		tlsConfig = &tls.Config{RootCAs: s.certPool, ServerName: "127.0.0.1"}
	}
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("dovecot exited during start: %v", s.cmd.ProcessState)
		default:
		}
		err := readGreeting(s.addr, nil, deadline)
		if err == nil && tlsConfig != nil {
			err = readGreeting(s.tlsAddr, tlsConfig, deadline)
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no IMAP greeting within %v: %v", startTimeout, err)
		}
		select {
		case <-s.exited:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// readGreeting dials addr, reads the IMAP greeting and logs out.
func readGreeting(addr string, tlsConfig *tls.Config, deadline time.Time) error {
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		conn, err = tls.DialWithDialer(&d, "tcp", addr, tlsConfig)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	fmt.Fprintf(conn, "g LOGOUT\r\n")
	return nil
}

// Stop stops the server now, as the cleanup registered by Start would, for tests of a
// server that goes away: logged-in clients get "* BYE Server shutting down." and EOF,
// new connections are refused. Later calls do nothing.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.stopOnce.Do(func() { s.stop(tb) })
}

// stop sends SIGTERM to every Dovecot process of this instance and waits until they
// are all gone.
//
// Signalling only the master, as "doveadm stop" does, takes over a second: the master
// waits for its log process, which never reports being done, and then exits leaving
// imap processes behind as orphans that linger for seconds more before they say BYE.
// Signalled together, every process ends within milliseconds and the master reaps them.
func (s *Server) stop(tb testing.TB) {
	tb.Helper()
	select {
	case <-s.exited:
		tb.Errorf("dovecot: master exited before Stop: %v\n%s", s.cmd.ProcessState, s.Log())
	default:
		// The group id is the master's pid (Setpgid), which cannot be reused before
		// the master is reaped.
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			tb.Errorf("dovecot: master did not stop within 10s; killing its process group\n%s", s.Log())
			s.kill()
		}
	}
	if err := waitGroupGone(s.cmd.Process.Pid, 5*time.Second); err != nil {
		tb.Errorf("dovecot: %v", err)
	}
}

// kill ends the whole process group of the master at once and waits for the master.
func (s *Server) kill() {
	select {
	case <-s.exited:
		// Reaped: the group id may no longer be ours to signal.
	default:
		// The group id is the master's pid (Setpgid), which cannot be reused
		// before the master is reaped.
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	waitGroupGone(s.cmd.Process.Pid, 5*time.Second)
}

// waitGroupGone polls until no process is left in process group pgid, killing
// stragglers once. The master being reaped, pgid could in principle name a new group,
// but only after the kernel has handed out every other pid meanwhile.
func waitGroupGone(pgid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	killed := false
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			if killed {
				return fmt.Errorf("processes of group %d still alive after SIGKILL", pgid)
			}
			syscall.Kill(-pgid, syscall.SIGKILL)
			killed = true
			deadline = time.Now().Add(timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// Addr returns the host:port of the plain IMAP listener, where plaintext LOGIN is allowed.
func (s *Server) Addr() string { return s.addr }

// TLSAddr returns the host:port of the implicit-TLS IMAPS listener, or "" without Options.TLS.
func (s *Server) TLSAddr() string { return s.tlsAddr }

// CertPool returns a pool holding the server's self-signed certificate, for
// tls.Config.RootCAs with ServerName "127.0.0.1" or "localhost", or nil without Options.TLS.
func (s *Server) CertPool() *x509.CertPool { return s.certPool }

// CertFile is the PEM file of the server's self-signed certificate (with Options.TLS),
// for clients configured with a CA file.
func (s *Server) CertFile() string { return filepath.Join(s.dir, "cert.pem") }

// Log returns what the server has logged so far, for failure messages.
func (s *Server) Log() string {
	var b bytes.Buffer
	for _, name := range []string{filepath.Join(s.dir, "dovecot.stderr"), s.logPath()} {
		data, err := os.ReadFile(name)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(&b, "(reading %s: %v)\n", name, err)
		}
		b.Write(data)
	}
	return b.String()
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "dovecot.log") }

// Connections returns how many logged-in IMAP connections the server holds for login
// right now, as Dovecot's anvil counts them (doveadm who). Connections that have not
// logged in are not counted. Dovecot registers and forgets connections shortly after the
// client sees them open or close, so tests poll for the number they expect.
func (s *Server) Connections(tb testing.TB, login string) int {
	tb.Helper()
	out := s.runDoveadm(tb, "-f", "tab", "who", "-1")
	n := 0
	// The first line is the header: username, proto, pid, ip.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines[1:] {
		// Dovecot lower-cases logins (auth_username_format = %Lu).
		if f := strings.Split(line, "\t"); strings.EqualFold(f[0], login) {
			n++
		}
	}
	return n
}

// runDoveadm runs doveadm against this instance and returns its standard output,
// calling tb.Fatal if it fails.
func (s *Server) runDoveadm(tb testing.TB, args ...string) string {
	tb.Helper()
	out, err := s.doveadmOutput(args...)
	if err != nil {
		tb.Fatalf("dovecot: %v", err)
	}
	return out
}

// doveadmOutput runs doveadm against this instance and returns its standard output.
func (s *Server) doveadmOutput(args ...string) (string, error) {
	cmd := exec.Command(s.doveadm, append([]string{"-c", s.conf}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("doveadm %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// findBinary returns the path of name in PATH, or else the first of fallbacks that
// exists (sbin is often missing from PATH), or "".
func findBinary(name string, fallbacks ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// mailOwner returns the uid and gid that mail processes run as and mail files belong to.
// Dovecot refuses uid 0 for mail processes, so as root that is nobody (above
// Dovecot's default first_valid_uid of 500, unlike the dovecot user); otherwise it is
// the current user, and the whole server runs unprivileged.
func mailOwner(tb testing.TB) (uid, gid int) {
	tb.Helper()
	if os.Geteuid() != 0 {
		return os.Geteuid(), os.Getegid()
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		tb.Fatalf("dovecot: running as root needs a user nobody to own the mail: %v", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		tb.Fatalf("dovecot: user nobody: %v", err)
	}
	return uid, gid
}

// openPath lets other users traverse dir and its ancestors below os.TempDir(), such as
// the testing package's 0700 directory. Directories further up are left alone; should
// one of them block the way, Dovecot's log says so.
func openPath(tb testing.TB, dir string) {
	tb.Helper()
	top := filepath.Clean(os.TempDir())
	for d := filepath.Clean(dir); strings.HasPrefix(d, top+string(filepath.Separator)); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			tb.Fatalf("dovecot: %v", err)
		}
		if perm := fi.Mode().Perm(); perm&0o011 != 0o011 {
			if err := os.Chmod(d, perm|0o011); err != nil {
				tb.Fatalf("dovecot: %v", err)
			}
		}
	}
}

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
