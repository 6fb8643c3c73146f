package bundeling

import (
	"context"
	"errors"
	"html/template"
	"net/http"

	"github.com/idvkit/idvkit/mockserver/store"
)

// appPage is the name of the page that stands in for the Bundeling app: /_mock/ui/bundeling/app.
const appPage = "app"

// ControlPages implements mockapi.ControlPager: the app page lists every member and mints their
// tokens, so a mock with a control token asks for it there too.
func (m *Mock) ControlPages() []string { return []string{appPage} }

// Pages implements mockapi.PageServer: the app, as a member sees it.
func (m *Mock) Pages() map[string]http.Handler {
	return map[string]http.Handler{appPage: http.HandlerFunc(m.handleAppPage)}
}

// appUsers bounds the members the page lists per club: enough to pick one, however many a test made.
const appUsers = 100

var appTemplate = template.Must(template.New(appPage).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bundeling app{{if .User}}: {{.User.Name}}{{end}}</title></head>
<body>
<h1>Bundeling app</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>
{{end}}{{with .User}}<p>Signed in as <strong>{{.Name}}</strong> ({{.Username}}) of {{$.Club}}.</p>
<h2>Links</h2>
{{if $.Links}}<ul>
{{range $.Links}}<li><a href="{{.Link}}">{{.Title}}</a></li>
{{end}}</ul>
<p><small>Each link carries a fresh one-time token for {{.Name}}, in place of {{"{{useridentity}}"}}; open the page again for new ones.</small></p>
{{else}}<p>{{$.Club}} has no links.</p>
{{end}}<p><a href="?">Pick another member</a></p>
{{else}}<p>Pick a member to open the app as:</p>
{{range .Clubs}}<h2>{{.Name}}</h2>
<ul>
{{range .Users}}<li><a href="?user={{.UUID}}">{{.Name}}</a> ({{.Username}})</li>
{{else}}<li>No members.</li>
{{end}}</ul>
{{end}}{{end}}<p><small>idvkit mock of Bundeling: this page stands in for the Bundeling app, which renders a club's AppCMS links for the member who opens them.</small></p>
</body>
</html>
`))

type appView struct {
	Error string
	// Picking a member:
	Clubs []appClub
	// As a member:
	User  *appUser
	Club  string
	Links []appLink
}

type appClub struct {
	Name  string
	Users []appUser
}

type appUser struct {
	UUID, Name, Username string
}

type appLink struct {
	Title, Link string
}

// handleAppPage stands in for the Bundeling app, without JavaScript: GET lists the clubs' members to
// pick one; ?user=<uuid> opens the app as that member, with the club's AppCMS links rendered with a
// fresh token each (renderBundelingLink), so a person can click through to the partner's site as the
// seed's flow goes.
func (m *Mock) handleAppPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		m.renderApp(w, http.StatusMethodNotAllowed, appView{Error: "Open the app with GET."})
		return
	}
	ctx := r.Context()
	uuid := r.URL.Query().Get("user")
	if uuid == "" {
		clubs, err := m.clubs(ctx)
		if err != nil {
			m.env.Logger.Error("bundeling: list the app's members", "error", err)
			m.renderApp(w, http.StatusInternalServerError, appView{Error: "The members could not be listed."})
			return
		}
		m.renderApp(w, http.StatusOK, appView{Clubs: clubs})
		return
	}
	v, err := m.appAs(ctx, uuid)
	switch {
	case errors.Is(err, errUnknownUser):
		clubs, err := m.clubs(ctx) // the members to pick from instead; without them the page still says why
		if err != nil {
			m.env.Logger.Error("bundeling: list the app's members", "error", err)
		}
		m.renderApp(w, http.StatusNotFound, appView{Error: "No member has that uuid.", Clubs: clubs})
	case err != nil:
		m.env.Logger.Error("bundeling: render the app's links", "error", err)
		m.renderApp(w, http.StatusInternalServerError, appView{Error: "The links could not be rendered."})
	default:
		m.renderApp(w, http.StatusOK, v)
	}
}

// clubs lists every environment with its first members, oldest first.
func (m *Mock) clubs(ctx context.Context) ([]appClub, error) {
	envs, _, err := store.List[environment](ctx, m.env.Store, kindEnvironment, "", store.OldestFirst, store.Page{})
	if err != nil {
		return nil, err
	}
	clubs := make([]appClub, len(envs))
	for i, e := range envs {
		users, _, err := store.List[user](ctx, m.env.Store, kindUser, e.UUID, store.OldestFirst, store.Page{Limit: appUsers})
		if err != nil {
			return nil, err
		}
		clubs[i].Name = e.Name
		for _, u := range users {
			clubs[i].Users = append(clubs[i].Users, appUser{UUID: u.UUID, Name: u.name(), Username: u.Username})
		}
	}
	return clubs, nil
}

// appAs is the app as a member opens it: its club's links, each rendered with a fresh token.
func (m *Mock) appAs(ctx context.Context, uuid string) (appView, error) {
	u, err := store.Get[user](ctx, m.env.Store, kindUser, uuid)
	if errors.Is(err, store.ErrNotFound) {
		return appView{}, errUnknownUser
	}
	if err != nil {
		return appView{}, err
	}
	e, err := store.Get[environment](ctx, m.env.Store, kindEnvironment, u.Environment)
	if err != nil {
		return appView{}, err
	}
	v := appView{User: &appUser{UUID: u.UUID, Name: u.name(), Username: u.Username}, Club: e.Name}
	for _, l := range e.Links {
		rendered, err := m.render(ctx, l.Template, u.UUID)
		if err != nil {
			return appView{}, err
		}
		v.Links = append(v.Links, appLink{Title: l.Title, Link: rendered.Link})
	}
	return v, nil
}

func (m *Mock) renderApp(w http.ResponseWriter, status int, v appView) {
	w.WriteHeader(status)
	if err := appTemplate.Execute(w, v); err != nil {
		m.env.Logger.Error("bundeling: render the app page", "error", err)
	}
}
