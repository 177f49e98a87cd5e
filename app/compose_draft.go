package app

import "net/http"

// saveDraft saves the message of the compose form in Drafts and shows the
// form again (POST /compose/draft); see postCompose.
func (a *App) saveDraft(w http.ResponseWriter, r *http.Request) error {
	return a.postCompose(w, r, true)
}
