// Package message turns fetched MIME parts into something safe to show.
//
// # Pipeline
//
// The live app fetches a message's BODYSTRUCTURE (extended), picks the
// parts to show with LayoutOf, fetches those with BODY.PEEK[section] and
// decodes them with DecodeText. A text/plain body becomes HTML with
// TextToHTML; a text/html body goes through SanitizeHTML (with a CID mapper
// built from Layout.Inline parts, DecodeBinary and ImageDataURI) and is shown
// in a sandboxed frame under a strict CSP; then Layout.ResolveInline moves
// inline images the HTML did not show to the attachments. Attachments are
// streamed through DecodeBinary and offered as Part.DownloadName. Render
// runs exactly these steps on a whole raw message, for tests, fuzzing and
// golden files.
//
// # Sanitiser
//
// HTML mail is hostile. SanitizeHTML parses it into a tree like a browser
// (golang.org/x/net/html), walks the tree and writes out only allow-listed
// elements and attributes with every text escaped, then passes that markup
// through a bluemonday policy with the same allow-lists as a second,
// independent check. Because the first pass writes from the parsed tree
// and never writes foreign (SVG, MathML) content, comments or raw-text
// elements (other than its own <style>), what the browser parses back is
// what was checked: mXSS tricks with noscript, template, noembed, xmp,
// comments or style-in-select cannot change the structure.
//
// Links keep http, https and mailto URLs only (web links get
// target="_blank" rel="noopener noreferrer nofollow", mailto links
// class="mailto"); images keep data:image/* (raster types, base64), cid:
// through the CID mapper and, only with AllowRemote, http and https. URLs
// are judged as the browser reads them (entities decoded, tabs and
// newlines removed, case folded), so "jav&#x09;ascript:" is refused.
// Legacy background= attributes become background-image styles under the
// same rules. Class names and ids are prefixed with "m_" (in the markup
// and in style sheets), so mail cannot address anything the app puts in
// the frame document.
//
// # CSS
//
// Style attributes and <style> blocks are both kept, filtered: keeping
// style sheets keeps newsletters (media queries, classes) readable. CSS is
// tokenized following CSS Syntax Level 3, then every declaration, selector
// and media query that is kept is re-serialised from checked tokens: plain
// identifiers, numbers, dimensions, hash colours, strings (re-quoted with
// everything but printable ASCII, and "<", ">", "&", quotes and
// backslashes, hex-escaped) and a few functions (rgb, rgba, hsl, hsla,
// calc, min, max, clamp, linear- and radial-gradient). Escapes, comments,
// unclosed strings or url(, nested blocks and "</style>" therefore cannot
// smuggle anything, and the output never contains "<". Kept properties
// are color, background(-color, -image, -repeat, -position, -size), font
// (-family, -size, -style, -weight, -variant), text-align,
// text-decoration(-line, -color, -style), text-indent, text-transform,
// text-overflow, text-shadow, line-height, letter-spacing, word-spacing,
// word-break, word-wrap, overflow-wrap, white-space, vertical-align,
// direction, margin*, padding*, border* (sides, widths, styles, colours,
// radii), border-collapse, border-spacing, width, height, min/max-width,
// min/max-height, display (block, inline, inline-block, flex, inline-flex,
// list-item, none and the table values), visibility, list-style(-type,
// -position), table-layout, caption-side, empty-cells, float, clear,
// overflow(-x, -y), box-sizing, box-shadow and opacity. Never kept:
// position, z-index, inset, transform, content, behavior, expression(),
// var(), env(), attr(), image-set(), image(), cross-fade(), element(),
// custom properties and every vendor-prefixed property (-moz-binding).
// url() is allowed only in background and background-image, for data:
// images, mapped cid: images and (with AllowRemote) http and https; a
// blocked URL becomes "none" and is reported as RemoteBlocked. In style
// sheets only ordinary rules and @media (three levels deep) are kept;
// @import, @font-face, @namespace, @keyframes, @supports, @page and every
// other at-rule are dropped, as are rules whose selector uses anything but
// type, class, id, attribute (not class or id), pseudo-class/element and
// combinators. <link rel=stylesheet> and @import are never loaded (they
// cannot be filtered) and, since allowing remote content would not bring
// them back, they do not count as RemoteBlocked.
package message
