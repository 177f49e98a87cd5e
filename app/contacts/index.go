// Package contacts ranks and searches the addresses a person may write
// to, and keeps them per session in memory only: nothing is written
// anywhere, and a session's addresses go with the session.
package contacts

import (
	"slices"
	"strings"
	"unsafe"

	"webmail"
)

// Index is one person's known addresses, from their mail and their
// address book, ranked: most often seen first, address book entries
// before strangers seen as often. It is read-only once built, so requests
// share it without locks.
type Index struct {
	entries []entry
	// Partial: the address book could not be read when the Index was
	// built; it holds the addresses from mail only, and a Cache keeps it
	// for a short while (RetryPartial), not for its whole TTL.
	Partial bool
	bytes   int // Bytes, once computed
}

type entry struct {
	webmail.Contact
	email, name string // lower case, for matching
}

// MaxEntries bounds an Index: the addresses beyond it, the least often
// seen, are dropped.
const MaxEntries = 10000

// NewIndex merges the addresses collected from mail with those of the
// address book (which may be nil). One address (in any case) is one
// entry: its counts add up, the address book's name wins.
func NewIndex(collected, book []webmail.Contact) *Index {
	byEmail := make(map[string]int, len(collected)+len(book))
	entries := make([]entry, 0, len(collected)+len(book))
	add := func(c webmail.Contact) {
		key := strings.ToLower(strings.TrimSpace(c.Email))
		if key == "" {
			return
		}
		if i, ok := byEmail[key]; ok {
			e := &entries[i]
			e.Count += c.Count
			if c.InBook {
				e.InBook = true
				if c.Name != "" {
					e.Name = c.Name
				}
			} else if e.Name == "" {
				e.Name = c.Name
			}
			return
		}
		byEmail[key] = len(entries)
		entries = append(entries, entry{Contact: c, email: key})
	}
	for _, c := range book {
		c.InBook = true
		add(c)
	}
	for _, c := range collected {
		add(c)
	}
	for i := range entries {
		entries[i].name = strings.ToLower(entries[i].Name)
	}
	// Addresses are unique, so the order is total: no need for a stable
	// sort, which moves these large entries more.
	slices.SortFunc(entries, func(a, b entry) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.InBook != b.InBook {
			if a.InBook {
				return -1
			}
			return 1
		}
		return strings.Compare(a.email, b.email)
	})
	entries = slices.Clip(entries[:min(len(entries), MaxEntries)])
	x := &Index{entries: entries}
	x.Bytes()
	return x
}

// Len is the number of addresses.
func (x *Index) Len() int { return len(x.entries) }

// Bytes estimates the memory the Index holds (a lower-case copy of a
// string that is already lower case costs nothing: it is the same
// string). Computed once, as the Index does not change.
func (x *Index) Bytes() int {
	if x.bytes == 0 {
		n := int(unsafe.Sizeof(*x)) + cap(x.entries)*int(unsafe.Sizeof(entry{}))
		for _, e := range x.entries {
			n += len(e.Name) + len(e.Email)
			if e.name != e.Name {
				n += len(e.name)
			}
			if e.email != e.Email {
				n += len(e.email)
			}
		}
		x.bytes = n
	}
	return x.bytes
}

// Top returns the n addresses seen most often.
func (x *Index) Top(n int) []webmail.Contact {
	return x.collect(n, func(entry) bool { return true })
}

// Book returns the address book's entries, at most n, in rank order.
func (x *Index) Book(n int) []webmail.Contact {
	return x.collect(n, func(e entry) bool { return e.InBook })
}

// Suggest returns at most n addresses for what is being typed: those
// whose address, name, or a word of the name starts with prefix
// (ignoring case), best ranked first. An empty prefix suggests nothing.
func (x *Index) Suggest(prefix string, n int) []webmail.Contact {
	p := strings.ToLower(strings.TrimSpace(prefix))
	if p == "" {
		return nil
	}
	return x.collect(n, func(e entry) bool { return strings.HasPrefix(e.email, p) || wordPrefix(e.name, p) })
}

// Search returns at most n addresses whose address or name holds q
// (ignoring case), best ranked first; every one for an empty q. onlyBook
// keeps to the address book.
func (x *Index) Search(q string, n int, onlyBook bool) []webmail.Contact {
	q = strings.ToLower(strings.TrimSpace(q))
	return x.collect(n, func(e entry) bool {
		return (!onlyBook || e.InBook) && (q == "" || strings.Contains(e.email, q) || strings.Contains(e.name, q))
	})
}

func (x *Index) collect(n int, match func(entry) bool) []webmail.Contact {
	var out []webmail.Contact
	for _, e := range x.entries {
		if len(out) >= n {
			break
		}
		if match(e) {
			out = append(out, e.Contact)
		}
	}
	return out
}

// wordPrefix reports whether name, or one of its words, starts with p
// (not empty). It runs for every address on every keystroke: a plain
// loop over the bytes, no allocation.
func wordPrefix(name, p string) bool {
	first := p[0]
	for i := 0; i+len(p) <= len(name); i++ {
		if name[i] == first && (i == 0 || isSeparator(name[i-1])) && name[i:i+len(p)] == p {
			return true
		}
	}
	return false
}

func isSeparator(b byte) bool {
	switch b {
	case ' ', '.', '-', '_', '\'', '"', '(', ',':
		return true
	}
	return false
}
