package eeid

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/idvkit/idvkit/mockserver/store"
)

// identifyPage is the name of the page a request's link opens: /_mock/ui/eeid/identify?request=...
const identifyPage = "identify"

// pageText is the page's words in the languages the vendor's link takes (?ui_locales=et|en|ru).
var pageText = map[string]map[string]string{
	"en": {"title": "Identify yourself", "for": "is asking you to identify yourself", "claims": "It needs",
		"pick": "Identify as", "match": "a person matching what is needed", "go": "Identify", "abort": "Cancel",
		"done": "You have been identified. You can close this page.", "aborted": "Cancelled. The link still works.",
		"used": "This link has already been used.", "expired": "This link has expired.", "invalid": "This link is not valid.",
		"pickAction": "Choose Identify or Cancel.", "pickIdentity": "Choose who you are from the list."},
	"et": {"title": "Tuvasta end", "for": "palub sul end tuvastada", "claims": "Vaja on",
		"pick": "Tuvasta kui", "match": "isik, kes vastab nõuetele", "go": "Tuvasta", "abort": "Katkesta",
		"done": "Oled tuvastatud. Võid lehe sulgeda.", "aborted": "Katkestatud. Link töötab edasi.",
		"used": "Seda linki on juba kasutatud.", "expired": "Selle lingi aeg on läbi.", "invalid": "See link ei kehti.",
		"pickAction": "Vali Tuvasta või Katkesta.", "pickIdentity": "Vali loendist, kes sa oled."},
	"ru": {"title": "Подтвердите личность", "for": "просит вас подтвердить личность", "claims": "Нужно",
		"pick": "Подтвердить как", "match": "человек, отвечающий требованиям", "go": "Подтвердить", "abort": "Отменить",
		"done": "Личность подтверждена. Страницу можно закрыть.", "aborted": "Отменено. Ссылка по-прежнему действует.",
		"used": "Эта ссылка уже использована.", "expired": "Срок действия ссылки истёк.", "invalid": "Эта ссылка недействительна.",
		"pickAction": "Выберите «Подтвердить» или «Отменить».", "pickIdentity": "Выберите из списка, кто вы."},
}

var identifyTemplate = template.Must(template.New(identifyPage).Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>eeID: {{index .T "title"}}</title></head>
<body>
<h1>eeID: {{index .T "title"}}</h1>
{{if .Message}}<p role="status">{{.Message}}</p>
{{end}}{{if .Form}}<p><strong>{{.Service}}</strong> {{index .T "for"}}{{if .Reason}}: {{.Reason}}{{end}}.</p>
<p>{{index .T "claims"}}:</p>
<ul>{{range .Claims}}<li>{{.Type}}{{if .Value}}: {{.Value}}{{end}}</li>{{end}}</ul>
<form method="post">
<fieldset><legend>{{index .T "pick"}}</legend>
<p><label><input type="radio" name="identity" value="match" checked> {{index .T "match"}}</label></p>
{{range $i, $id := .Identities}}<p><label><input type="radio" name="identity" value="{{$i}}"> {{$id.GivenName}} {{$id.FamilyName}} ({{$id.Sub}}, {{$id.DateOfBirth}}, {{$id.Country}})</label></p>
{{end}}</fieldset>
<p><button type="submit" name="action" value="complete">{{index .T "go"}}</button>
<button type="submit" name="action" value="abort">{{index .T "abort"}}</button></p>
</form>{{end}}
<p><small>idvkit mock of eeID: this page stands in for eeID's identification with an ID card, Smart-ID or Mobile-ID.</small></p>
</body>
</html>
`))

type identifyView struct {
	Lang, Message, Service, Reason string
	T                              map[string]string
	Form                           bool
	Claims                         []claim
	Identities                     []Identity
}

// handleIdentifyPage is the page a request's link opens, standing in for eeID's own identification:
// GET shows what the service needs and the test identities a person can identify as (one matching
// every required claim, and the fixture set's, which may not match); POST identifies as the chosen one
// (the request completes, once: the link is then dead) or cancels (the request stays pending and the
// link keeps working). No JavaScript; ?ui_locales=et|en|ru picks the language.
func (m *Mock) handleIdentifyPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := q.Get("ui_locales")
	if pageText[lang] == nil {
		lang = "en"
	}
	v := identifyView{Lang: lang, T: pageText[lang]}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		m.renderIdentify(w, http.StatusMethodNotAllowed, v)
		return
	}
	ctx := r.Context()
	req, err := store.Get[request](ctx, m.env.Store, kindRequest, q.Get("request"))
	if err != nil || !secretsEqual(q.Get("key"), req.LinkSecret) {
		v.Message = v.T["invalid"]
		m.renderIdentify(w, http.StatusNotFound, v)
		return
	}
	switch req.status(m.env.Clock.Now(), m.env.Broken.Has(ruleExpiry)) {
	case statusCompleted:
		if !m.env.Broken.Has(ruleLinkOnce) {
			v.Message = v.T["used"]
			m.renderIdentify(w, http.StatusGone, v)
			return
		}
	case statusExpired:
		v.Message = v.T["expired"]
		m.renderIdentify(w, http.StatusGone, v)
		return
	}
	f, _, ferr := m.Section.Get(ctx)
	if ferr != nil {
		m.env.Logger.Error("eeid: read fixtures", "error", ferr)
		m.renderIdentify(w, http.StatusInternalServerError, v)
		return
	}
	svc, _ := store.Get[service](ctx, m.env.Store, kindService, req.ClientID)
	v.Form, v.Service, v.Claims, v.Identities = true, svc.Name, req.Claims, f.Identities
	v.Reason = reasonIn(req, lang)
	if r.Method != http.MethodPost {
		m.renderIdentify(w, http.StatusOK, v)
		return
	}
	switch r.PostForm.Get("action") { // parsed by the mock (mockapi.PageServer)
	case "abort":
		v.Form, v.Message = false, v.T["aborted"]
		m.renderIdentify(w, http.StatusOK, v)
		return
	case "complete":
	default:
		v.Message = v.T["pickAction"]
		m.renderIdentify(w, http.StatusBadRequest, v)
		return
	}
	identity := matchingIdentity(req.Claims, f.Identities)
	if choice := r.PostForm.Get("identity"); choice != "match" {
		i, err := strconv.Atoi(choice)
		if err != nil || i < 0 || i >= len(f.Identities) || strconv.Itoa(i) != choice {
			v.Message = v.T["pickIdentity"]
			m.renderIdentify(w, http.StatusBadRequest, v)
			return
		}
		identity = f.Identities[i]
	}
	switch _, err := m.complete(ctx, req.ID, identity); {
	case errors.Is(err, errCompleted):
		v.Form, v.Message = false, v.T["used"]
		m.renderIdentify(w, http.StatusGone, v)
	case errors.Is(err, errExpired):
		v.Form, v.Message = false, v.T["expired"]
		m.renderIdentify(w, http.StatusGone, v)
	case err != nil:
		m.env.Logger.Error("eeid: complete from the page", "error", err)
		m.renderIdentify(w, http.StatusInternalServerError, v)
	default:
		v.Form, v.Message = false, v.T["done"]
		m.renderIdentify(w, http.StatusOK, v)
	}
}

// reasonIn is the request's reason in the page's language, or as given.
func reasonIn(req request, lang string) string {
	if t := req.ReasonTranslations; t != nil {
		if s := map[string]string{"en": t.EN, "et": t.ET, "ru": t.RU}[lang]; s != "" {
			return s
		}
	}
	if req.Reason != nil {
		return *req.Reason
	}
	return ""
}

func (m *Mock) renderIdentify(w http.ResponseWriter, status int, v identifyView) {
	w.WriteHeader(status)
	if err := identifyTemplate.Execute(w, v); err != nil {
		m.env.Logger.Error("eeid: render identify page", "error", err)
	}
}
