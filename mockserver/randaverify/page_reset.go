package randaverify

import (
	"errors"
	"html/template"
	"net/http"
)

// resetPage is the name of the page a reset link opens: /_mock/ui/randaverify/reset?token=...
const resetPage = "reset"

var resetTemplate = template.Must(template.New(resetPage).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>RandaVerify: reset your password</title></head>
<body>
<h1>Reset your RandaVerify password</h1>
{{if .Done}}<p>Your password has been changed. Log in with the new one; every earlier session has ended.</p>
{{else if .Error}}<p role="alert">{{.Error}}</p>
{{end}}{{if .Form}}<form method="post">
<input type="hidden" name="token" value="{{.Token}}">
<p><label>Account: {{.Email}}</label></p>
<p><label>New password <input type="password" name="new_password" required autofocus></label></p>
<p><button type="submit">Set password</button></p>
</form>{{end}}
<p><small>idvkit mock of RandaVerify: this page stands in for the vendor's password-reset page.</small></p>
</body>
</html>
`))

type resetView struct {
	Form, Done   bool
	Token, Email string
	Error        string
}

// handleResetPage is the page a password-reset link opens: GET shows a form for a new password; POST
// sets it, as a reset does: the forced change is done and every token issued before is revoked. The
// link works once (the new generation retires it) and until it expires.
func (m *Mock) handleResetPage(w http.ResponseWriter, r *http.Request) {
	var tok, newPassword string
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		tok = r.URL.Query().Get("token")
	case http.MethodPost:
		// The form (parsed by the mock, mockapi.PageServer) carries the token; a client posting to the
		// link itself has it in the URL.
		tok, newPassword = r.PostForm.Get("token"), r.PostForm.Get("new_password")
		if tok == "" {
			tok = r.URL.Query().Get("token")
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		m.renderReset(w, http.StatusMethodNotAllowed, resetView{Error: "Open the link from the email."})
		return
	}
	u, c, err := m.resetUser(r.Context(), tok)
	if err != nil {
		m.renderReset(w, http.StatusBadRequest, resetView{Error: "This reset link is invalid, used or expired. Ask for a new one."})
		return
	}
	view := resetView{Form: true, Token: tok, Email: u.Email}
	if r.Method != http.MethodPost {
		m.renderReset(w, http.StatusOK, view)
		return
	}
	if newPassword == "" {
		view.Error = "Choose a new password."
		m.renderReset(w, http.StatusBadRequest, view)
		return
	}
	switch err := m.setPassword(r.Context(), u, c.Generation, newPassword, true); {
	case errors.Is(err, errStale):
		m.renderReset(w, http.StatusBadRequest, resetView{Error: "This reset link has just been used. Ask for a new one."})
	case err != nil:
		m.env.Logger.Error("randaverify: reset password", "error", err)
		m.renderReset(w, http.StatusInternalServerError, resetView{Error: "The password could not be set."})
	default:
		m.renderReset(w, http.StatusOK, resetView{Done: true})
	}
}

func (m *Mock) renderReset(w http.ResponseWriter, status int, v resetView) {
	w.WriteHeader(status)
	if err := resetTemplate.Execute(w, v); err != nil {
		m.env.Logger.Error("randaverify: render reset page", "error", err)
	}
}
