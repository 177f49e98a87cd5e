package app

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"webmail/app/mail"
	"webmail/app/smtpcred"
	"webmail/views"
)

func (a *App) settingsParams(r *http.Request) views.SettingsParams {
	return views.SettingsParams{
		Base:        a.base(r, tr(r, "Sending")),
		IMAPWorks:   accountFrom(r).SMTP.UseIMAPCredentials,
		Provider:    a.providerLabel(accountFrom(r).Provider),
		DisplayName: a.displayName(r),
		Zone:        a.chosenZone(r),
		ZoneInUse:   a.zoneInUse(r),
	}
}

func (a *App) showSettingsSending(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, views.SettingsSending(a.settingsParams(r)))
}

// saveSettingsSending checks SMTP credentials with the SMTP server, seals
// them under a key derived from the IMAP password (invariant S4) and hands
// the blob to the browser. The server keeps nothing.
func (a *App) saveSettingsSending(w http.ResponseWriter, r *http.Request) error {
	pw, err := readSecretForm(w, r, 16<<10, "smtp_password")
	defer clear(pw)
	if err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	p := a.settingsParams(r)
	acct := accountFrom(r)
	if acct.Provider != "" {
		return refuseSMTPCredentials(w, r, p)
	}
	login := strings.TrimSpace(r.PostForm.Get("smtp_login"))
	password := viewString(pw)
	p.SMTPLogin = login
	if login == "" || password == "" || strings.ContainsFunc(login, unicode.IsControl) || strings.ContainsRune(password, 0) {
		p.Error = tr(r, "ErrSMTPEmpty")
		return render(w, r, http.StatusUnprocessableEntity, views.SettingsSending(p))
	}
	err = a.dialer.CheckSMTP(r.Context(), acct.SMTP.Server, mail.Auth{Login: login, Password: password})
	switch {
	case errors.Is(err, mail.ErrSMTPAuth):
		p.Error = tr(r, "ErrSMTPCheckAuth")
		return render(w, r, http.StatusUnprocessableEntity, views.SettingsSending(p))
	case errors.Is(err, mail.ErrTLS):
		p.Error = tr(r, "ErrSMTPCheckTLS")
		return render(w, r, http.StatusBadGateway, views.SettingsSending(p))
	case err != nil:
		a.log.Warn("SMTP check failed", "server", acct.SMTP.Addr(), "err", err.Error())
		p.Error = tr(r, "ErrSMTPUnavailable")
		return render(w, r, http.StatusBadGateway, views.SettingsSending(p))
	}
	blob, err := a.sealer.Seal(r.Context(), acct.cred.Password, smtpcred.Account{Login: canonicalLogin(acct.Login), Server: acct.Server.Addr()},
		smtpcred.Credential{Login: login, Password: password})
	if err != nil {
		return err
	}
	p.Blob = blob
	p.Saved = tr(r, "SMTPSaved")
	return render(w, r, http.StatusOK, views.SettingsSending(p))
}

// refuseSMTPCredentials answers an OAuth sign-in that posts SMTP
// credentials: the S4 seal derives from the IMAP password, which such a
// sign-in does not have, and the token serves SMTP as well.
func refuseSMTPCredentials(w http.ResponseWriter, r *http.Request, p views.SettingsParams) error {
	p.Error = tr(r, "ErrProviderSends", "Provider", p.Provider)
	return render(w, r, http.StatusUnprocessableEntity, views.SettingsSending(p))
}
