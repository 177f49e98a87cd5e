package demo

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Subjects of the notable INBOX messages, one per feature a webmail must
// handle; the tests look them up by subject.
const (
	subjectQuoted      = "Re: Dinner on Saturday?"
	subjectFlowed      = "Trip report: three days in the Dolomites"
	subjectLinks       = "Useful links for your first week"
	subjectNewsletter  = "Spring Collection: up to 40% off trail gear"
	subjectAlternative = "Team offsite agenda (Thursday)"
	subjectPDF         = "Your invoice INV-10042 is available"
	subjectPNG         = "Photos from the hike"
	subjectBig         = "Weekly backup: backup-archive.zip (5 MB)"
	subjectCID         = "Happy birthday card for you"
	subjectLatin1      = "Réservation confirmée pour le dîner à Genève"
	subjectWindows1252 = "Don’t miss it: “Spring Sale” – 20 € off"
	subjectShiftJIS    = "会議の議事録について"
	subjectKOI8R       = "Привет из Москвы"
	subjectLong        = "Action required: please review the updated terms of service, privacy policy, cookie policy, acceptable use policy and data processing addendum before your next sign-in on any of your devices"
	subjectEmoji       = "🎉 Party on Friday — RSVP by Wednesday"
	subjectMany        = "All-hands meeting moved to 3 pm"
	subjectFilename    = "Slides for the quarterly review"
	subjectThread      = "Website launch checklist"
	subjectNone        = "" // a message without a Subject field
)

// Non-ASCII texts of the legacy-charset messages.
const (
	bodyLatin1 = `Bonjour,

Votre réservation au Café de l'Hôtel-de-Ville est confirmée pour samedi à 19h30.
Table pour 4 personnes, près de la fenêtre.

Menu dégustation : 85 CHF (boissons non comprises).
« À bientôt ! »

Françoise Müller
Réception
`
	bodyWindows1252 = `Hi there,

Don’t miss our “Spring Sale” – save 20 € on every order over 100 €…

• Free shipping on all coffee beans
• Easy returns within 30 days
• Fair Trade™ certified, of course

Offer valid until Sunday.
Your team at Café Mokka
`
	bodyShiftJIS = `デモさん

お疲れ様です。田中です。
先日の打ち合わせの議事録をお送りします。

一、新しいウェブサイトの公開日は来月十五日です。
二、デザインの修正は今週中に完了します。
三、次回の会議は金曜日の午後三時からです。

ご確認のほど、よろしくお願いいたします。

田中 花子
株式会社サンプル　営業部
`
	bodyKOI8R = `Здравствуйте!

Пишу вам из Москвы. Погода отличная, снега пока нет.
Фотографии с прогулки по Красной площади пришлю в следующем письме.

С наилучшими пожеланиями,
Иван Петров
`
)

// longURL is an unbroken URL of several hundred characters.
const longURL = "https://links.example.com/track/click/v2/aHR0cHM6Ly9hY2NvdW50cy5leGFtcGxlLmNvbS90ZXJtcz92ZXJzaW9uPTIwMjUtMDMmbGFuZz1lbiZyZWY9ZW1haWw" +
	"?campaign=terms-update-2025-spring&recipient=demo%40example.org&signature=5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99" +
	"&redirect=https%3A%2F%2Faccounts.example.com%2Fsettings%2Fprivacy%2Fconsent%2Freview%3Fsection%3Dall%26highlight%3Dchanges%26from%3Dnotification" +
	"&utm_source=email&utm_medium=notification&utm_campaign=legal-terms-update-all-regions-all-products-all-devices"

// notable generates the INBOX messages that exercise one feature each (and
// a few companions in Sent).
func (g *generator) notable() {
	g.dinner()

	g.add(folderInbox, flags(imap.FlagSeen, imap.FlagFlagged), envelope{
		From: tom, To: []person{g.me}, Subject: subjectFlowed, Date: g.day(7, 21, 12),
	}, flowedPart(flow(`Hi Demo,

We're back from the Dolomites! Three days of perfect weather, one thunderstorm and far too much polenta. Day one was the Seceda ridge: we took the cable car up and walked down through the meadows, which took most of the afternoon because we kept stopping for photos.

Day two was the big one, the loop around the Tre Cime. It's busy near the huts but quiet as soon as you leave the main trail. Bring cash, the huts don't take cards.

> Is it OK for beginners? My sister wants to come along next time, but she has never been in the mountains before.

Mostly yes. The loop is long but not technical; the only steep part is the climb to the Forcella Lavaredo, and you can take it slowly.

-- 
Tom
`, 72)))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: priya, To: []person{g.me}, Subject: subjectLinks, Date: g.day(20, 9, 30),
	}, textPart(`Hi Demo,

Here are the links I promised:

- Wiki: https://wiki.example.com/onboarding
- Issue tracker: http://tracker.example.com/projects/WEB?tab=open&sort=updated
- Design files: https://design.example.net/files/abc123#page=2
- Team calendar: <https://calendar.example.com/team/web>
- Questions? Write to mailto:helpdesk@example.com or to support@example.com.
- The old intranet (www.intranet.example.com) is being retired.
- Docs with parentheses: https://example.com/wiki/Mail_(protocol) and a URL at the
  end of a sentence: https://example.org/docs.

Please do not click things like javascript:alert('gotcha') that people paste
in chat: link text is not a link. Same for data:text/html,<b>hi</b>.

Priya
`))

	g.add(folderInbox, nil, envelope{
		From: northwind, To: []person{g.me}, Subject: subjectNewsletter, Date: g.day(2, 6, 5),
		Extra: [][2]string{
			{"List-Unsubscribe", "<https://northwind.example.com/unsubscribe?u=7f3a9c>, <mailto:unsubscribe@northwind.example.com>"},
			{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		},
	}, htmlPart(newsletterHTML(newsletter{northwind, "#2e7d32", nil}, subjectNewsletter,
		[]string{"Trail running shoes: 40% off", "Ultralight tents for two", "Rain jackets that actually breathe", "Our guide to spring hiking"}, "spring-7f3a9c")))

	g.add(folderInbox, flags(imap.FlagSeen, imap.FlagFlagged), envelope{
		From: linda, To: []person{g.me, jonas, priya, samuel}, Subject: subjectAlternative, Date: g.day(4, 16, 40),
	}, multipart("alternative",
		textPart(`Hi all,

Here is the agenda for Thursday's offsite:

 9:30  Coffee and welcome
10:00  Year in review (Linda)
11:00  Product roadmap (Jonas)
12:30  Lunch at the lake
14:00  Workshops
16:30  Wrap-up

See you there!
Linda
`),
		htmlPart(`<html><body style="font-family:Georgia,serif">
<p>Hi all,</p>
<p>Here is the agenda for <b>Thursday's offsite</b>:</p>
<table border="1" cellpadding="6" style="border-collapse:collapse">
<tr style="background:#eeeeee"><th>Time</th><th>Session</th></tr>
<tr><td>9:30</td><td>Coffee and welcome</td></tr>
<tr><td>10:00</td><td>Year in review (Linda)</td></tr>
<tr><td>11:00</td><td>Product roadmap (Jonas)</td></tr>
<tr><td>12:30</td><td><i>Lunch at the lake</i></td></tr>
<tr><td>14:00</td><td>Workshops</td></tr>
<tr><td>16:30</td><td>Wrap-up</td></tr>
</table>
<p>See you there!<br>Linda</p>
</body></html>
`)))

	invoice := invoicePDF([]string{"Invoice INV-10042", "Contoso Hosting", "Customer: " + g.me.Name,
		"Web hosting, Business plan, 12 months .......... 119.88 EUR", "VAT 20% ........................................ 23.98 EUR",
		"Total ......................................... 143.86 EUR", "Paid by card. Thank you!"})
	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: contoso, To: []person{g.me}, Subject: subjectPDF, Date: g.day(5, 3, 12),
	}, multipart("mixed",
		multipart("alternative",
			textPart("Hello,\n\nYour invoice INV-10042 (143.86 EUR) is attached as a PDF.\n\nContoso Hosting billing\n"),
			htmlPart(`<p>Hello,</p><p>Your invoice <strong>INV-10042</strong> (143.86&nbsp;EUR) is attached as a PDF.</p><p style="color:#777">Contoso Hosting billing</p>`+"\n")),
		attachment("application/pdf", "invoice-INV-10042.pdf", invoice)))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: marie, To: []person{g.me}, Cc: []person{tom}, Subject: subjectPNG, Date: g.day(9, 20, 3),
	}, multipart("mixed",
		textPart("Here are two pictures from Sunday. The view from the top was worth it!\n\nMarie\n"),
		attachment("image/png", "hike-lake.png", picturePNG(480, 320, 0.3)),
		attachment("image/png", "hike-summit.png", picturePNG(320, 480, 2.1))))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: backupBot, To: []person{g.me}, Subject: subjectBig, Date: g.day(3, 2, 30),
	}, multipart("mixed",
		textPart("The weekly backup completed successfully.\n\nArchive: backup-archive.zip (5 MB)\nDuration: 4 min 12 s\n"),
		attachment("application/zip", "backup-archive.zip", backupZip(bigAttachmentSize))))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: person{"Grandma Rose", "rose.miller@example.net", -300}, To: []person{g.me}, Subject: subjectCID, Date: g.day(6, 10, 15),
	}, multipart("alternative",
		textPart("Happy birthday, dear! Have a wonderful day.\n\nLove,\nGrandma\n"),
		multipart("related",
			htmlPart(`<html><body style="text-align:center;font-family:cursive;background:#fff8e7">
<h1 style="color:#d6336c">Happy birthday, dear!</h1>
<img src="cid:cake@demo.example.net" alt="A birthday cake" width="320" height="200">
<p>Have a wonderful day.</p>
<img src="cid:balloons@demo.example.net" alt="Balloons" width="200" height="120">
<p>Love,<br>Grandma</p>
</body></html>
`),
			inlineImage("image/png", "cake.png", "cake@demo.example.net", picturePNG(320, 200, 4.0)),
			inlineImage("image/png", "balloons.png", "balloons@demo.example.net", picturePNG(200, 120, 5.2)))))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: hotel, To: []person{g.me}, Subject: subjectLatin1, Charset: latin1, Date: g.day(11, 14, 2),
	}, legacyPart("text/plain", latin1, bodyLatin1))

	g.add(folderInbox, nil, envelope{
		From: mokka, To: []person{g.me}, Subject: subjectWindows1252, Charset: windows1252, Date: g.day(8, 7, 45),
	}, multipart("alternative",
		legacyPart("text/plain", windows1252, bodyWindows1252),
		legacyPart("text/html", windows1252, `<html><body style="font-family:Verdana,sans-serif">
<h2 style="color:#6f4e37">Don’t miss our “Spring Sale”</h2>
<p>Save <b>20 €</b> on every order over 100 €…</p>
<ul><li>Free shipping on all coffee beans</li><li>Easy returns within 30 days</li><li>Fair Trade™ certified</li></ul>
<img src="https://img.cafe-mokka.example.net/spring-sale.jpg" width="500" height="200" alt="Spring Sale">
</body></html>
`)))

	g.add(folderInbox, nil, envelope{
		From: hanako, To: []person{g.me}, Subject: subjectShiftJIS, Charset: shiftJIS, Date: g.day(3, 11, 20),
	}, legacyPart("text/plain", shiftJIS, bodyShiftJIS))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: ivan, To: []person{g.me}, Subject: subjectKOI8R, Charset: koi8r, Date: g.day(13, 18, 30),
	}, legacyPart("text/plain", koi8r, bodyKOI8R))

	g.add(folderInbox, nil, envelope{
		From: noreply, To: []person{g.me}, Subject: subjectLong, Date: g.day(1, 8, 0),
	}, textPart("Hello,\n\nWe have updated our terms. Please review them here:\n\n"+longURL+
		"\n\nIf the link does not work, copy it into your browser.\n\nExample Accounts\n"))

	g.add(folderInbox, flags(imap.FlagSeen), envelope{
		From: bob, To: []person{g.me}, Subject: subjectNone, Date: g.day(15, 12, 5),
	}, textPart("Forgot the subject, sorry. Here's the address for tonight: 42 Example Street, 3rd floor.\n\nBob\n"))

	g.add(folderInbox, nil, envelope{
		From: jose, To: []person{g.me}, Subject: subjectEmoji, Date: g.day(0, 9, 10),
	}, textPart("¡Hola! 🎉\n\nWe're throwing a party on Friday at 8 pm. Bring friends, bring music 🎶.\nPlease RSVP by Wednesday so we know how much paella to make. 🥘\n\nJosé\n"))

	g.add(folderInbox, nil, envelope{
		From: linda, To: slices.Concat([]person{g.me}, colleagues[1:], friends),
		Cc:      []person{{"All staff", "all-staff@example.org", 0}, {"Management", "management@example.org", 0}, {"Facilities", "facilities@example.org", 0}},
		Subject: subjectMany, Date: g.day(0, 7, 30),
	}, textPart("Hi everyone,\n\nToday's all-hands meeting is moved from 2 pm to 3 pm, same room.\n\nLinda\n"))

	slides := invoicePDF([]string{"Quarterly review", "Präsentation Q1 – Überblick", "Revenue up 12%", "Two new customers", "Next: the website launch"})
	g.add(folderInbox, flags(imap.FlagSeen, imap.FlagAnswered), envelope{
		From: jonas, To: []person{g.me}, Subject: subjectFilename, Date: g.day(10, 17, 55),
	}, multipart("mixed",
		textPart("Hi Demo,\n\nHere are the slides for the quarterly review (the file name has umlauts, as our German office likes it).\n\nJonas\n"),
		attachment("application/pdf", "Präsentation Q1 – Überblick.pdf", slides)))
}

// dinner generates a short conversation whose last message quotes two
// levels of earlier replies.
func (g *generator) dinner() {
	askID, replyID := g.id(marie), g.id(g.me)
	askDate, replyDate := g.day(3, 9, 14), g.day(2, 18, 5)
	ask := "Hi! Are we still on for dinner on Saturday?\nI found a new recipe for ratatouille I'd like to try.\n\nTom texted me this, by the way:\n> Don't forget the wine this time :)\n\nMarie\n"
	reply := "Great, let's say 7:30 pm at my place then.\n\n" + quote(marie, askDate, ask) + "\nCheers,\nDemo\n"
	last := "Sounds perfect! I'll bring dessert.\n\nShould we ask Tom too? He mentioned he's free this weekend.\n\nMarie\n\n" + quote(g.me, replyDate, reply)

	g.add(folderInbox, flags(imap.FlagSeen, imap.FlagAnswered), envelope{
		From: marie, To: []person{g.me}, Subject: "Dinner on Saturday?", Date: askDate, ID: askID,
	}, textPart(ask))
	g.add(folderSent, flags(imap.FlagSeen), envelope{
		From: g.me, To: []person{marie}, Subject: "Re: Dinner on Saturday?", Date: replyDate, ID: replyID,
		InReplyTo: askID, References: []string{askID},
	}, textPart(reply))
	g.add(folderInbox, nil, envelope{
		From: marie, To: []person{g.me}, Subject: subjectQuoted, Date: g.day(1, 19, 42),
		InReplyTo: replyID, References: []string{askID, replyID},
	}, textPart(last))
}

// thread generates a 12-message conversation: 9 messages in INBOX and the
// demo user's 3 replies in Sent, each quoting the previous one.
func (g *generator) thread() {
	team := []person{linda, jonas, priya, samuel, g.me}
	steps := []struct {
		from    person
		daysAgo int
		text    string
	}{
		{linda, 13, "Hi all,\n\nThe launch is planned for the end of next week. Here is the checklist we agreed on:\n\n1. Content freeze (Priya)\n2. Load test on staging (Samuel)\n3. Redirects from the old URLs (Jonas)\n4. Analytics and cookie banner (Demo)\n5. Press release (Linda)\n\nPlease reply to this thread with your status.\n\nLinda\n"},
		{jonas, 12, "Redirects are done for the blog and the docs. The shop URLs still need a mapping file from marketing.\n\nJonas\n"},
		{g.me, 12, "Analytics is set up on staging. The cookie banner still needs the final wording from legal, I've pinged them.\n\nDemo\n"},
		{priya, 11, "Content freeze starts tomorrow at noon. After that, only typo fixes please!\n\nPriya\n"},
		{samuel, 10, "First load test: 500 concurrent users, p95 at 380 ms. The image service is the bottleneck; I'll add a cache and rerun.\n\nSamuel\n"},
		{linda, 9, "Thanks everyone. Jonas, marketing sent the mapping file, it's in the shared drive. Demo, any news from legal?\n\nLinda\n"},
		{g.me, 8, "Legal approved the banner text this morning, it's deployed on staging.\n\nDemo\n"},
		{jonas, 7, "Shop redirects are in. I tested the 200 most visited URLs, all good.\n\nJonas\n"},
		{priya, 5, "Found two broken images on the About page, fixed. Content is frozen now.\n\nPriya\n"},
		{samuel, 4, "Second load test with the cache: p95 at 140 ms with 1000 users. We're good.\n\nSamuel\n"},
		{g.me, 2, "Great work! I'll do a last check of the analytics events tomorrow morning.\n\nDemo\n"},
		{linda, 1, "Everything is green. We launch on Thursday at 9:00. Thanks all!\n\nLinda\n"},
	}
	var refs []string
	var prev string
	for i, st := range steps {
		env := envelope{From: st.from, Subject: subjectThread, Date: g.day(st.daysAgo, 9+i%8, 7*i%60), ID: g.id(st.from)}
		for _, p := range team {
			if p != st.from {
				env.To = append(env.To, p)
			}
		}
		text := st.text
		if i > 0 {
			env.Subject = "Re: " + subjectThread
			env.InReplyTo = refs[len(refs)-1]
			env.References = refs
			text += "\n" + prev
		}
		folder, fl := folderInbox, flags(imap.FlagSeen)
		switch {
		case st.from == g.me:
			folder = folderSent
		case i == 0:
			fl = flags(imap.FlagSeen, imap.FlagFlagged)
		case i == len(steps)-1:
			fl = nil
		case steps[i+1].from == g.me:
			fl = flags(imap.FlagSeen, imap.FlagAnswered)
		}
		g.add(folder, fl, env, textPart(text))
		refs = append(refs, env.ID)
		prev = quote(st.from, env.Date, text)
	}
}

// flow formats text as format=flowed (RFC 3676): lines longer than width are
// wrapped at spaces, every wrapped line ending with a space (a soft break);
// quoted lines keep their ">" prefix on each wrapped line. The text must not
// need space-stuffing.
func flow(text string, width int) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if line == "-- " { // signature separator, kept as is
			b.WriteString(line + "\n")
			continue
		}
		prefix := strings.Repeat(">", len(line)-len(strings.TrimLeft(line, ">")))
		line = strings.TrimRight(line[len(prefix):], " ")
		if prefix != "" {
			line = strings.TrimPrefix(line, " ")
			prefix += " "
		}
		for len(prefix)+len(line) > width {
			i := strings.LastIndexByte(line[:width-len(prefix)], ' ')
			if i <= 0 {
				break
			}
			b.WriteString(prefix + line[:i+1] + "\n")
			line = line[i+1:]
		}
		b.WriteString(prefix + line + "\n")
	}
	return b.String()
}

// newsletterHTML returns an e-mail newsletter in the usual style: nested
// layout tables, a <style> block and inline styles, remote images on
// example domains and a 1×1 tracking pixel.
func newsletterHTML(n newsletter, title string, headlines []string, track string) string {
	domain := domainOf(n.from.Addr)
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>%[1]s</title>
<style>
  body { margin: 0; padding: 0; background: #f2f2f2; font-family: Helvetica, Arial, sans-serif; }
  .content { width: 600px; max-width: 600px; background: #ffffff; }
  .button { background: %[2]s; color: #ffffff !important; padding: 12px 24px; border-radius: 4px; text-decoration: none; }
  @media only screen and (max-width: 620px) { .content { width: 100%% !important; } }
</style></head>
<body>
<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" style="background:#f2f2f2"><tr><td align="center">
<table role="presentation" class="content" width="600" cellpadding="0" cellspacing="0" style="border:1px solid #dddddd">
<tr><td style="background:%[2]s;padding:20px">
  <img src="https://img.%[3]s/logo.png" width="160" height="40" alt="%[4]s" style="display:block;border:0">
</td></tr>
<tr><td style="padding:24px 20px 8px;font-size:22px;font-weight:bold;color:#222222">%[1]s</td></tr>
`, html.EscapeString(title), n.color, domain, html.EscapeString(n.from.Name))
	for i, h := range headlines {
		fmt.Fprintf(&b, `<tr><td style="padding:12px 20px"><table role="presentation" width="100%%" cellpadding="0" cellspacing="0"><tr>
  <td width="160" valign="top"><img src="http://cdn.example.net/%[1]s/%[2]s/item-%[3]d.jpg" width="150" height="100" alt="" style="border-radius:4px"></td>
  <td valign="top" style="font-size:15px;line-height:22px;color:#444444"><strong>%[4]s</strong><br>
  Everything you need to know, in two minutes.<br>
  <a href="https://www.%[1]s/articles/%[2]s-%[3]d?utm_source=newsletter&amp;utm_medium=email" style="color:%[5]s">Read more &rarr;</a></td>
</tr></table></td></tr>
`, domain, track, i+1, html.EscapeString(h), n.color)
	}
	fmt.Fprintf(&b, `<tr><td align="center" style="padding:24px"><a class="button" href="https://www.%[1]s/?utm_campaign=%[2]s">Visit our website</a></td></tr>
<tr><td style="padding:16px 20px;font-size:12px;color:#999999;text-align:center">
  You receive this e-mail because you subscribed at %[1]s.<br>
  <a href="https://www.%[1]s/unsubscribe?c=%[2]s" style="color:#999999">Unsubscribe</a> &middot; 1 Example Road, Springfield
</td></tr>
</table>
<img src="https://track.example.net/open.gif?c=%[2]s&amp;u=demo" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">
</td></tr></table>
</body></html>
`, domain, track)
	return b.String()
}
