package compose

import (
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"webmail"
)

func addr(name, addr string) webmail.Address {
	mailbox, host, _ := strings.Cut(addr, "@")
	return webmail.Address{Name: name, Mailbox: mailbox, Host: host}
}

var origDate = time.Date(2025, 3, 10, 16, 5, 0, 0, time.FixedZone("", -5*3600))

// original is a message from Bob to the person (me@example.org) and
// Carol, copied to Dan and the person's other address.
func original() Original {
	return Original{
		Envelope: webmail.Envelope{
			Date:      origDate,
			Subject:   "Project plan",
			From:      []webmail.Address{addr("Bob Builder", "bob@example.net")},
			To:        []webmail.Address{addr("Me", "Me@Example.org"), addr("Carol", "carol@example.com")},
			Cc:        []webmail.Address{addr("", "dan@example.com"), addr("Me too", "other@example.org"), addr("Carol again", "CAROL@example.com")},
			MessageID: "orig@example.net",
			InReplyTo: []string{"parent@example.net"},
		},
		References: []string{"root@example.net", "parent@example.net"},
		Text:       "Hi all,\r\n\r\nHere is the plan.\r\n> Earlier point\r\nTrailing space   \r\n\r\n-- \r\nBob\r\nhttps://bob.example\r\n",
	}
}

var me = []string{"me@example.org", "other@example.org"}

func addrs(l ...string) []*mail.Address {
	var out []*mail.Address
	for _, s := range l {
		name, addr, ok := strings.Cut(s, "|")
		if !ok {
			name, addr = "", s
		}
		out = append(out, &mail.Address{Name: name, Address: addr})
	}
	return out
}

const quotedOriginal = "\n\nOn Mon, 10 Mar 2025 at 16:05 -0500, Bob Builder wrote:\n" +
	"> Hi all,\n>\n> Here is the plan.\n>> Earlier point\n> Trailing space\n"

func TestReply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*Original)
		all  bool
		want Draft
	}{
		{
			name: "reply",
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Bob Builder|bob@example.net"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       quotedOriginal,
			},
		},
		{
			name: "reply to all: own addresses and duplicates removed",
			all:  true,
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Bob Builder|bob@example.net"),
				Cc:      addrs("Carol|carol@example.com", "dan@example.com"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       quotedOriginal,
			},
		},
		{
			name: "Reply-To respected",
			edit: func(o *Original) {
				o.Envelope.ReplyTo = []webmail.Address{addr("List", "list@lists.example"), addr("", "carol@example.com")}
			},
			all: true,
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("List|list@lists.example", "carol@example.com"),
				Cc:      addrs("dan@example.com"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       quotedOriginal,
			},
		},
		{
			name: "reply to one's own message goes to its recipients",
			edit: func(o *Original) {
				o.Envelope.From = []webmail.Address{addr("Me", "me@example.org")}
				o.Envelope.To = []webmail.Address{addr("Bob", "bob@example.net")}
				o.Envelope.Cc = nil
			},
			want: Draft{
				To: addrs("Bob|bob@example.net"), Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       strings.Replace(quotedOriginal, "Bob Builder wrote", "Me wrote", 1),
			},
		},
		{
			name: "note to self",
			edit: func(o *Original) {
				o.Envelope.From = []webmail.Address{addr("Me", "me@example.org")}
				o.Envelope.To = []webmail.Address{addr("Me", "me@example.org")}
				o.Envelope.Cc = nil
			},
			all: true,
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Me|me@example.org"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       strings.Replace(quotedOriginal, "Bob Builder wrote", "Me wrote", 1),
			},
		},
		{
			name: "References from In-Reply-To, then bounded",
			edit: func(o *Original) {
				o.References = nil
				o.Envelope.InReplyTo = []string{"parent@example.net"}
			},
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Bob Builder|bob@example.net"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"parent@example.net", "orig@example.net"},
				Body:       quotedOriginal,
			},
		},
		{
			name: "long References chain keeps the first and the last",
			edit: func(o *Original) {
				o.References = nil
				for i := range 30 {
					o.References = append(o.References, "r"+strconv.Itoa(i)+"@example.net")
				}
			},
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Bob Builder|bob@example.net"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: append(append([]string{"r0@example.net"}, func() []string {
					var l []string
					for i := 12; i < 30; i++ {
						l = append(l, "r"+strconv.Itoa(i)+"@example.net")
					}
					return l
				}()...), "orig@example.net"),
				Body: quotedOriginal,
			},
		},
		{
			name: "no Message-ID, hostile names, no date",
			edit: func(o *Original) {
				o.Envelope.MessageID = "not an id"
				o.Envelope.Date = time.Time{}
				o.Envelope.From = []webmail.Address{addr("Evil\r\nBcc: x@attacker.example", "bob@example.net"), {Mailbox: "group", Host: ""}, addr("", "broken@")}
				o.Text = "x"
			},
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Evil Bcc: x@attacker.example|bob@example.net"),
				Subject: "Re: Project plan",
				Body:    "\n\nEvil Bcc: x@attacker.example wrote:\n> x\n",
			},
		},
		{
			name: "HTML only original",
			edit: func(o *Original) {
				o.Text = ""
				o.HTML = "<p>Hello <b>there</b></p><blockquote>older</blockquote><p>bye<br>-- <br>sig</p>"
			},
			want: Draft{
				From: &mail.Address{Address: "me@example.org"}, To: addrs("Bob Builder|bob@example.net"),
				Subject: "Re: Project plan", InReplyTo: "orig@example.net",
				References: []string{"root@example.net", "parent@example.net", "orig@example.net"},
				Body:       "\n\nOn Mon, 10 Mar 2025 at 16:05 -0500, Bob Builder wrote:\n> Hello there\n>\n>> older\n>\n> bye\n",
			},
		},
		{
			name: "no envelope",
			edit: func(o *Original) { o.Envelope = webmail.Envelope{}; o.Text = "" },
			want: Draft{Subject: "Re:", Body: "\n\nsomeone wrote:\n"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := original()
			if tc.edit != nil {
				tc.edit(&o)
			}
			got := Reply(o, me, tc.all)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// A reply is a valid draft once it has a sender, and its
			// body is written format=flowed.
			got.From = &mail.Address{Address: "me@example.org"}
			if len(got.To) > 0 {
				if errs := got.Validate(); errs != nil {
					t.Errorf("Validate: %v", errs)
				}
				if enc := encodeBody(got.Body); !enc.flowed {
					t.Errorf("the reply's body cannot be flowed")
				}
			}
		})
	}
}

func TestSubjectPrefixes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, reply, forward string
	}{
		{"Hello", "Re: Hello", "Fwd: Hello"},
		{"Re: Hello", "Re: Hello", "Fwd: Re: Hello"},
		{"RE: re: Re:Hello", "Re: Hello", "Fwd: RE: re: Re:Hello"},
		{"Re[2]: Hello", "Re: Hello", "Fwd: Re[2]: Hello"},
		{"Re(3): Re^2: Hello", "Re: Hello", "Fwd: Re(3): Re^2: Hello"},
		{"AW: SV: VS: Antw: Odp: Hello", "Re: Hello", "Fwd: AW: SV: VS: Antw: Odp: Hello"},
		{"RE : Réf : Bonjour", "Re: Bonjour", "Fwd: RE : Réf : Bonjour"},
		{"回复：你好", "Re: 你好", "Fwd: 回复：你好"},
		{"Fwd: Hello", "Re: Fwd: Hello", "Fwd: Hello"},
		{"FW: Fwd: WG: TR: Hello", "Re: FW: Fwd: WG: TR: Hello", "Fwd: Hello"},
		{"Re: Fwd: Hello", "Re: Fwd: Hello", "Fwd: Re: Fwd: Hello"},
		{"Research: results", "Re: Research: results", "Fwd: Research: results"},
		{"Rex[a]: x", "Re: Rex[a]: x", "Fwd: Rex[a]: x"},
		{"Re[]: x", "Re: Re[]: x", "Fwd: Re[]: x"},
		{"Re:", "Re:", "Fwd: Re:"},
		{"", "Re:", "Fwd:"},
		{"  Re:   spaced  \t out  ", "Re: spaced out", "Fwd: Re: spaced out"},
		{"Line\r\nBreak", "Re: Line Break", "Fwd: Line Break"},
		{strings.Repeat("ü", 600), "Re: " + strings.Repeat("ü", 496), "Fwd: " + strings.Repeat("ü", 495)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			o := Original{Envelope: webmail.Envelope{Subject: tc.in}}
			if got := Reply(o, nil, false).Subject; got != tc.reply {
				t.Errorf("reply: %q, want %q", got, tc.reply)
			}
			if got := Forward(o).Subject; got != tc.forward {
				t.Errorf("forward: %q, want %q", got, tc.forward)
			}
		})
	}
}

func TestForward(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*Original)
		want Draft
	}{
		{
			name: "text",
			want: Draft{Subject: "Fwd: Project plan", Body: "\n\n---------- Forwarded message ----------\n" +
				"From: Bob Builder <bob@example.net>\n" +
				"Date: Mon, 10 Mar 2025 at 16:05 -0500\n" +
				"Subject: Project plan\n" +
				"To: Me <Me@Example.org>, Carol <carol@example.com>\n" +
				"Cc: dan@example.com, Me too <other@example.org>, Carol again <CAROL@example.com>\n" +
				"\n" +
				"Hi all,\n\nHere is the plan.\n> Earlier point\nTrailing space\n\n-- \nBob\nhttps://bob.example\n"},
		},
		{
			name: "HTML, hostile header values",
			edit: func(o *Original) {
				o.Envelope.Subject = "A\r\nBcc: x@attacker.example"
				o.Envelope.Cc = nil
				o.Envelope.Date = time.Time{}
				o.Text = ""
				o.HTML = "<div>Hi <a href='https://example.com/x'>link</a></div>"
			},
			want: Draft{Subject: "Fwd: A Bcc: x@attacker.example", Body: "\n\n---------- Forwarded message ----------\n" +
				"From: Bob Builder <bob@example.net>\n" +
				"Subject: A Bcc: x@attacker.example\n" +
				"To: Me <Me@Example.org>, Carol <carol@example.com>\n" +
				"\n" +
				"Hi link <https://example.com/x>\n"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := original()
			if tc.edit != nil {
				tc.edit(&o)
			}
			if diff := cmp.Diff(tc.want, Forward(o)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyBoundsQuote(t *testing.T) {
	t.Parallel()
	o := original()
	o.Text = strings.Repeat("A long original line of text.\n", 100000)
	d := Reply(o, me, false)
	if len(d.Body) > maxQuoteBytes+maxQuoteBytes/10 {
		t.Errorf("body of %d bytes", len(d.Body))
	}
	if !strings.HasSuffix(d.Body, "> […]\n") {
		t.Errorf("no truncation mark: %q", d.Body[len(d.Body)-40:])
	}
}
