package app

import "net/http"

func (a *App) folderEvents(w http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Live updates are not available yet.", nil)
}
