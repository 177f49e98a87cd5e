package mail

import (
	"context"
	"errors"
	"slices"
	"strings"

	"webmail"

	"github.com/emersion/go-imap/v2"
)

// namespace is one of the server's namespaces (RFC 2342): the folders
// whose full names start with prefix, nested with delim (0 when they
// cannot nest), shown in section.
type namespace struct {
	prefix  string
	delim   rune
	section webmail.Section
}

// namespaces are the server's namespaces, the person's own first; the
// first one is where the person's new folders go.
type namespaces []namespace

// personal is the namespace of the person's own folders.
func (ns namespaces) personal() namespace {
	if len(ns) == 0 {
		return namespace{}
	}
	return ns[0]
}

// place finds the namespace a full name belongs to, the one with the
// longest prefix it starts with, and the name within it. INBOX, and any
// name no namespace claims, is the person's own.
func (ns namespaces) place(name string) (namespace, string) {
	best, found := ns.personal(), false
	if !strings.EqualFold(name, "INBOX") {
		for _, n := range ns {
			if strings.HasPrefix(name, n.prefix) && (!found || len(n.prefix) > len(best.prefix)) {
				best, found = n, true
			}
		}
	}
	if !found {
		return best, name
	}
	return best, strings.TrimPrefix(name, best.prefix)
}

// isPrefix reports whether name is a namespace's prefix itself, as a
// folder ("shared" for the prefix "shared/"): the container of the
// section, which its heading stands for. The personal namespace's
// container, INBOX on many servers, is a folder like any other.
func (ns namespaces) isPrefix(name string) bool {
	for _, n := range ns {
		if n.section != webmail.SectionPersonal && n.prefix != "" && (name == n.prefix || n.delim != 0 && name+string(n.delim) == n.prefix) {
			return true
		}
	}
	return false
}

// namespaces returns the server's namespaces, asking once per account:
// NAMESPACE where the server has it, else LIST "" "" for the hierarchy
// delimiter under an empty prefix.
func (c *Conn) namespaces(ctx context.Context) (namespaces, error) {
	if ns, ok := c.folders.namespaces(); ok {
		return ns, nil
	}
	var ns namespaces
	err := c.do(ctx, "namespace", func() error {
		if c.caps.Has(imap.CapNamespace) {
			data, err := c.c.Namespace().Wait()
			if err == nil && len(data.Personal) > 0 {
				ns = fromNamespaceData(data)
				return nil
			}
			var ie *imap.Error
			if err != nil && !errors.As(err, &ie) {
				return err
			}
		}
		// Without NAMESPACE (or with a server that advertises it and
		// refuses it): the delimiter of the root, and no prefix.
		list, err := c.c.List("", "", nil).Collect()
		if err != nil {
			return err
		}
		var delim rune
		if len(list) > 0 {
			delim = list[0].Delim
		}
		ns = namespaces{{delim: delim}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.folders.setNamespaces(ns)
	return ns, nil
}

func fromNamespaceData(data *imap.NamespaceData) namespaces {
	ns := make(namespaces, 0, len(data.Personal)+len(data.Other)+len(data.Shared))
	for _, group := range []struct {
		list    []imap.NamespaceDescriptor
		section webmail.Section
	}{
		{data.Personal, webmail.SectionPersonal},
		{data.Other, webmail.SectionOther},
		{data.Shared, webmail.SectionShared},
	} {
		for _, d := range group.list {
			ns = append(ns, namespace{prefix: d.Prefix, delim: d.Delim, section: group.section})
		}
	}
	return ns
}

// sectionRank orders the sections of the folder tree.
func sectionRank(s webmail.Section) int {
	return slices.Index([]webmail.Section{webmail.SectionPersonal, webmail.SectionOther, webmail.SectionShared}, s)
}
