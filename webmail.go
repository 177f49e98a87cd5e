// Package webmail holds the values the webmail is about: folders and their
// roles, messages and their summaries, a message's address, and the
// errors a use case can end in. The mail adapter (app/mail) makes them
// from IMAP; the views (views) show them; neither the views nor these
// types know IMAP's wire types.
package webmail
