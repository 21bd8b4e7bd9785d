package report

import "vigil/risk"

// The roll-up rules in each report language; English is risk.RuleFactor and
// risk.RuleCrime word for word.
var rules = map[string][2]string{
	"en": {risk.RuleFactor, risk.RuleCrime},
	"fr": {"Un facteur de risque prend la note la plus élevée attribuée à l'un de ses indicateurs. Les indicateurs non évalués sont écartés ; un facteur sans indicateur évalué est non évalué. Le nombre d'indicateurs par note figure à côté du niveau.",
		"Chaque crime prend le niveau le plus élevé de ses deux facteurs de risque propres (génocide 9-10, crimes contre l'humanité 11-12, crimes de guerre 13-14). Si le niveau médian des huit facteurs communs est plus élevé, le crime monte d'un cran dans sa direction, car les facteurs communs rendent tout crime d'atrocité plus probable."},
	"es": {"Un factor de riesgo toma la calificación más alta de cualquiera de sus indicadores. Los indicadores no evaluados se excluyen; un factor sin indicadores evaluados queda sin evaluar. Junto al nivel se indica cuántos indicadores recibieron cada calificación.",
		"Cada crimen toma el nivel más alto de sus dos factores de riesgo específicos (genocidio 9-10, lesa humanidad 11-12, crímenes de guerra 13-14). Si el nivel mediano de los ocho factores comunes es mayor, el crimen sube un escalón hacia él, porque los factores comunes hacen más probable cualquier crimen atroz."},
	"ar": {"يأخذ عامل الخطر أعلى تقييم حصل عليه أي من مؤشراته. تُستبعد المؤشرات غير المقيَّمة، والعامل الذي لا يحوي مؤشراً مقيَّماً يبقى دون تقييم. ويُذكر بجانب المستوى عدد المؤشرات في كل تقييم.",
		"تأخذ كل جريمة المستوى الأعلى من عاملي الخطر الخاصين بها (الإبادة الجماعية 9-10، الجرائم ضد الإنسانية 11-12، جرائم الحرب 13-14). وإذا كان المستوى الوسيط لعوامل الخطر المشتركة الثمانية أعلى، ترتفع الجريمة درجة واحدة نحوه، لأن العوامل المشتركة تزيد احتمال كل الجرائم الفظيعة."},
}

func ruleText(lang string, i int) string {
	if r, ok := rules[lang]; ok {
		return r[i]
	}
	return rules["en"][i]
}
