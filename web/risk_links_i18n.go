package web

import (
	"strings"

	"vigil/report"
)

// Strings of the risk pages for translated framework wording and for the
// records linked to ratings (documented acts, recommendations, treaty gaps).
// Names of act types, mechanisms, responses and implementation statuses are
// the report's, under the prefix "risk.".
func init() {
	for lang, m := range report.LinkMessages() {
		out := map[string]string{}
		for k, v := range m {
			for _, p := range []string{"act.", "mech.", "resp.", "impl."} {
				if strings.HasPrefix(k, p) {
					out["risk."+k] = v
				}
			}
		}
		registerMessages(lang, out)
	}
	registerMessages("en", map[string]string{
		"risk.tr.unchecked": "translation not yet checked", "risk.tr.title": "Translations", "risk.tr.edit": "Translate", "risk.tr.factor": "Translate the wording of factor",
		"risk.tr.lang.fr": "French", "risk.tr.lang.es": "Spanish", "risk.tr.lang.ar": "Arabic",
		"risk.tr.checked": "Translation checked", "risk.tr.none": "none yet", "risk.tr.checkedon": "checked",
		"risk.tr.help":     "Translations are shown on the pages and in reports in that language; where there is none, the English wording is shown. A translation counts as unchecked until someone marks it checked; the mark records who and when, and changing the text clears it unless you check it again. Assessments keep the wording and translations they were opened with.",
		"risk.links.title": "Linked records", "risk.links.acts": "Documented acts in the period", "risk.links.recs": "Recommendations to the State",
		"risk.links.gaps": "Treaty gaps", "risk.links.response": "State's response", "risk.links.nhri": "our latest assessment of implementation",
		"risk.links.nhri.none": "none you may see", "risk.links.col": "Acts · recommendations · treaty gaps",
		"risk.links.note":      "Acts documented in this country during the period and coded with the indicator, recommendations confirmed as bearing on it, and gaps from the treaty analysis; only what your role may see.",
		"risk.done.translated": "Translation saved.",
	})
	registerMessages("fr", map[string]string{
		"risk.tr.unchecked": "traduction pas encore vérifiée", "risk.tr.title": "Traductions", "risk.tr.edit": "Traduire", "risk.tr.factor": "Traduire les formulations du facteur",
		"risk.tr.lang.fr": "Français", "risk.tr.lang.es": "Espagnol", "risk.tr.lang.ar": "Arabe",
		"risk.tr.checked": "Traduction vérifiée", "risk.tr.none": "aucune pour l'instant", "risk.tr.checkedon": "vérifiée",
		"risk.tr.help":     "Les traductions s'affichent dans les pages et les rapports rédigés dans cette langue ; à défaut, la formulation anglaise est affichée. Une traduction reste non vérifiée tant que personne ne l'a marquée comme vérifiée ; la marque garde qui et quand, et modifier le texte l'efface sauf si vous vérifiez à nouveau. Les évaluations conservent la formulation et les traductions de leur ouverture.",
		"risk.links.title": "Éléments liés", "risk.links.acts": "Actes documentés pendant la période", "risk.links.recs": "Recommandations à l'État",
		"risk.links.gaps": "Lacunes conventionnelles", "risk.links.response": "Réponse de l'État", "risk.links.nhri": "notre dernière évaluation de la mise en œuvre",
		"risk.links.nhri.none": "aucune visible pour vous", "risk.links.col": "Actes · recommandations · lacunes",
		"risk.links.note":      "Actes documentés dans ce pays pendant la période et rattachés à l'indicateur, recommandations dont le lien a été confirmé, et lacunes issues de l'analyse des traités ; seulement ce que votre rôle permet de voir.",
		"risk.done.translated": "Traduction enregistrée.",
	})
	registerMessages("es", map[string]string{
		"risk.tr.unchecked": "traducción aún no revisada", "risk.tr.title": "Traducciones", "risk.tr.edit": "Traducir", "risk.tr.factor": "Traducir las redacciones del factor",
		"risk.tr.lang.fr": "Francés", "risk.tr.lang.es": "Español", "risk.tr.lang.ar": "Árabe",
		"risk.tr.checked": "Traducción revisada", "risk.tr.none": "ninguna todavía", "risk.tr.checkedon": "revisada",
		"risk.tr.help":     "Las traducciones aparecen en las páginas y los informes en ese idioma; si no hay, se muestra la redacción en inglés. Una traducción cuenta como no revisada hasta que alguien la marca como revisada; la marca guarda quién y cuándo, y cambiar el texto la borra salvo que vuelva a marcarla. Las evaluaciones conservan la redacción y las traducciones con que se abrieron.",
		"risk.links.title": "Registros vinculados", "risk.links.acts": "Actos documentados en el período", "risk.links.recs": "Recomendaciones al Estado",
		"risk.links.gaps": "Lagunas en los tratados", "risk.links.response": "Respuesta del Estado", "risk.links.nhri": "nuestra última evaluación de la aplicación",
		"risk.links.nhri.none": "ninguna visible para usted", "risk.links.col": "Actos · recomendaciones · lagunas",
		"risk.links.note":      "Actos documentados en este país durante el período y vinculados al indicador, recomendaciones cuyo vínculo se confirmó y lagunas del análisis de tratados; solo lo que su función le permite ver.",
		"risk.done.translated": "Traducción guardada.",
	})
	registerMessages("ar", map[string]string{
		"risk.tr.unchecked": "الترجمة لم تُراجع بعد", "risk.tr.title": "الترجمات", "risk.tr.edit": "ترجمة", "risk.tr.factor": "ترجمة صياغات العامل",
		"risk.tr.lang.fr": "الفرنسية", "risk.tr.lang.es": "الإسبانية", "risk.tr.lang.ar": "العربية",
		"risk.tr.checked": "تمت مراجعة الترجمة", "risk.tr.none": "لا توجد بعد", "risk.tr.checkedon": "رُوجعت",
		"risk.tr.help":     "تظهر الترجمات في الصفحات والتقارير المكتوبة بتلك اللغة؛ وإن لم توجد تظهر الصياغة الإنجليزية. وتبقى الترجمة غير مراجعة إلى أن يؤشر عليها أحد بأنها رُوجعت؛ ويحفظ التأشير من قام به ومتى، ويزول عند تغيير النص ما لم تؤشر عليه من جديد. وتحتفظ التقييمات بالصياغة والترجمات التي فُتحت بها.",
		"risk.links.title": "سجلات مرتبطة", "risk.links.acts": "الأفعال الموثقة خلال الفترة", "risk.links.recs": "توصيات إلى الدولة",
		"risk.links.gaps": "ثغرات في المعاهدات", "risk.links.response": "رد الدولة", "risk.links.nhri": "أحدث تقييم لنا للتنفيذ",
		"risk.links.nhri.none": "لا يوجد ما يمكنك رؤيته", "risk.links.col": "أفعال · توصيات · ثغرات",
		"risk.links.note":      "الأفعال الموثقة في هذا البلد خلال الفترة والمربوطة بالمؤشر، والتوصيات التي أُكد ارتباطها به، والثغرات المستخلصة من تحليل المعاهدات؛ وفقط ما يسمح لك دورك برؤيته.",
		"risk.done.translated": "حُفظت الترجمة.",
	})
}
