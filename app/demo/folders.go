package demo

import (
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// otherFolders generates the folders besides INBOX: Sent (20 with the
// replies of notable), Drafts (2), Trash (5), Archive (30), Junk (5), the
// Projects tree (3, 3 and 4) and Newsletters (15).
func (g *generator) otherFolders() {
	g.sent(20)
	g.drafts()
	g.trash()
	for range 30 {
		fl := flags(imap.FlagSeen)
		if g.rng.IntN(10) == 0 {
			fl = append(fl, imap.FlagFlagged)
		}
		g.filler(folderArchive, g.randomDay(60, 180), fl)
	}
	g.junk()
	g.projects()
	g.newsletters()
}

// sent fills Sent up to n messages from the demo user.
func (g *generator) sent(n int) {
	for i := 0; g.count(folderSent) < n; i++ {
		to := pick(g.rng, colleagues)
		if i%2 == 1 {
			to = pick(g.rng, friends)
		}
		text := fmt.Sprintf("Hi %s,\n\n%s\n\nThanks,\n%s\n", firstName(to), pick(g.rng, colleagueParagraphs), firstName(g.me))
		g.add(folderSent, flags(imap.FlagSeen), envelope{
			From: g.me, To: []person{to}, Subject: sentSubjects[i%len(sentSubjects)], Date: g.randomDay(1, 150),
		}, textPart(text))
	}
}

func (g *generator) drafts() {
	draft := flags(imap.FlagSeen, imap.FlagDraft)
	g.add(folderDrafts, draft, envelope{
		From: g.me, To: []person{linda}, Cc: []person{jonas}, Subject: "Proposal: move the stand-up to 9:45", Date: g.day(0, 8, 20),
	}, textPart("Hi Linda,\n\nWhat do you think about moving the daily stand-up to 9:45? Half the team\n"))
	g.add(folderDrafts, draft, envelope{
		From: g.me, Subject: "Notes for the retro", Date: g.day(6, 17, 0),
	}, textPart("- what went well: launch prep, load tests\n- what to improve: review turnaround\n- \n"))
}

func (g *generator) trash() {
	g.add(folderTrash, nil, envelope{
		From: jonas, To: []person{g.me},
		Subject: "Automatic reply: Out of office", Date: g.day(2, 9, 0),
	}, textPart("I'm out of the office until Monday with limited access to e-mail.\n\nJonas\n"))
	g.add(folderTrash, flags(imap.FlagSeen), envelope{
		From: person{"Example Webinars", "events@webinars.example.com", 0}, To: []person{g.me},
		Subject: "Reminder: Intro to observability starts in 1 hour", Date: g.day(12, 13, 0),
	}, textPart("Join here: https://webinars.example.com/j/123456789\n"))
	for range 3 {
		g.filler(folderTrash, g.randomDay(3, 40), flags(imap.FlagSeen))
	}
}

func (g *generator) junk() {
	senders := []string{"Prize Center", "Online Pharmacy", "Accounts Dept", "Home Income Team"}
	for i, subject := range junkSubjects {
		fl := flags(imap.FlagSeen)
		if i%2 == 0 {
			fl = nil
		}
		from := person{senders[i], fmt.Sprintf("offers%d@promo-%d.example.net", i, 100+i), 0}
		g.add(folderJunk, fl, envelope{From: from, To: []person{g.me}, Subject: subject, Date: g.randomDay(0, 20)},
			multipart("alternative",
				textPart(fmt.Sprintf("DEAR FRIEND,\n\n%s!!! Click now: http://promo-%d.example.net/claim?id=%d\n\nTo stop receiving these e-mails, reply STOP.\n", subject, 100+i, 9000+i)),
				htmlPart(fmt.Sprintf(`<html><body bgcolor="#ffff00"><center><font size="6" color="red"><b>%s!!!</b></font><br><a href="http://promo-%d.example.net/claim"><img src="http://promo-%d.example.net/banner.gif" width="468" height="60" border="0"></a></center></body></html>`+"\n", subject, 100+i, 100+i))))
	}
	// Hostile HTML for sanitizer tests: scripts, event handlers,
	// javascript: and data: URLs, iframes, forms, meta refresh.
	g.add(folderJunk, nil, envelope{
		From: person{"Security Team", "security@accounts-example.example.net", 0}, To: []person{g.me},
		Subject: "Your account has been suspended - verify now", Date: g.day(1, 3, 33),
	}, htmlPart(hostileHTML))
}

func (g *generator) projects() {
	add := func(folder string, from person, subject string, daysAgo int, fl []imap.Flag, text string) {
		g.add(folder, fl, envelope{From: from, To: []person{g.me}, Subject: subject, Date: g.day(daysAgo, 10+daysAgo%7, 15)}, textPart(text))
	}
	seen := flags(imap.FlagSeen)
	add(folderProjects, linda, "Project kickoff notes", 90, seen, "Kickoff notes are in the wiki. Main goals: new website, faster support, fewer tools.\n\nLinda\n")
	add(folderProjects, samuel, "Team charter", 85, seen, "Here is the draft team charter. Comments welcome until Friday.\n\nSamuel\n")
	add(folderProjects, linda, "Objectives for next quarter", 40, seen, "Three objectives, nine key results. See the document, section 2.\n\nLinda\n")
	add(folderWebsite, priya, "Sitemap proposal", 60, seen, "Attached is my sitemap proposal: five top-level sections instead of nine.\n\nPriya\n")
	add(folderWebsite, jonas, "Hosting comparison", 50, seen, "I compared three hosting offers; the cheapest one lacks IPv6, so I'd go with the second.\n\nJonas\n")
	add(folderWebsite, priya, "Style guide v2", 21, nil, "The style guide v2 is ready for review: new colours, bigger type, fewer fonts.\n\nPriya\n")
	add(folderLaunch, linda, "Launch day run sheet", 6, seen, "08:00 final checks\n09:00 DNS switch\n09:30 announcement\n10:00 monitoring review\n\nLinda\n")
	add(folderLaunch, linda, "Press release draft", 5, seen, "Draft press release for launch day, embargoed until Thursday 9:00.\n\nLinda\n")
	add(folderLaunch, samuel, "Go/no-go meeting", 2, nil, "Go/no-go meeting tomorrow at 16:00. Bring your checklist status.\n\nSamuel\n")
	add(folderLaunch, samuel, "Monitoring dashboard links", 1, nil, "Dashboards: https://grafana.example.org/d/web-launch and https://status.example.org\n\nSamuel\n")
}

// newsletters generates 5 weekly issues of each newsletter; the latest
// ones are unread.
func (g *generator) newsletters() {
	for week := range 5 {
		for i, n := range newsletters {
			topic := n.topics[week]
			fl := flags(imap.FlagSeen)
			if week >= 3 && i != 1 || week == 4 {
				fl = nil
			}
			others := slices.DeleteFunc(slices.Clone(n.topics), func(t string) bool { return t == topic })
			headlines := append([]string{topic}, picks(g.rng, others, 3)...)
			g.add(folderNewsletters, fl, envelope{
				From: n.from, To: []person{g.me}, Subject: topic, Date: g.day(7*(4-week)+i, 6+i, 0),
				Extra: [][2]string{{"List-Unsubscribe", fmt.Sprintf("<https://www.%s/unsubscribe?w=%d>", domainOf(n.from.Addr), week)}},
			}, htmlPart(newsletterHTML(n, topic, headlines, fmt.Sprintf("w%d-%d", week, i))))
		}
	}
}
