package app

import (
	"net/http"

	"webmail"
	"webmail/views"
)

// showSettings is the settings page, read afresh from the mailbox (another
// device may have changed them).
func (a *App) showSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.uc.LoadSettings(r.Context(), accountFrom(r).mail())
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	return render(w, r, http.StatusOK, views.SettingsShow(a.settingsShowParams(r, st)))
}

func (a *App) settingsShowParams(r *http.Request, st webmail.Settings) views.SettingsShowParams {
	return views.SettingsShowParams{Base: a.base(r, tr(r, "Settings")), Settings: st}
}

// settingsRefused answers a settings form the use case refused: 422 with
// the input kept and the field errors by their fields, or, when the mail
// server failed, its words at its status, with the input kept as well.
// fill puts the input and the field errors in the page.
func (a *App) settingsRefused(w http.ResponseWriter, r *http.Request, err error, fill func(p *views.SettingsShowParams, fields map[string]string)) error {
	p := a.settingsShowParams(r, a.cachedSettings(r))
	status := http.StatusUnprocessableEntity
	if e := webmail.ErrorOf(err); e != nil && e.Code == webmail.EInvalid {
		msg, fields := sayError(r, e)
		fill(&p, fields)
		if len(fields) == 0 {
			p.Error = msg
		}
		return render(w, r, status, views.SettingsShow(p))
	}
	fl := a.classify(r, err)
	if fl.outcome != showError {
		return err
	}
	fill(&p, nil)
	p.Error, status = fl.msg, fl.status
	return render(w, r, status, views.SettingsShow(p))
}

// settingsDone moves on to the settings page with a notice (303).
func (a *App) settingsDone(w http.ResponseWriter, r *http.Request, notice, anchor string) error {
	a.sessions.Put(r.Context(), sessFlash, notice)
	seeOther(w, r, "/settings#"+anchor)
	return nil
}
