package web

import (
	"net/http"
	"strings"
)

// Languages the interface offers. Arabic is written right to left; the
// layout takes its direction from here. Strings not yet translated fall back
// to English.
var languages = []struct{ Code, Name, Dir string }{
	{"en", "English", "ltr"}, {"fr", "Français", "ltr"}, {"es", "Español", "ltr"}, {"ar", "العربية", "rtl"},
}

// langDir is the writing direction of a language code, "" when the code
// is not one of ours.
func langDir(code string) string {
	for _, l := range languages {
		if l.Code == code {
			return l.Dir
		}
	}
	return ""
}

// pickLang takes ?lang=, then the vigil_lang cookie, then Accept-Language.
func pickLang(r *http.Request) string {
	known := func(c string) bool { return langDir(c) != "" }
	if c := r.URL.Query().Get("lang"); known(c) {
		return c
	}
	if ck, err := r.Cookie("vigil_lang"); err == nil && known(ck.Value) {
		return ck.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if len(tag) >= 2 && known(tag[:2]) {
			return tag[:2]
		}
	}
	return "en"
}

// messages holds the interface's shared strings. Keys are English phrases'
// short names; English is the fallback for every key.
var messages = map[string]map[string]string{
	"en": {
		"skip": "Skip to content", "nav.label": "Main", "nav.home": "Home", "nav.dashboard": "Dashboard",
		"nav.audit": "Audit trail", "nav.users": "Users", "nav.account": "My account", "nav.persons": "Persons",
		"signin": "Sign in", "signout": "Sign out", "username": "Username", "password": "Password",
		"lang.label": "Language", "footer": "Vigil: atrocity-prevention work of a national human rights institution.",
		"signedin.as": "Signed in as",
	},
	"fr": {
		"skip": "Aller au contenu", "nav.label": "Principal", "nav.home": "Accueil", "nav.dashboard": "Tableau de bord",
		"nav.audit": "Journal d'audit", "nav.users": "Utilisateurs", "nav.account": "Mon compte", "nav.persons": "Personnes",
		"signin": "Se connecter", "signout": "Se déconnecter", "username": "Nom d'utilisateur", "password": "Mot de passe",
		"lang.label": "Langue", "footer": "Vigil : le travail de prévention des atrocités d'une institution nationale des droits de l'homme.",
		"signedin.as": "Connecté en tant que",
	},
	"es": {
		"skip": "Ir al contenido", "nav.label": "Principal", "nav.home": "Inicio", "nav.dashboard": "Panel",
		"nav.audit": "Registro de auditoría", "nav.users": "Usuarios", "nav.account": "Mi cuenta", "nav.persons": "Personas",
		"signin": "Iniciar sesión", "signout": "Cerrar sesión", "username": "Usuario", "password": "Contraseña",
		"lang.label": "Idioma", "footer": "Vigil: el trabajo de prevención de atrocidades de una institución nacional de derechos humanos.",
		"signedin.as": "Sesión iniciada como",
	},
	"ar": {
		"skip": "انتقل إلى المحتوى", "nav.label": "الرئيسية", "nav.home": "الصفحة الرئيسية", "nav.dashboard": "لوحة المتابعة",
		"nav.audit": "سجل التدقيق", "nav.users": "المستخدمون", "nav.account": "حسابي", "nav.persons": "الأشخاص",
		"signin": "تسجيل الدخول", "signout": "تسجيل الخروج", "username": "اسم المستخدم", "password": "كلمة المرور",
		"lang.label": "اللغة", "footer": "فيجيل: عمل مؤسسة وطنية لحقوق الإنسان في منع الجرائم الفظيعة.",
		"signedin.as": "مسجل الدخول باسم",
	},
}

// registerMessages adds a part's strings for one language; parts call it
// from init so that each keeps its strings in its own file.
func registerMessages(lang string, m map[string]string) {
	if messages[lang] == nil {
		messages[lang] = map[string]string{}
	}
	for k, v := range m {
		messages[lang][k] = v
	}
}

func translate(lang, key string) string {
	if m, ok := messages[lang]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	if s, ok := messages["en"][key]; ok {
		return s
	}
	return key
}
