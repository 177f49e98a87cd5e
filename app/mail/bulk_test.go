package mail

import (
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// TestBatches: a set is cut into batches of bounded size and ranges that
// together hold every UID once, in order.
func TestBatches(t *testing.T) {
	t.Parallel()
	var set imap.UIDSet
	set.AddRange(1, 25)
	set.AddNum(30, 32, 34)
	set.AddRange(40, 41)
	var got []imap.UID
	for b := range batches(set, 10, 2) {
		if n := setLen(b); n > 10 || len(b) > 2 {
			t.Errorf("batch %v: %d messages, %d ranges", b, n, len(b))
		}
		nums, _ := b.Nums()
		got = append(got, nums...)
	}
	want, _ := set.Nums()
	if !slices.Equal(got, want) {
		t.Errorf("batches hold %v, want %v", got, want)
	}
}
