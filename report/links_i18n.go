package report

// Strings for the links from ratings to other parts of Vigil (documented
// acts, recommendations, treaty gaps) and for translated framework wording.
var linkMessages = map[string]map[string]string{
	"en": {
		"method.tr.unchecked": "titles and wordings in this report are translations that no one has checked yet.",
		"sep.comma":           ", ", "sep.semi": "; ",
		"brief.recs":   "Recommendations of human rights mechanisms tied to these risks",
		"tr.unchecked": "translation not yet checked",
		"links.acts":   "Documented acts in the period", "links.more": "and", "links.rec": "Recommendation",
		"links.response": "State's response", "links.nhri": "Our assessment of implementation", "links.nhri.none": "none in this edition",
		"links.gap":        "Treaty gap",
		"links.recs.title": "What human rights mechanisms asked of the State, and whether it acted",
		"links.recs.note":  "Recommendations to the State that the institution has tied to indicators of this assessment, with the State's response and the institution's own latest view of how far each is implemented.",
		"method.links":     "Documented acts are those the institution recorded in the country during the period and coded with an indicator. Recommendations are shown when a member of staff confirmed that they bear on an indicator; suggested links are not used. Treaty gaps come from the institution's treaty analysis. Each edition contains only linked records at or below its level.",
		"act.killing":      "killing", "act.torture": "torture", "act.ill_treatment": "ill-treatment", "act.enforced_disappearance": "enforced disappearance",
		"act.sexual_violence": "sexual violence", "act.arbitrary_detention": "arbitrary detention", "act.forced_displacement": "forced displacement",
		"act.destruction_of_property": "destruction of property", "act.attack_on_civilians": "attack on civilians",
		"act.attack_on_humanitarian_personnel": "attack on humanitarian personnel", "act.incitement": "incitement", "act.other": "other act",
		"mech.upr": "Universal Periodic Review", "mech.treaty_body": "treaty body", "mech.special_procedure": "special procedure",
		"mech.regional": "regional mechanism", "mech.nhri": "this institution",
		"resp.supported": "supported", "resp.supported_in_part": "supported in part", "resp.noted": "noted", "resp.pending": "no response yet", "resp.pledge": "voluntary pledge",
		"impl.fully": "fully implemented", "impl.partially": "partly implemented", "impl.not_implemented": "not implemented", "impl.unknown": "unknown",
	},
	"fr": {
		"method.tr.unchecked": "titres et formulations de ce rapport sont des traductions que personne n'a encore vérifiées.",
		"sep.comma":           ", ", "sep.semi": " ; ",
		"brief.recs":   "Recommandations des mécanismes des droits de l'homme liées à ces risques",
		"tr.unchecked": "traduction pas encore vérifiée",
		"links.acts":   "Actes documentés pendant la période", "links.more": "et", "links.rec": "Recommandation",
		"links.response": "Réponse de l'État", "links.nhri": "Notre évaluation de la mise en œuvre", "links.nhri.none": "aucune dans cette édition",
		"links.gap":        "Lacune conventionnelle",
		"links.recs.title": "Ce que les mécanismes des droits de l'homme ont demandé à l'État, et ce qu'il en a fait",
		"links.recs.note":  "Recommandations adressées à l'État que l'institution a rattachées à des indicateurs de cette évaluation, avec la réponse de l'État et la plus récente appréciation de l'institution sur leur mise en œuvre.",
		"method.links":     "Les actes documentés sont ceux que l'institution a enregistrés dans le pays pendant la période en les rattachant à un indicateur. Une recommandation figure lorsqu'un membre du personnel a confirmé qu'elle concerne un indicateur ; les rattachements seulement suggérés ne sont pas utilisés. Les lacunes conventionnelles proviennent de l'analyse des traités de l'institution. Chaque édition ne contient que des éléments de son niveau ou d'un niveau inférieur.",
		"act.killing":      "meurtre", "act.torture": "torture", "act.ill_treatment": "mauvais traitements", "act.enforced_disappearance": "disparition forcée",
		"act.sexual_violence": "violence sexuelle", "act.arbitrary_detention": "détention arbitraire", "act.forced_displacement": "déplacement forcé",
		"act.destruction_of_property": "destruction de biens", "act.attack_on_civilians": "attaque contre des civils",
		"act.attack_on_humanitarian_personnel": "attaque contre du personnel humanitaire", "act.incitement": "incitation", "act.other": "autre acte",
		"mech.upr": "Examen périodique universel", "mech.treaty_body": "organe conventionnel", "mech.special_procedure": "procédure spéciale",
		"mech.regional": "mécanisme régional", "mech.nhri": "cette institution",
		"resp.supported": "acceptée", "resp.supported_in_part": "acceptée en partie", "resp.noted": "notée", "resp.pending": "pas encore de réponse", "resp.pledge": "engagement volontaire",
		"impl.fully": "pleinement mise en œuvre", "impl.partially": "partiellement mise en œuvre", "impl.not_implemented": "non mise en œuvre", "impl.unknown": "inconnu",
	},
	"es": {
		"method.tr.unchecked": "títulos y redacciones de este informe son traducciones que nadie ha revisado todavía.",
		"sep.comma":           ", ", "sep.semi": "; ",
		"brief.recs":   "Recomendaciones de mecanismos de derechos humanos vinculadas a estos riesgos",
		"tr.unchecked": "traducción aún no revisada",
		"links.acts":   "Actos documentados en el período", "links.more": "y", "links.rec": "Recomendación",
		"links.response": "Respuesta del Estado", "links.nhri": "Nuestra evaluación de la aplicación", "links.nhri.none": "ninguna en esta edición",
		"links.gap":        "Laguna en los tratados",
		"links.recs.title": "Lo que los mecanismos de derechos humanos pidieron al Estado, y si actuó",
		"links.recs.note":  "Recomendaciones al Estado que la institución ha vinculado a indicadores de esta evaluación, con la respuesta del Estado y la valoración más reciente de la propia institución sobre su aplicación.",
		"method.links":     "Los actos documentados son los que la institución registró en el país durante el período vinculándolos a un indicador. Una recomendación aparece cuando un miembro del personal confirmó que se refiere a un indicador; los vínculos solo sugeridos no se usan. Las lagunas en los tratados provienen del análisis de tratados de la institución. Cada edición contiene solo elementos de su nivel o de uno inferior.",
		"act.killing":      "homicidio", "act.torture": "tortura", "act.ill_treatment": "malos tratos", "act.enforced_disappearance": "desaparición forzada",
		"act.sexual_violence": "violencia sexual", "act.arbitrary_detention": "detención arbitraria", "act.forced_displacement": "desplazamiento forzado",
		"act.destruction_of_property": "destrucción de bienes", "act.attack_on_civilians": "ataque contra civiles",
		"act.attack_on_humanitarian_personnel": "ataque contra personal humanitario", "act.incitement": "incitación", "act.other": "otro acto",
		"mech.upr": "Examen Periódico Universal", "mech.treaty_body": "órgano de tratado", "mech.special_procedure": "procedimiento especial",
		"mech.regional": "mecanismo regional", "mech.nhri": "esta institución",
		"resp.supported": "aceptada", "resp.supported_in_part": "aceptada en parte", "resp.noted": "tomada en cuenta", "resp.pending": "sin respuesta aún", "resp.pledge": "compromiso voluntario",
		"impl.fully": "plenamente aplicada", "impl.partially": "aplicada en parte", "impl.not_implemented": "no aplicada", "impl.unknown": "desconocido",
	},
	"ar": {
		"method.tr.unchecked": "من العناوين والصياغات في هذا التقرير ترجمات لم يراجعها أحد بعد.",
		"sep.comma":           "، ", "sep.semi": "؛ ",
		"brief.recs":   "توصيات آليات حقوق الإنسان المرتبطة بهذه المخاطر",
		"tr.unchecked": "الترجمة لم تُراجع بعد",
		"links.acts":   "الأفعال الموثقة خلال الفترة", "links.more": "و", "links.rec": "توصية",
		"links.response": "رد الدولة", "links.nhri": "تقييمنا للتنفيذ", "links.nhri.none": "لا يوجد في هذه النسخة",
		"links.gap":        "ثغرة في المعاهدات",
		"links.recs.title": "ما طلبته آليات حقوق الإنسان من الدولة، وهل استجابت",
		"links.recs.note":  "توصيات موجهة إلى الدولة ربطتها المؤسسة بمؤشرات هذا التقييم، مع رد الدولة وأحدث تقدير للمؤسسة نفسها لمدى تنفيذ كل منها.",
		"method.links":     "الأفعال الموثقة هي تلك التي سجلتها المؤسسة في البلد خلال الفترة وربطتها بمؤشر. وتُذكر التوصية عندما يؤكد أحد الموظفين أنها تتصل بمؤشر؛ ولا تُستخدم الروابط المقترحة فقط. وتأتي الثغرات في المعاهدات من تحليل المؤسسة للمعاهدات. ولا تتضمن كل نسخة إلا العناصر التي في مستواها أو دونه.",
		"act.killing":      "قتل", "act.torture": "تعذيب", "act.ill_treatment": "سوء معاملة", "act.enforced_disappearance": "اختفاء قسري",
		"act.sexual_violence": "عنف جنسي", "act.arbitrary_detention": "احتجاز تعسفي", "act.forced_displacement": "تهجير قسري",
		"act.destruction_of_property": "تدمير ممتلكات", "act.attack_on_civilians": "هجوم على مدنيين",
		"act.attack_on_humanitarian_personnel": "هجوم على عاملين في المجال الإنساني", "act.incitement": "تحريض", "act.other": "فعل آخر",
		"mech.upr": "الاستعراض الدوري الشامل", "mech.treaty_body": "هيئة معاهدة", "mech.special_procedure": "إجراء خاص",
		"mech.regional": "آلية إقليمية", "mech.nhri": "هذه المؤسسة",
		"resp.supported": "مؤيَّدة", "resp.supported_in_part": "مؤيَّدة جزئياً", "resp.noted": "أُحيط بها علماً", "resp.pending": "لا رد بعد", "resp.pledge": "تعهد طوعي",
		"impl.fully": "نُفذت بالكامل", "impl.partially": "نُفذت جزئياً", "impl.not_implemented": "لم تُنفذ", "impl.unknown": "غير معروف",
	},
}

func init() {
	for lang, m := range linkMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}

// LinkMessages returns, for each report language, the names the report
// gives to act types (act.*), mechanisms (mech.*), State responses (resp.*)
// and implementation statuses (impl.*), so that pages can use the same words.
func LinkMessages() map[string]map[string]string {
	out := map[string]map[string]string{}
	for lang, m := range linkMessages {
		out[lang] = map[string]string{}
		for k, v := range m {
			out[lang][k] = v
		}
	}
	return out
}
