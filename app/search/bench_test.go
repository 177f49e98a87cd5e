package search

import (
	"strings"
	"testing"
)

// BenchmarkParse parses a typical query with operators, a phrase, OR and
// dates.
func BenchmarkParse(b *testing.B) {
	in := `invoice from:"Alice Smith" OR from:bob -newsletter is:unread has:attachment after:7d before:2026-03 size>1M`
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLimit parses a query at both limits: 20 terms in 500 bytes.
func BenchmarkParseLimit(b *testing.B) {
	in := strings.TrimSpace(strings.Repeat(`from:"abcdef ghijklmn" `, MaxTerms))
	if len(in) > MaxBytes {
		b.Fatal("input too long")
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRefused measures refusing a megabyte: it is cut short at
// the length check.
func BenchmarkParseRefused(b *testing.B) {
	in := strings.Repeat("a ", 1<<19)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in, testNow); err == nil {
			b.Fatal("accepted")
		}
	}
}
