package app

import (
	"net/http"
	"strings"

	"webmail/assets"
	"webmail/views"
)

// Handler returns the whole HTTP handler: the route table wrapped in the
// middleware, in the order DESIGN.md section 3 gives.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()

	// Public: static files, login, OAuth sign-in (login_oauth.go).
	mux.Handle("GET "+assets.Prefix, a.assets)
	mux.Handle("GET /login", a.handle(a.showLogin))
	mux.Handle("POST /login", a.handle(a.login))
	mux.Handle("POST /login/oauth/{provider}", a.flows.LoadAndSave(a.handle(a.startOAuth)))
	mux.Handle("GET /login/oauth/{provider}/callback", a.flows.LoadAndSave(a.handle(a.finishOAuth)))

	// Operations (readyz.go, metrics.go): public, /metrics to metrics.allow
	// only, and not here at all when it has a listener of its own.
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.cfg.Metrics.Listen == "" {
		mux.Handle("GET /metrics", a.serveMetrics(a.cfg.Metrics.AllowPrefixes()))
	}

	// Session.
	mux.Handle("POST /logout", a.handle(a.logout))

	// Folders and lists.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { seeOther(w, r, "/m/INBOX") })
	mux.Handle("GET /folders", a.handle(a.showFolders))
	mux.Handle("GET /m/{mailbox}", a.handle(a.showFolder))

	// The messages checked in a list (messages_*.go).
	mux.Handle("POST /m/{mailbox}/read", a.handle(a.readMessages))
	mux.Handle("POST /m/{mailbox}/unread", a.handle(a.unreadMessages))
	mux.Handle("POST /m/{mailbox}/flag", a.handle(a.flagMessages))
	mux.Handle("POST /m/{mailbox}/unflag", a.handle(a.unflagMessages))
	mux.Handle("POST /m/{mailbox}/move", a.handle(a.moveMessages))
	mux.Handle("POST /m/{mailbox}/archive", a.handle(a.archiveMessages))
	mux.Handle("POST /m/{mailbox}/junk", a.handle(a.junkMessages))
	mux.Handle("POST /m/{mailbox}/notjunk", a.handle(a.notJunkMessages))
	mux.Handle("POST /m/{mailbox}/delete", a.handle(a.deleteMessages))
	mux.Handle("POST /undo", a.handle(a.undo))

	// One message.
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}", a.handle(a.showMessage))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/body", a.handle(a.showMessageBody))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/conversation", a.handle(a.showConversation))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/part/{section}", a.handle(a.downloadPart))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/part/{section}/view", a.handle(a.viewPart))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/source", a.handle(a.showSource))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/print", a.handle(a.printMessage))

	// The open message (messages_*.go).
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/unread", a.handle(a.unreadMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/flag", a.handle(a.flagMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/unflag", a.handle(a.unflagMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/move", a.handle(a.moveMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/archive", a.handle(a.archiveMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/junk", a.handle(a.junkMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/notjunk", a.handle(a.notJunkMessage))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/delete", a.handle(a.deleteMessage))

	// Leaving the mailing list a message came from (list_unsubscribe*.go).
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/unsubscribe", a.handle(a.showListUnsubscribe))
	mux.Handle("POST /m/{mailbox}/{validity}/{uid}/unsubscribe", a.handle(a.unsubscribeList))

	// Writing.
	mux.Handle("GET /compose", a.handle(a.showCompose))
	mux.Handle("POST /compose/send", a.handle(a.sendMessage))
	mux.Handle("POST /compose/draft", a.handle(a.saveDraft))
	mux.Handle("POST /compose/preview", a.handle(a.previewCompose))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/reply", a.handle(a.showReply))
	mux.Handle("GET /m/{mailbox}/{validity}/{uid}/forward", a.handle(a.showForward))

	// Contacts and recipient suggestions (contacts_*.go, contacts.go).
	mux.Handle("GET /contacts", a.handle(a.showContacts))
	mux.Handle("GET /contacts/suggest", a.handle(a.suggestContacts))
	mux.Handle("POST /contacts", a.handle(a.addContact))

	// Folder management (folders_manage.go, folder_*.go); {folder} is a
	// full name, one escaped segment as {mailbox} is.
	mux.Handle("GET /folders/manage", a.handle(a.showFoldersManage))
	mux.Handle("POST /folders", a.handle(a.createFolder))
	mux.Handle("POST /folders/{folder}/rename", a.handle(a.renameFolder))
	mux.Handle("POST /folders/{folder}/delete", a.handle(a.deleteFolder))
	mux.Handle("POST /folders/{folder}/empty", a.handle(a.emptyFolder))
	mux.Handle("POST /folders/{folder}/subscribe", a.handle(a.subscribeFolder))
	mux.Handle("POST /folders/{folder}/unsubscribe", a.handle(a.unsubscribeFolder))

	// Live updates of an open folder (app/live.go).
	mux.Handle("GET /m/{mailbox}/events", a.handle(a.folderEvents))

	// Settings (settings_*.go), kept in the person's mailbox
	// (settings.go): identities (identity_*.go) and the senders whose
	// remote content shows (remote_*.go).
	mux.Handle("GET /settings", a.handle(a.showSettings))
	mux.Handle("POST /settings/reading", a.handle(a.saveReading))
	mux.Handle("POST /settings/identities", a.handle(a.saveIdentity))
	mux.Handle("POST /settings/identities/{address}/default", a.handle(a.defaultIdentity))
	mux.Handle("POST /settings/identities/{address}/delete", a.handle(a.deleteIdentity))
	mux.Handle("POST /settings/remote", a.handle(a.allowRemote))
	mux.Handle("POST /settings/remote/{sender}/delete", a.handle(a.disallowRemote))
	mux.Handle("GET /settings/sending", a.handle(a.showSettingsSending))
	mux.Handle("POST /settings/sending", a.handle(a.saveSettingsSending))
	mux.Handle("POST /settings/sending/forget", a.handle(a.forgetSettingsSending))
	mux.Handle("POST /settings/sending/name", a.handle(a.saveDisplayName))
	mux.Handle("POST /settings/timezone", a.handle(a.saveTimeZone))
	mux.Handle("POST /settings/theme", a.handle(a.saveTheme))

	a.routes = mux
	return mount(a.cfg.BasePath(), a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer noteRoute(r) // the mux has set r.Pattern by then
		mux.ServeHTTP(w, r)
	})))
}

// mount serves h under base, the sub-path of public_url ("/mail"; "" at
// the root, where h is served as it is). h sees paths from the webmail's
// root, as the route table, the middleware, the logs and the metrics'
// route labels all expect: base is taken off the request and put in its
// context, from where views.Path adds it back to every URL written for the
// browser. A request outside base is not ours: 404. base itself, without
// its slash, moves to base + "/".
func mount(base string, h http.Handler) http.Handler {
	if base == "" {
		return h
	}
	strip := http.StripPrefix(base, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == base && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			http.Redirect(w, r, base+"/", http.StatusMovedPermanently)
		case !strings.HasPrefix(r.URL.Path, base+"/"):
			http.NotFound(w, r)
		default:
			strip.ServeHTTP(w, r.WithContext(views.WithRoot(r.Context(), base)))
		}
	})
}

// middleware wraps h in the middleware, in the order DESIGN.md section 3
// gives.
func (a *App) middleware(h http.Handler) http.Handler {
	return chain(h,
		a.recoverPanics,
		a.logRequests,
		a.localize,
		a.securityHeaders,
		a.compress,
		http.NewCrossOriginProtection().Handler,
		refuseSubresources,
		a.sessions.LoadAndSave,
		a.authenticate,
	)
}

// isPublic lists the routes that need no login; everything else does.
func isPublic(r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/login", p == "/healthz", p == "/readyz", p == "/metrics", strings.HasPrefix(p, "/login/oauth/"):
		return true
	case len(p) > len(assets.Prefix) && p[:len(assets.Prefix)] == assets.Prefix:
		return true
	}
	return false
}

// chain wraps h in middleware, the first one outermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
