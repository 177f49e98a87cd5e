package app

import "net/http"

func (a *App) showFoldersManage(w http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Folder management is not available yet.", nil)
}

func (a *App) manageFolders(w http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Folder management is not available yet.", nil)
}
