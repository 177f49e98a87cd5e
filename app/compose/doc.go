// Package compose is everything about writing a message except HTTP and
// SMTP: reading address fields as typed, checking a draft, writing it as
// an RFC 5322 message, and starting a reply or a forward from an original.
//
// # Addresses
//
// ParseAddressList reads a To, Cc or Bcc field as typed (commas,
// semicolons or line breaks between entries, names, quotes, comments,
// groups) and reports each unusable entry separately with its input, so
// the form can show everything that was typed and mark what is wrong.
// Addresses keep an internationalised domain as typed, for display;
// EnvelopeAddress gives the ASCII form (A-labels) used in the SMTP
// envelope (Recipients) and in the header WriteTo writes. Only plain ASCII
// local parts are accepted: SMTPUTF8 is not used.
//
// # Header safety
//
// A value typed into a form must never add a header field. Validate
// refuses header text with line breaks or control characters
// (CheckHeaderText), and WriteTo does not rely on it: it writes every
// field through go-message's textproto (which refuses CR and LF), turns
// control characters in text into spaces, RFC 2047-encodes any text that
// would not read back unchanged, writes only syntactically valid message
// identifiers, reduces attachment content types to type/subtype and cleans
// file names. The tests write every field with injection attempts, parse
// the result back and compare the exact set of header fields.
//
// # Body
//
// The body is text/plain; charset=utf-8. It is written format=flowed (RFC
// 3676: long lines soft-broken at spaces to at most 78 characters,
// space-stuffing of lines starting with a space, ">" or "From ") whenever
// that reads back as exactly the text typed, which is the case for
// ordinary text and for replies made with Reply; a body with lines ending
// in spaces, or quoted lines whose marks are not followed by a space, is
// written as is (format=fixed) instead. The transfer encoding is 7bit for
// ASCII with short lines and quoted-printable otherwise (non-ASCII text,
// long unbreakable lines, trailing white space other than flowed soft
// breaks), so the text survives any relay; one that strips the spaces of
// soft breaks only loses the rewrapping. Unflow reads a flowed body back
// into the text as typed, for reopening a saved draft.
//
// # Markdown
//
// A body typed as Markdown is also sent as HTML: MarkdownHTML renders it
// with goldmark (CommonMark, hard line breaks, GFM autolinks, pipe tables
// and strikethrough, without raw HTML, setext headings or link reference
// definitions, so that ordinary plain text renders as itself) and
// sanitises it with message.SanitizeHTML, the policy incoming mail is shown
// with. Draft.HTML then makes WriteTo write multipart/alternative (the
// text as typed, then the HTML), with the images the HTML shows by cid:
// (Attachment.ContentID) in a multipart/related beside it. ForwardHTML
// keeps a forwarded message's own HTML below the person's text.
//
// # Attachments
//
// Attachments are read from their Open function while the message is
// written and base64 encoded on the fly: memory use does not grow with
// their size (BenchmarkWriteToLargeAttachment reports the peak heap
// growth while writing a 25 MB attachment).
package compose
