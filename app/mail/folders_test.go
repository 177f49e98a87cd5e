package mail

import (
	"testing"
	"webmail"
)

// TestFolderCacheAdjust: an action's own count change applies to the
// account's cached tree, unless another connection (a watcher) replaced
// the tree while the action ran: that tree may count the action already,
// so it is dropped rather than counted twice.
func TestFolderCacheAdjust(t *testing.T) {
	t.Parallel()
	fc := &folderCache{}
	fc.set([]webmail.Folder{{Name: "INBOX", Total: 10, Unseen: 5}})
	gen := fc.generation()
	fc.adjust(gen, "INBOX", 0, -1)
	if list, ok := fc.get(); !ok || list[0].Unseen != 4 {
		t.Fatalf("after one read: %+v, %v; want 4 unread", list, ok)
	}

	gen = fc.generation()
	fc.set([]webmail.Folder{{Name: "INBOX", Total: 10, Unseen: 3}}) // a watcher's fresh counts, the read included
	fc.adjust(gen, "INBOX", 0, -1)
	if list, ok := fc.get(); ok {
		t.Errorf("the tree replaced during the action was adjusted again: %+v", list)
	}
}
