package risk

// Translations of the built-in framework's risk-factor titles into French,
// Spanish and Arabic, written for Vigil from its own English titles (not
// taken from the official language versions of the Framework). They ship
// unchecked, like the English wording. The indicator wordings are not
// translated: a good translation of about 120 wordings in three languages
// needs a translator and a check against the official versions, so they
// show in English (marked as such) until an administrator adds them on the
// framework page or imports them.
var defaultFactorTitles = map[int][3]string{ // fr, es, ar
	1:  {"Conflit armé ou autre forme d'instabilité", "Conflicto armado u otra forma de inestabilidad", "نزاع مسلح أو أشكال أخرى من عدم الاستقرار"},
	2:  {"Antécédents de violations graves des droits de l'homme et du droit humanitaire", "Antecedentes de violaciones graves de los derechos humanos y del derecho humanitario", "سجل من الانتهاكات الجسيمة لحقوق الإنسان والقانون الإنساني"},
	3:  {"Faiblesse des structures de l'État", "Debilidad de las estructuras del Estado", "ضعف هياكل الدولة"},
	4:  {"Motifs ou incitations", "Motivos o incentivos", "الدوافع أو الحوافز"},
	5:  {"Capacité de commettre des crimes d'atrocité", "Capacidad para cometer crímenes atroces", "القدرة على ارتكاب الجرائم الفظيعة"},
	6:  {"Absence de facteurs d'atténuation", "Ausencia de factores atenuantes", "غياب العوامل المخففة"},
	7:  {"Circonstances favorables ou actes préparatoires", "Circunstancias propicias o actos preparatorios", "ظروف مواتية أو أعمال تحضيرية"},
	8:  {"Facteurs déclencheurs", "Factores desencadenantes", "العوامل المحفزة"},
	9:  {"Tensions entre groupes ou discrimination envers des groupes protégés", "Tensiones entre grupos o discriminación contra grupos protegidos", "التوتر بين الجماعات أو التمييز ضد الجماعات المحمية"},
	10: {"Signes d'une intention de détruire, en tout ou en partie, un groupe protégé", "Indicios de la intención de destruir total o parcialmente a un grupo protegido", "دلائل على نية تدمير جماعة محمية كلياً أو جزئياً"},
	11: {"Signes d'une attaque généralisée ou systématique contre des civils (ébauche)", "Indicios de un ataque generalizado o sistemático contra civiles (esbozo)", "دلائل على هجوم واسع النطاق أو منهجي على المدنيين (صيغة أولية)"},
	12: {"Signes d'un plan ou d'une politique d'attaque contre des civils (ébauche)", "Indicios de un plan o política de ataque contra civiles (esbozo)", "دلائل على خطة أو سياسة للهجوم على المدنيين (صيغة أولية)"},
	13: {"Menaces graves contre les personnes protégées par le droit humanitaire", "Amenazas graves contra las personas protegidas por el derecho humanitario", "تهديدات خطيرة للأشخاص المحميين بموجب القانون الإنساني"},
	14: {"Menaces graves contre les opérations humanitaires et de maintien de la paix (ébauche)", "Amenazas graves contra las operaciones humanitarias y de mantenimiento de la paz (esbozo)", "تهديدات خطيرة للعمليات الإنسانية وعمليات حفظ السلام (صيغة أولية)"},
}

func init() {
	for i, f := range defaultFramework.Factors {
		t, ok := defaultFactorTitles[f.Number]
		if !ok {
			continue
		}
		defaultFramework.Factors[i].Translations = map[string]FileTranslation{"fr": {Text: t[0]}, "es": {Text: t[1]}, "ar": {Text: t[2]}}
	}
}
