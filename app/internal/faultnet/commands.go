package faultnet

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// maxLine bounds a recorded line; longer ones are cut and end in "…".
const maxLine = 8 << 10

// session turns one connection's client bytes into command lines for Proxy.Commands.
// It watches the server's replies only as far as needed to know where SASL exchanges
// and SMTP DATA end. Both pumps call it before forwarding, so the state a reply
// changes is in place before the client can react to that reply.
type session struct {
	p *Proxy

	mu        sync.Mutex
	line      []byte // the client line read so far
	truncated bool
	pending   string // a command continued after an IMAP literal
	skip      int64  // client bytes still to skip: literal or BDAT contents
	sasl      bool   // client lines are SASL responses until the server's final reply
	saslTag   string // the IMAP tag of that final reply; "" for SMTP
	dataReply bool   // client sent DATA and awaits the server's 354
	data      bool   // client lines are message content until "."

	srvMidLine bool   // the server's last byte was not a newline
	srvHead    []byte // first bytes of the server's current line, while they matter
	srvDecided bool   // the current server line has been classified
}

// clientData takes the next bytes from the client.
func (s *session) clientData(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(b) > 0 {
		if s.skip > 0 {
			n := min(s.skip, int64(len(b)))
			s.skip -= n
			b = b[n:]
			continue
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			s.add(b)
			return
		}
		s.add(b[:i])
		b = b[i+1:]
		line := strings.TrimSuffix(string(s.line), "\r")
		if s.truncated {
			line += "…"
		}
		s.line, s.truncated = s.line[:0], false
		s.clientLine(line)
	}
}

func (s *session) add(b []byte) {
	if room := maxLine - len(s.line); len(b) > room {
		b, s.truncated = b[:room], true
	}
	s.line = append(s.line, b...)
}

// clientLine handles one complete line from the client.
func (s *session) clientLine(line string) {
	switch {
	case s.data:
		if line == "." {
			s.data = false
		}
		return
	case s.sasl:
		s.p.record("[redacted]")
		return
	}
	if n, ok := literalSize(line); ok {
		s.pending += line
		s.skip = n
		return
	}
	cmd := s.pending + line
	s.pending = ""
	// SMTP clients send DATA last in a pipelined group and wait for its reply; a
	// command after it means DATA was refused.
	s.dataReply = false

	words := strings.Fields(cmd)
	verb := func(i int, name string) bool { return len(words) > i && strings.EqualFold(words[i], name) }
	// keep returns the first n words, marking that more followed.
	keep := func(n int) string {
		if len(words) <= n {
			return strings.Join(words, " ")
		}
		return strings.Join(words[:n], " ") + " [redacted]"
	}
	switch {
	// SMTP first: "AUTH LOGIN" would otherwise pass for an IMAP LOGIN with tag AUTH.
	// Either way the arguments are redacted.
	case verb(0, "AUTH"): // SMTP: AUTH mechanism [initial-response]
		cmd = keep(2)
		s.sasl, s.saslTag = true, ""
	case verb(1, "LOGIN"): // IMAP: tag LOGIN user password
		cmd = keep(2)
	case verb(1, "AUTHENTICATE"): // IMAP: tag AUTHENTICATE mechanism [initial-response]
		cmd = keep(3)
		// Only the reply with this tag ends the exchange; replies to commands
		// pipelined before it do not.
		s.sasl, s.saslTag = true, words[0]
	case len(words) == 1 && verb(0, "DATA"):
		s.dataReply = true
	case verb(0, "BDAT") && len(words) > 1:
		if n, err := strconv.ParseInt(words[1], 10, 64); err == nil && n > 0 {
			s.skip = n
		}
	}
	s.p.record(cmd)
}

// literalSize reports whether line ends in an IMAP literal marker, {n} or {n+}, and n.
func literalSize(line string) (int64, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false
	}
	open := strings.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	digits := strings.TrimSuffix(line[open+1:len(line)-1], "+")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 || digits == "" || digits[0] == '+' {
		return 0, false
	}
	return n, true
}

// serverData takes the next bytes from the server. Only the start of each line
// matters, and only during a SASL exchange or before SMTP's answer to DATA.
func (s *session) serverData(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(b) > 0 {
		if !s.srvMidLine {
			// A line that starts outside an exchange is not its reply.
			s.srvHead, s.srvDecided = s.srvHead[:0], !s.sasl && !s.dataReply
		}
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i+1]
		}
		if !s.srvDecided {
			need := s.headSize()
			s.srvHead = append(s.srvHead, part[:min(len(part), need-len(s.srvHead))]...)
			if len(s.srvHead) == need || i >= 0 {
				s.serverLine(string(s.srvHead))
				s.srvDecided = true
			}
		}
		s.srvMidLine = i < 0
		b = b[len(part):]
	}
}

// headSize returns how many bytes of a server line serverLine needs.
func (s *session) headSize() int {
	if s.sasl && s.saslTag != "" {
		return len(s.saslTag) + 1
	}
	return 3 // an SMTP reply code
}

// serverLine looks at the start of a server line, or all of a shorter one.
func (s *session) serverLine(head string) {
	switch {
	case s.sasl && s.saslTag != "":
		// IMAP: continuations ("+ ") and untagged data go on, the tagged reply ends.
		if head == s.saslTag+" " {
			s.sasl = false
		}
	case s.sasl:
		// SMTP: 334 asks for more, any other reply code ends the exchange.
		if isCode(head) && head != "334" {
			s.sasl = false
		}
	case s.dataReply:
		if head == "354" {
			s.dataReply, s.data = false, true
		}
	}
}

// isCode reports whether s is a three-digit SMTP reply code.
func isCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
