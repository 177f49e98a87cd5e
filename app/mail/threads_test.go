package mail

import (
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/google/go-cmp/cmp"
)

// TestFlattenThreads turns RFC 5256 thread trees, as a server with
// THREAD=REFERENCES answers, into conversations, newest first.
func TestFlattenThreads(t *testing.T) {
	// (2)(3 6 (4 23)(44 7 96)) from RFC 5256, plus a thread of one.
	threads := []imapclient.ThreadData{
		{Chain: []uint32{2}},
		{Chain: []uint32{3, 6}, SubThreads: []imapclient.ThreadData{
			{Chain: []uint32{4, 23}},
			{Chain: []uint32{44, 7, 96}},
		}},
		{Chain: []uint32{50}},
	}
	want := [][]imap.UID{{3, 4, 6, 7, 23, 44, 96}, {50}, {2}}
	if diff := cmp.Diff(want, flattenThreads(threads)); diff != "" {
		t.Errorf("flattenThreads (-want +got):\n%s", diff)
	}
}
