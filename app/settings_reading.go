package app

import (
	"net/http"
	"strconv"
	"strings"

	"webmail"
	"webmail/views"
)

// saveReading saves the reading and writing settings: messages a page,
// density, conversations, where replies go, when messages are marked
// read, the language.
func (a *App) saveReading(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	f := r.PostForm
	var posted webmail.Settings
	posted.PerPage, _ = strconv.Atoi(f.Get("per_page"))
	posted.Density = f.Get("density")
	posted.Conversations = f.Get("conversations") == "1"
	posted.ReplyBelow = f.Get("reply") == "below"
	posted.MarkRead = f.Get("mark_read")
	if posted.MarkRead == webmail.MarkReadAfterDelay {
		if posted.MarkReadDelay, _ = strconv.Atoi(strings.TrimSpace(f.Get("mark_read_delay"))); posted.MarkReadDelay == 0 {
			posted.MarkReadDelay = -1 // not a number: Validate says so
		}
	}
	posted.Language = f.Get("language")
	err := a.updateSettings(r, func(st *webmail.Settings) error {
		st.PerPage, st.Density, st.Conversations, st.ReplyBelow = posted.PerPage, posted.Density, posted.Conversations, posted.ReplyBelow
		st.MarkRead, st.MarkReadDelay, st.Language = posted.MarkRead, posted.MarkReadDelay, posted.Language
		return st.Validate()
	})
	if err != nil {
		return a.settingsRefused(w, r, err, func(p *views.SettingsShowParams, fields map[string]string) {
			p.Settings.PerPage, p.Settings.Density, p.Settings.Conversations, p.Settings.ReplyBelow = posted.PerPage, posted.Density, posted.Conversations, posted.ReplyBelow
			p.Settings.MarkRead, p.Settings.MarkReadDelay, p.Settings.Language = posted.MarkRead, posted.MarkReadDelay, posted.Language
			p.Errors = fields
		})
	}
	return a.settingsDone(w, r, tr(r, "SettingsSaved"), "reading")
}
