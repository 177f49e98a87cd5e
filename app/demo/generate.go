package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// seed seeds the generator: the demo mailbox is the same at every start for
// the same anchor time.
const seed = 0x64656d6f // "demo"

// bigAttachmentSize is the payload size of the large ZIP attachment.
const bigAttachmentSize = 5 << 20

// stored is a generated message and its IMAP metadata.
type stored struct {
	folder string
	flags  []imap.Flag
	date   time.Time
	raw    []byte
}

// generator builds the demo mailbox of an account.
type generator struct {
	rng  *rand.Rand
	now  time.Time
	me   person
	seq  int // numbers Message-IDs
	msgs []stored
	err  error // the first rendering error; later messages are skipped
}

// populate fills the account's folders with the demo mailbox, inboxSize
// messages in INBOX, dated up to ~6 months before now (to the minute).
func populate(ctx context.Context, acct *mailAccount, now time.Time, inboxSize int) error {
	msgs, err := generated(acct, now.Truncate(time.Minute), inboxSize)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := acct.append(m.folder, m.raw, m.flags, m.date); err != nil {
			return err
		}
	}
	return nil
}

// mailboxes holds the mailboxes generated so far, by account and anchor:
// generation is deterministic and its results are never changed, so the
// demo servers one process starts within a minute (tests start dozens)
// share one, instead of spending a second each on pictures, a 5 MB ZIP
// and their MIME encoding.
var mailboxes sync.Map

type mailboxKey struct {
	name, addr string
	anchor     int64
	zone       int
	size       int
}

// generated returns the messages of an account's demo mailbox for anchor,
// in date order, so that UIDs follow dates as in a real mailbox.
func generated(acct *mailAccount, anchor time.Time, inboxSize int) ([]stored, error) {
	_, offset := anchor.Zone()
	key := mailboxKey{acct.Name, acct.Address, anchor.Unix(), offset, inboxSize}
	if msgs, ok := mailboxes.Load(key); ok {
		return msgs.([]stored), nil
	}
	g := &generator{
		rng: rand.New(rand.NewPCG(seed, seed)),
		now: anchor,
		me:  person{acct.Name, acct.Address, offset / 60},
	}
	g.inbox(inboxSize)
	g.otherFolders()
	if g.err != nil {
		return nil, g.err
	}
	slices.SortStableFunc(g.msgs, func(a, b stored) int { return a.date.Compare(b.date) })
	msgs, _ := mailboxes.LoadOrStore(key, g.msgs)
	return msgs.([]stored), nil
}

func (g *generator) add(folder string, flags []imap.Flag, env envelope, body *entity) {
	if g.err != nil {
		return
	}
	if env.ID == "" {
		env.ID = g.id(env.From)
	}
	env.Date = env.Date.Truncate(time.Second)
	raw, err := render(env, body)
	if err != nil {
		g.err = fmt.Errorf("rendering %q: %w", env.Subject, err)
		return
	}
	g.msgs = append(g.msgs, stored{folder, flags, env.Date, raw})
}

func (g *generator) count(folder string) int {
	n := 0
	for _, m := range g.msgs {
		if m.folder == folder {
			n++
		}
	}
	return n
}

// id returns a new Message-ID in the sender's domain.
func (g *generator) id(from person) string {
	g.seq++
	return fmt.Sprintf("demo.%04d.%08x@%s", g.seq, g.rng.Uint32(), domainOf(from.Addr))
}

// day returns a time daysAgo days before now, at hour:min (plus random
// seconds) in now's location. Times of today that would lie in the future
// are scaled into the part of today that has passed.
func (g *generator) day(daysAgo, hour, min int) time.Time {
	y, m, d := g.now.Date()
	start := time.Date(y, m, d-daysAgo, 0, 0, 0, 0, g.now.Location())
	offset := time.Duration(hour)*time.Hour + time.Duration(min)*time.Minute + time.Duration(g.rng.IntN(60))*time.Second
	t := start.Add(offset)
	if !t.Before(g.now) {
		t = start.Add(time.Duration(float64(g.now.Sub(start)) * float64(offset) / float64(24*time.Hour)))
	}
	return t
}

// randomDay returns a time during office-ish hours between minDays and
// maxDays days ago.
func (g *generator) randomDay(minDays, maxDays int) time.Time {
	return g.day(minDays+g.rng.IntN(maxDays-minDays+1), 7+g.rng.IntN(15), g.rng.IntN(60))
}

func pick[T any](rng *rand.Rand, l []T) T { return l[rng.IntN(len(l))] }

// picks returns n distinct elements of l.
func picks[T any](rng *rand.Rand, l []T, n int) []T {
	out := make([]T, n)
	for i, j := range rng.Perm(len(l))[:n] {
		out[i] = l[j]
	}
	return out
}

// firstName returns the first word of p's name, or the local part of the
// address if p has no name.
func firstName(p person) string {
	if f := strings.Fields(p.Name); len(f) > 0 {
		return f[0]
	}
	local, _, _ := strings.Cut(p.Addr, "@")
	return local
}

func domainOf(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }

// quote returns the attribution line and text quoted with "> ", as a reply
// includes the message it answers.
func quote(p person, date time.Time, text string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "On %s, %s <%s> wrote:\n", date.In(p.location()).Format("Mon, 2 Jan 2006 at 15:04"), p.Name, p.Addr)
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, ">") {
			b.WriteString(">" + line + "\n")
		} else {
			b.WriteString("> " + line + "\n")
		}
	}
	return b.String()
}

func flags(f ...imap.Flag) []imap.Flag { return f }

// fillerFlags returns realistic flags: recent mail is often unread, older
// mail rarely; a few messages are flagged or answered.
func (g *generator) fillerFlags(date time.Time, personal bool) []imap.Flag {
	var f []imap.Flag
	unread := g.rng.IntN(100) < 6
	if g.now.Sub(date) < 48*time.Hour {
		unread = g.rng.IntN(100) < 60
	}
	if !unread {
		f = append(f, imap.FlagSeen)
		if personal && g.rng.IntN(100) < 10 {
			f = append(f, imap.FlagAnswered)
		}
	}
	if g.rng.IntN(100) < 4 {
		f = append(f, imap.FlagFlagged)
	}
	return f
}

// inbox generates the notable messages, the long thread and fillers up to
// size messages in INBOX.
func (g *generator) inbox(size int) {
	g.notable()
	g.thread()
	for i := g.count(folderInbox); i < size; i++ {
		var date time.Time
		switch n := size - i; {
		case n <= 3:
			date = g.day(0, 8+2*n, g.rng.IntN(60))
		case n <= 7:
			date = g.day(1, 6+2*(n-3), g.rng.IntN(60))
		default:
			date = g.randomDay(2, 180)
		}
		g.filler(folderInbox, date, nil)
	}
}

// filler generates an ordinary message of a random kind; flags nil means
// realistic random flags.
func (g *generator) filler(folder string, date time.Time, fl []imap.Flag) {
	personal := true
	var env envelope
	var body *entity
	switch k := g.rng.IntN(100); {
	case k < 30:
		env, body = g.colleagueNote()
	case k < 45:
		env, body = g.friendNote()
	case k < 65:
		env, body = g.listPost()
		personal = false
	case k < 78:
		env, body = g.shopMail()
		personal = false
	case k < 92:
		env, body = g.gitNotification()
		personal = false
	default:
		env, body = g.invitation(date)
		personal = false
	}
	env.Date = date
	if fl == nil {
		fl = g.fillerFlags(date, personal)
	}
	g.add(folder, fl, env, body)
}

func (g *generator) colleagueNote() (envelope, *entity) {
	from := pick(g.rng, colleagues)
	paras := picks(g.rng, colleagueParagraphs, 1+g.rng.IntN(3))
	text := fmt.Sprintf("Hi %s,\n\n%s\n\nBest,\n%s\n", firstName(g.me), strings.Join(paras, "\n\n"), firstName(from))
	env := envelope{From: from, To: []person{g.me}, Subject: pick(g.rng, colleagueSubjects)}
	if g.rng.IntN(4) == 0 {
		env.Cc = []person{pick(g.rng, colleagues)}
	}
	return env, textPart(text)
}

func (g *generator) friendNote() (envelope, *entity) {
	from := pick(g.rng, friends)
	paras := picks(g.rng, friendParagraphs, 1+g.rng.IntN(2))
	text := fmt.Sprintf("Hey %s!\n\n%s\n\n%s\n", firstName(g.me), strings.Join(paras, "\n\n"), firstName(from))
	subject := pick(g.rng, friendSubjects)
	if g.rng.IntN(3) == 0 {
		subject = "Re: " + subject
	}
	return envelope{From: from, To: []person{g.me}, Subject: subject}, textPart(text)
}

func (g *generator) listPost() (envelope, *entity) {
	l := pick(g.rng, mailingLists)
	from := pick(g.rng, slices.Concat(friends, colleagues))
	subject := "[" + l.name + "] " + pick(g.rng, l.subjects)
	if g.rng.IntN(2) == 0 {
		subject = "Re: " + subject
	}
	text := fmt.Sprintf("%s\n\n%s\n\n-- \n%s\n\n_______________________________________________\n%s mailing list\n%s\nhttps://lists.example.org/listinfo/%s\n",
		pick(g.rng, friendParagraphs), pick(g.rng, colleagueParagraphs), from.Name, l.name, l.addr, l.name)
	env := envelope{
		From: from, To: []person{{l.name, l.addr, 0}}, Subject: subject,
		Extra: [][2]string{
			{"List-Id", fmt.Sprintf("%s <%s>", l.name, l.id)},
			{"List-Unsubscribe", fmt.Sprintf("<mailto:%s?subject=unsubscribe>, <https://lists.example.org/unsubscribe/%s>", strings.Replace(l.addr, "@", "-request@", 1), l.name)},
			{"Precedence", "list"},
		},
	}
	return env, textPart(text)
}

func (g *generator) shopMail() (envelope, *entity) {
	shop := pick(g.rng, shopNames)
	order := 100000 + g.rng.IntN(900000)
	items := picks(g.rng, shopItems, 1+g.rng.IntN(3))
	var text, rows strings.Builder
	total := 0
	for _, item := range items {
		price := 5 + g.rng.IntN(120)
		total += price
		fmt.Fprintf(&text, "  %-32s %4d.00 EUR\n", item, price)
		fmt.Fprintf(&rows, `<tr><td style="padding:6px;border-bottom:1px solid #eee">%s</td><td style="padding:6px;border-bottom:1px solid #eee;text-align:right">%d.00&nbsp;EUR</td></tr>`+"\n", item, price)
	}
	url := fmt.Sprintf("https://%s/orders/%d", domainOf(shop.Addr), order)
	plain := fmt.Sprintf("Hello %s,\n\nThank you for shopping with %s. Order #%d:\n\n%s\n  Total: %d.00 EUR\n\nTrack your order: %s\n\n%s\n",
		firstName(g.me), shop.Name, order, text.String(), total, url, shop.Name)
	html := fmt.Sprintf(`<html><body style="font-family:Arial,sans-serif;color:#333">
<h2 style="color:#0b5394">%s</h2>
<p>Hello %s,</p><p>Thank you for shopping with us. Order <strong>#%d</strong>:</p>
<table style="border-collapse:collapse;min-width:320px">
%s<tr><td style="padding:6px"><strong>Total</strong></td><td style="padding:6px;text-align:right"><strong>%d.00&nbsp;EUR</strong></td></tr>
</table>
<p><a href="%s" style="background:#0b5394;color:#fff;padding:8px 16px;text-decoration:none;border-radius:3px">Track your order</a></p>
<img src="https://img.%s/email-footer.png" width="600" height="80" alt="%s">
</body></html>
`, shop.Name, firstName(g.me), order, rows.String(), total, url, domainOf(shop.Addr), shop.Name)
	env := envelope{From: shop, To: []person{g.me}, Subject: fmt.Sprintf(pick(g.rng, shopSubjects), order)}
	return env, multipart("alternative", textPart(plain), htmlPart(html))
}

func (g *generator) gitNotification() (envelope, *entity) {
	if g.rng.IntN(4) == 0 {
		build := 1000 + g.rng.IntN(9000)
		text := fmt.Sprintf("Build #%d of webmail (main) failed.\n\nFailed step: go test ./...\n--- FAIL: TestIdleReconnect (3.02s)\n    idle_test.go:88: timeout waiting for EXISTS\n\nDetails: https://build.example.org/webmail/builds/%d\n", build, build)
		return envelope{From: ciBot, To: []person{g.me}, Subject: fmt.Sprintf("Build #%d failed: webmail (main)", build)}, textPart(text)
	}
	num := 100 + g.rng.IntN(900)
	subject := fmt.Sprintf(pick(g.rng, gitSubjects), num)
	who := pick(g.rng, colleagues)
	text := fmt.Sprintf("%s commented:\n\n%s\n\n—\nReply to this email directly or view it on Example Git:\nhttps://git.example.com/acme/webmail/issues/%d#issuecomment-%d\nYou are receiving this because you were mentioned.\n",
		strings.ToLower(firstName(who)), pick(g.rng, colleagueParagraphs), num, 1000000+g.rng.IntN(9000000))
	env := envelope{
		From: person{who.Name + " (via Example Git)", gitBot.Addr, 0}, To: []person{{"acme/webmail", "webmail@noreply.git.example.com", 0}},
		Subject: subject,
		Extra:   [][2]string{{"List-Id", "acme/webmail <webmail.acme.git.example.com>"}},
	}
	return env, textPart(text)
}

func (g *generator) invitation(date time.Time) (envelope, *entity) {
	topic := pick(g.rng, []string{"Sprint planning", "Design review", "1:1", "Quarterly review", "Team lunch"})
	start := date.AddDate(0, 0, 3).Truncate(time.Hour)
	text := fmt.Sprintf("You have been invited to: %s\nWhen: %s (1 hour)\nWhere: Room 4.12 / https://meet.example.org/%s\n\nAccept or decline in your calendar.\n",
		topic, start.Format("Monday 2 January 2006, 15:04 MST"), strings.ToLower(strings.ReplaceAll(topic, " ", "-")))
	ics := fmt.Sprintf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example//Demo Calendar//EN\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:%d@calendar.example.org\nDTSTAMP:%s\nDTSTART:%s\nDTEND:%s\nSUMMARY:%s\nLOCATION:Room 4.12\nORGANIZER;CN=Team Calendar:mailto:calendar@example.org\nATTENDEE;CN=%s;RSVP=TRUE:mailto:%s\nEND:VEVENT\nEND:VCALENDAR\n",
		g.rng.Uint64(), date.UTC().Format("20060102T150405Z"), start.UTC().Format("20060102T150405Z"), start.Add(time.Hour).UTC().Format("20060102T150405Z"), topic, g.me.Name, g.me.Addr)
	cal := &entity{mediaType: "text/calendar", params: map[string]string{"charset": "utf-8", "method": "REQUEST"}, body: []byte(crlf(ics))}
	env := envelope{From: calendar, To: []person{g.me}, Subject: fmt.Sprintf("Invitation: %s @ %s", topic, start.Format("Mon 2 Jan 15:04"))}
	return env, multipart("alternative", textPart(text), cal)
}
