package risk

// defaultFramework is Vigil's own short wording of the risk factors and
// indicators of the UN Framework of Analysis for Atrocity Crimes (2014, UN
// document A/70/741–S/2016/71). The wording is ours, written for this
// product: it is a reminder of what each indicator is about, not the text of
// the Framework, and none of it has been checked against the official
// publication (every indicator is stored with checked = false, which the
// pages and reports show). Risk factors 11, 12 and 14 are sketched from their
// themes: there the numbering and the number of indicators are not the
// official ones. An administrator corrects wording and numbering against the
// publication in the application, and the correction is audited.
//
// Indicator numbers are "factor.position"; the list order is the numbering.
var defaultFramework = FrameworkFile{
	Code:    "UN-FOA",
	Version: "2014",
	Title:   "UN Framework of Analysis for Atrocity Crimes (2014), Vigil wording",
	Note: "Short wording written for Vigil, not the official text. No indicator has yet been checked against " +
		"the publication (A/70/741–S/2016/71); factors 11, 12 and 14 are sketches whose numbering is not official.",
	Factors: []FactorFile{
		factor(1, "Armed conflict or other instability", "all", []string{
			"An armed conflict is under way, between States or inside the country",
			"A security crisis: a failing peace agreement, fighting across a border, terrorism or the threat of intervention",
			"A humanitarian emergency, including one that follows a disaster or an epidemic",
			"Power has changed hands suddenly or outside constitutional rules",
			"Struggles for power, or a rising nationalist, armed or radical opposition",
			"Strain from authoritarian government or harsh political repression",
			"Conflict over scarce natural resources or their use",
			"A deep national economic crisis",
			"Extreme poverty, mass joblessness or sharp inequality between groups",
			"Large protests or resistance against the authorities or their policies",
			"Tension or exclusion along identity lines, whether real or perceived",
		}),
		factor(2, "Record of serious violations of human rights and humanitarian law", "all", []string{
			"Serious violations of human rights or humanitarian law, past or current, above all when they follow a pattern or target protected groups",
			"Atrocity crimes, or incitement to them, have happened before",
			"Serious violations go unpunished, as a matter of policy or of practice",
			"The authorities do not use the means they have to halt violations they can foresee or see happening",
			"Support continues for groups accused of serious violations",
			"Serious violations or atrocity crimes are excused, distorted or denied",
			"Transitional justice or reconciliation is missing or used for political ends",
			"Impunity has bred distrust of institutions or between communities",
		}),
		factor(3, "Weak State structures", "all", []string{
			"The law protects poorly, for example core treaties are not ratified or not brought into national law",
			"Courts, police and human rights bodies lack means, training or a make-up that reflects the population",
			"The judiciary is not independent or impartial",
			"Civilian authorities do not effectively control the security forces",
			"Widespread corruption or poor governance",
			"Oversight, accountability and remedies for victims are absent or weak",
			"Forces and armed groups have no training in human rights or humanitarian law",
			"No ability to keep weapons and methods of warfare within humanitarian law",
			"No resources for reform or institution-building, even with outside help",
		}),
		factor(4, "Motives or incentives", "all", []string{
			"Political aims, above all winning or holding on to power",
			"Economic gain or control of valuable resources",
			"Strategic or military aims, such as taking territory",
			"Other aims, for example making an area ethnically or religiously uniform",
			"A group is cast as a threat or as disloyal",
			"Ideologies of superiority or extremism built on identity",
			"Old grievances are stirred up for political ends",
			"Unhealed trauma and a desire for revenge",
		}),
		factor(5, "Capacity to commit atrocity crimes", "all", []string{
			"Enough people, weapons, or money to obtain them",
			"The means to move and supply forces and weapons",
			"The ability to recruit and rally large numbers of supporters",
			"A culture of strict obedience and conformity",
			"Ties to other armed forces or armed groups",
			"Businesses that could equip or finance perpetrators",
			"Backing from powerful or wealthy people at home",
			"Outside help with arms, money, logistics or training",
		}),
		factor(6, "Absence of mitigating factors", "all", []string{
			"Civil society at home is weak, divided or silenced",
			"There are no free and independent media",
			"International civil society and media pay little attention",
			"Little presence of the UN, NGOs or regional bodies with access to the population",
			"The State is outside international or regional bodies that bind it",
			"The State is isolated from other States",
			"The State hardly cooperates with international and regional human rights mechanisms",
			"The parties will not negotiate or compromise",
			"Other States and organisations neither help the State protect nor act when it fails to",
			"Neighbouring States turn refugees away or send them back by force",
			"No national early-warning mechanism",
		}),
		factor(7, "Enabling circumstances or preparatory action", "all", []string{
			"Emergency powers or laws that wear away rights",
			"Tampering with key institutions or their membership, especially to shut groups out",
			"The security apparatus is built up or turned against particular groups",
			"Large purchases of weapons",
			"Militias or paramilitary groups are set up or supported",
			"Communications are controlled, cut or banned",
			"NGOs, international bodies or journalists are expelled or hampered",
			"More violations against protected groups, or new laws that discriminate",
			"More violence against women and children, including sexual violence used to terrorise",
			"Living conditions that endanger life, deportation, segregation, camps or ghettos",
			"Essential goods, or cultural and religious sites, are destroyed or looted",
			"People or property are marked by the group they belong to",
			"Identity and history become more politicised",
			"Inflammatory speech, propaganda or hate speech increases",
		}),
		factor(8, "Triggering factors", "all", []string{
			"Security forces are suddenly deployed, or fighting breaks out",
			"Conflict spills over from a neighbouring country",
			"Outside measures that the State reads as a threat to its sovereignty",
			"An abrupt shift in who governs or in the balance of power between groups",
			"An attack on a leader or public figure, or a terrorist attack",
			"Religious occasions, or acts seen as insulting a religion",
			"Incitement or hate propaganda",
			"A census or an election, or steps that unsettle them",
			"A sudden economic blow: financial crash, disaster or epidemic",
			"A resource find or extraction project that threatens livelihoods",
			"Commemorations that inflame tensions, for example by praising perpetrators",
			"Justice processes that people see as unfair",
		}),
		factor(9, "Tension between groups or discrimination against protected groups", "genocide", []string{
			"Practices, policies or laws that discriminate against, separate or exclude a group",
			"A group's existence or identity is denied",
			"Earlier atrocities against the group went unpunished",
			"Serious disputes over rights, resources, participation, security or identity",
			"Tension between other kinds of groups that could take an ethnic or religious turn",
			"No national body able to deal with tension between identity groups",
		}),
		factor(10, "Signs of intent to destroy a protected group in whole or in part", "genocide", []string{
			"Documents or statements that show intent to destroy a group, or incite it",
			"Members of a group are killed because they belong to it, quickly or over time",
			"Widespread or systematic violence or discrimination against the group short of killing",
			"Steps to stop births in the group or to take its children away",
			"Violence of unusual cruelty meant to humiliate, terrorise or break up the group",
			"Public celebration of power over the group",
			"Homes, livelihoods and cultural or religious sites of the group are destroyed",
			"Community leaders, or men or women of a given age, are singled out for killing",
		}),
		factor(11, "Signs of a widespread or systematic attack on civilians (sketch)", "crimes_against_humanity", []string{
			"Attacks on civilians grow in number, spread or organisation",
			"Violence against civilians follows a pattern rather than chance",
			"Many victims, or attacks across a wide area",
			"Attacks use the State's or an organisation's resources and forces",
			"Civilians are targeted for their real or supposed politics or identity",
		}),
		factor(12, "Signs of a plan or policy to attack civilians (sketch)", "crimes_against_humanity", []string{
			"Written or spoken evidence of a plan to attack civilians",
			"Public or private resources are put to use for such attacks",
			"Preparatory steps: lists of targets, new units, stockpiles",
			"Orders or tolerance from the top despite knowledge of attacks",
			"Propaganda that prepares the ground for attacks on civilians",
		}),
		factor(13, "Serious threats to people protected by humanitarian law", "war_crimes", []string{
			"Parties split into factions, or command chains break down",
			"Broken agreements have left deep distrust",
			"The parties grow more radical or extreme",
			"Loyalty is judged by ethnicity or religion",
			"The enemy is dehumanised, or its culture scorned",
			"Measures that sharply cut the rights of protected persons",
			"Plans or speech that threaten or encourage violence against protected persons",
			"Supplies or aid needed to survive are blocked",
			"Preparations to move or hold large numbers of people, or for medical experiments",
			"Signs of use or preparation of prohibited weapons",
		}),
		factor(14, "Serious threats to humanitarian and peacekeeping operations (sketch)", "war_crimes", []string{
			"Aid workers or peacekeepers are threatened or attacked",
			"Humanitarian access is refused or obstructed",
			"Aid or peace operations are portrayed as enemies or spies",
			"Aid convoys, premises or supplies are looted or seized",
		}),
	},
}

func factor(n int, title, applies string, wording []string) FactorFile {
	return FactorFile{Number: n, Title: title, AppliesTo: applies, Wording: wording}
}
