// Package search parses the search box's small query language into a
// go-imap SearchCriteria.
//
// # Language
//
// A query is terms separated by white space (any Unicode space); all terms
// must match (AND).
//
//	word  "a phrase"       TEXT: anywhere in the header or body
//	from:x to:x cc:x       the From, To or Cc header contains x
//	subject:x              the Subject header contains x
//	body:x                 the body contains x
//	has:attachment         see "Attachments" below
//	is:unread  is:read     \Seen not set / set
//	is:flagged is:unflagged
//	is:answered is:unanswered
//	before:D               sent before D began
//	after:D                sent after D ended (exclusive)
//	on:D                   sent during D
//	since:D                sent on or after the start of D (inclusive)
//	size>N  size<N         larger / smaller than N bytes (K, M, G: 1024-based)
//	-term  NOT term        the term must not match
//	term OR term           either matches (chains: a OR b OR c)
//	(terms)  -(terms)      a group, to AND, OR or exclude as one term
//
// A value x is a word or a "quoted phrase". Operator names and the values
// of is:, has:, dates and sizes are case-insensitive; OR and NOT are
// keywords only in capitals ("or" is searched for as a word). NOT binds
// tighter than OR, and OR tighter than the implicit AND: "a b OR -c d"
// means a AND (b OR NOT c) AND d. Parentheses group terms against that:
// "(from:alice OR from:bob) is:unread", "a OR (b c)", "-(sale promo)" or
// "NOT (sale promo)". A "(" or "-(" opens a group where it starts a word,
// a ")" closes one where it ends a word, outside quotes; elsewhere (f(x))
// they are ordinary characters. A ")" with no group open, a "(" never
// closed and "()" are errors that say so: a search is never silently
// empty. Groups nest at most MaxDepth deep; "(a)" is just a.
//
// A name before a colon that is not one of the operators above is not an
// operator: "re:meeting" or "http://example.com" are searched for as plain
// words. Quotes group words and may also appear inside a term
// (from:"Alice Smith"); inside quotes nothing is special but the closing
// quote, so a phrase cannot contain a double quote, and a backslash is an
// ordinary character everywhere.
//
// # Dates
//
// Dates are matched against the Date header (IMAP SENTBEFORE, SENTSINCE,
// SENTON), the date the message list shows, not the arrival (internal)
// date. What a message without a Date header matches is up to the server
// (RFC 3501 does not say); the go-imap memory server takes it as sent in
// year 1, so it matches every before: and no after:. IMAP
// compares dates only, each in the message's own time zone.
//
// A date D names a period: 2026-03-14 a day, 2026-03 a month, 2026 a year;
// today and yesterday a day; Nd, Nw, Nm and Ny (N up to 9999) the single
// day N days, weeks, months or years before today (a month or year back
// from the 31st or 29 February lands on the last day of the shorter
// month). "Today" is the calendar date of the now passed to Parse, in its
// location. before: and after: are both exclusive of the period: after:2026-03
// starts on 1 April, before:2026-03 ends on 28 February; on: is the period
// itself and since: includes it. So "after:7d" is today and the six days
// before it, "since:7d" adds one more day. Years run from 1000 to 9998.
//
// # Attachments
//
// IMAP cannot search for attachments. has:attachment is approximated as
//
//	OR HEADER Content-Type "multipart/mixed" HEADER Content-Disposition "attachment"
//
// on the message's top-level header: nearly every message with an
// attachment is multipart/mixed, and a message that is itself one file
// carries Content-Disposition: attachment. It misses attachments inside
// other multipart types and counts a multipart/mixed message whose parts
// are all inline text; a caller that needs exactness can check the
// BODYSTRUCTURE of the results.
//
// # Safety
//
// The result is only ever a go-imap SearchCriteria: go-imap writes every
// value as a quoted string or a literal, so no input can add IMAP syntax.
// Parse also refuses, with an Error a person can act on: input longer
// than MaxBytes, more than MaxTerms terms (words, phrases and operator
// terms; OR, NOT and - do not count), text that is not UTF-8, and control
// characters (C0 including CR, LF, tab and NUL, DEL, and C1). The input is
// scanned once, left to right, without recursion (a stack holds open
// groups); the criteria it builds nest at most MaxTerms deep (a chain of
// ORs), plus one level per group.
//
// The canonical form (Query.String) writes operators and keywords in lower
// case (OR in capitals), negation as "-", quotes only where needed and
// values in their canonical spelling; it is never longer than the input,
// and parsing it again (with the same now) gives the same criteria.
package search
