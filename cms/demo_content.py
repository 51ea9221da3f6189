"""French copy of the demo campaign site (facts from the project's domain notes)."""

from __future__ import annotations

AUDIT_STEPS = {
    "anchor": "comment",
    "title": "Trois étapes, sans jargon",
    "steps": [
        {
            "title": "Le questionnaire",
            "text": "Vos usages, vos besoins, vos contraintes : cochez, c'est tout. "
            "Vous voyez tout de suite votre exposition.",
            "duration": "2 à 3 minutes",
        },
        {
            "title": "Le rendez-vous personnalisé",
            "text": "Un·e consultant·e de la coopérative fait le point avec vous, "
            "en visio ou par téléphone.",
            "duration": "45 minutes",
        },
        {
            "title": "Votre feuille de route",
            "text": "Un plan de transition par étapes, des gains rapides à la messagerie, "
            "que vous suivez à votre rythme.",
            "duration": "À votre rythme",
        },
    ],
}

WHY_NOW = {
    "title": "Pourquoi maintenant ?",
    "figures": [
        {
            "figure": "2018",
            "caption": "Le Cloud Act permet aux autorités américaines d'exiger vos données "
            "hébergées par une entreprise américaine, où qu'elles soient stockées.",
            "source": "CLOUD Act, 23 mars 2018",
        },
        {
            "figure": "« Non »",
            "caption": "Microsoft France ne peut pas garantir que vos données ne seront "
            "jamais transmises aux autorités américaines.",
            "source": "Audition au Sénat, 10 juin 2025",
        },
        {
            "figure": "60 %",
            "caption": "des collectivités n'utilisent que des outils grand public.",
            "source": "ANCT, La Suite territoriale",
        },
    ],
}

GENERAL_FAQ = {
    "title": "Questions fréquentes",
    "items": [
        {
            "question": "L'audit est-il vraiment gratuit ?",
            "answer": "<p>Oui. Le questionnaire, le rendez-vous et la feuille de route sont "
            "gratuits et sans engagement. Si vous le souhaitez ensuite, la coopérative peut "
            "vous accompagner ; vous pouvez aussi suivre la feuille de route seuls.</p>",
        },
        {
            "question": "Faut-il s'y connaître en informatique ?",
            "answer": "<p>Non. Les questions parlent de vos usages (« écrire un document à "
            "plusieurs », « faire une visio »), pas de technique. Chaque question propose "
            "« Je ne sais pas ».</p>",
        },
        {
            "question": "Va-t-on devoir tout changer d'un coup ?",
            "answer": "<p>Jamais. La feuille de route commence par les gains rapides (visio, "
            "envoi de fichiers, sondages) et garde la messagerie pour la fin, au rythme que "
            "vous choisissez.</p>",
        },
        {
            "question": "Que devient ce que je réponds ?",
            "answer": "<p>Vos réponses servent uniquement à préparer votre audit. Elles ne sont "
            "ni revendues ni partagées, et vous pouvez demander leur effacement à tout "
            "moment.</p>",
        },
    ],
}

TESTIMONIAL = {
    "quote": "On pensait que quitter Google allait prendre des années. On a commencé par la "
    "visio et les sondages, l'équipe a suivi, et six mois plus tard on n'a plus "
    "d'abonnement américain.",
    "name": "Claire Fontaine",
    "role": "Coordinatrice",
    "organisation": "SCIC Énergies Citoyennes",
}

CTA = {
    "title": "Faites le point en 3 minutes",
    "text": "Gratuit, sans engagement, et vos réponses restent les vôtres.",
    "label": "Commencer l'audit gratuit",
    "page": None,
}

CAMPAIGNS = [
    {
        "slug": "collectivites",
        "title": "Collectivités : des outils souverains pour vos agents et vos élu·es",
        "menu": "Collectivités",
        "audience": "collectivites",
        "image": "town_hall",
        "kicker": "Communes, intercommunalités, départements",
        "lead": "Adresses grand public, Teams, WhatsApp entre élu·es : faites le point en "
        "trois minutes et découvrez ce que La Suite territoriale et les outils de l'État "
        "peuvent vous apporter, avec un accompagnement à votre rythme.",
        "seo": "Audit gratuit pour les collectivités : sortir de Microsoft 365 et Google "
        "Workspace vers La Suite numérique et La Suite territoriale.",
        "text_title": "Des outils publics, libres et hébergés en France",
        "text": "<p>L'État a construit <b>La Suite numérique</b> : Tchap pour la messagerie "
        "instantanée, Visio pour les réunions, Docs pour écrire à plusieurs. Avec "
        "<b>La Suite territoriale</b>, l'ANCT aide les petites collectivités à obtenir un "
        "nom de domaine officiel et une messagerie sécurisée.</p>"
        "<p>L'audit vérifie ce à quoi votre collectivité a droit, ce qui reste à couvrir, "
        "et comment embarquer agents et élu·es sans rupture de service.</p>",
        "figures": {
            "title": "Les collectivités et le numérique",
            "figures": [
                {
                    "figure": "45 %",
                    "caption": "des collectivités n'ont pas de nom de domaine officiel.",
                    "source": "ANCT",
                },
                {
                    "figure": "21 000",
                    "caption": "communes utilisent des adresses grand public (Wanadoo, Orange, "
                    "Gmail).",
                    "source": "ANCT",
                },
                {
                    "figure": "2021",
                    "caption": "Doctrine « cloud au centre » : les données sensibles de l'État "
                    "sur un cloud qualifié SecNumCloud.",
                    "source": "Circulaire n° 6282-SG",
                },
            ],
        },
        "tools": [("zoom", "visio"), ("whatsapp", "chat"), ("orange-mail", "email")],
        "quote": {
            "quote": "Nos agents et nos élu·es se retrouvent enfin sur les mêmes outils, "
            "et plus personne ne nous demande où sont hébergées nos données.",
            "name": "Sophie Bernard",
            "role": "Secrétaire générale",
            "organisation": "Mairie de Saint-Aubin-sur-Loire",
        },
    },
    {
        "slug": "associations",
        "title": "Associations : des outils libres, à la hauteur de vos valeurs",
        "menu": "Associations",
        "audience": "associations",
        "image": "people",
        "kicker": "Associations, fédérations, tiers-lieux",
        "lead": "Salarié·es, bénévoles, adhérent·es : un audit gratuit pour réunir tout le "
        "monde sur des outils éthiques, sans exploser le budget ni brusquer personne.",
        "seo": "Audit gratuit pour les associations : des outils libres et souverains à la "
        "place de Google Workspace et Microsoft 365.",
        "text_title": "Vos valeurs jusque dans vos outils",
        "text": "<p>Les associations manipulent des données personnelles d'adhérent·es, de "
        "bénévoles et parfois de publics fragiles. Les confier à des géants américains, "
        "c'est les exposer au Cloud Act.</p>"
        "<p>Les logiciels de La Suite numérique sont libres : une coopérative comme "
        "LaSuite.coop peut les héberger en France pour vous, avec Grist pour vos tableaux "
        "et un accompagnement de vos bénévoles.</p>",
        "figures": None,
        "tools": [("google-docs", "documents"), ("airtable", "spreadsheets"), ("zoom", "visio")],
        "quote": TESTIMONIAL,
    },
    {
        "slug": "cooperatives",
        "title": "Coopératives : la gouvernance partagée, jusque dans le numérique",
        "menu": "Coopératives",
        "audience": "cooperatives",
        "image": "cooperation",
        "kicker": "SCOP, SCIC, CAE",
        "lead": "Vos outils de travail peuvent eux aussi être des communs. Faites l'audit, "
        "et avancez avec d'autres coopératives vers un numérique que vous gouvernez.",
        "seo": "Audit gratuit pour les coopératives : outils libres, hébergement en France, "
        "gouvernance partagée.",
        "text_title": "Des coopératives au service des coopératives",
        "text": "<p>LaSuite.coop réunit Open Source Politics, IndieHosters et d'autres "
        "coopératives pour proposer une suite d'outils libres, hébergée en France et "
        "gouvernée par ses membres.</p>"
        "<p>L'audit vous dit par où commencer : visio et documents partagés en premier, "
        "fichiers et messagerie ensuite, avec des ambassadeurs dans chaque équipe.</p>",
        "figures": None,
        "tools": [("slack", "chat"), ("google-drive", "files"), ("notion", "documents")],
        "quote": None,
    },
    {
        "slug": "entreprises",
        "title": "Entreprises : protégez vos données sans freiner vos équipes",
        "menu": "Entreprises",
        "audience": "entreprises",
        "image": "company",
        "kicker": "TPE, PME, entreprises de l'ESS",
        "lead": "Secret des affaires, RGPD, hausses de prix des abonnements : un audit "
        "gratuit pour reprendre la main, outil par outil, sans interrompre votre activité.",
        "seo": "Audit gratuit pour les entreprises : sortir de Microsoft 365 et Google "
        "Workspace, protéger ses données du Cloud Act.",
        "text_title": "Vos données, votre juridiction",
        "text": "<p>Héberger ses données « en Europe » chez un fournisseur américain ne les "
        "met pas à l'abri : le Cloud Act s'applique à l'entreprise, pas au datacenter.</p>"
        "<p>L'audit chiffre votre exposition, repère les abonnements à supprimer et "
        "propose une feuille de route qui garde vos équipes productives à chaque étape.</p>",
        "figures": WHY_NOW,
        "tools": [("microsoft-teams", "visio"), ("microsoft-excel", "spreadsheets")],
        "quote": None,
    },
]

ARTICLES = [
    {
        "slug": "souverainete-numerique-de-quoi-parle-t-on",
        "title": "Souveraineté numérique : de quoi parle-t-on, concrètement ?",
        "date": "2026-09-15",
        "category": "comprendre",
        "tags": ["souveraineté", "données"],
        "image": "sovereignty",
        "intro": "Derrière le mot « souveraineté », une question simple : qui décide de ce "
        "qui arrive à vos données, à vos outils et à vos coûts ? Tour d'horizon, sans "
        "jargon.",
        "body": [
            (
                "text",
                {
                    "title": "Une question de maîtrise, pas de drapeau",
                    "text": "<p>Être souverain sur son numérique, ce n'est pas tout faire "
                    "soi-même. C'est pouvoir <b>choisir</b> : changer de prestataire sans tout "
                    "perdre, savoir quel droit s'applique à ses données, ne pas subir une "
                    "hausse de prix ou une fonctionnalité retirée.</p>"
                    "<p>Trois questions suffisent pour faire le point : où sont mes données, "
                    "qui peut y accéder, et puis-je partir demain avec elles ?</p>",
                },
            ),
            (
                "text",
                {
                    "title": "Les logiciels libres comme point d'appui",
                    "text": "<p>Un logiciel libre peut être hébergé par qui vous voulez. Si "
                    "votre hébergeur ne vous convient plus, vous en changez en gardant le "
                    "même outil. C'est ce qui rend possible une <b>suite coopérative</b> : "
                    "les mêmes logiciels que l'État, hébergés en France par des coopératives "
                    "pour les associations, les entreprises et les collectivités.</p>",
                },
            ),
            ("key_figures", "WHY_NOW"),
            ("call_to_action", "CTA"),
        ],
    },
    {
        "slug": "cloud-act-vos-donnees-en-europe-ne-sont-pas-a-l-abri",
        "title": "Cloud Act : pourquoi vos données hébergées en Europe ne sont pas à l'abri",
        "date": "2026-10-02",
        "category": "comprendre",
        "tags": ["cloud-act", "rgpd", "données"],
        "image": "cloud_act",
        "intro": "Un datacenter en France ne suffit pas : une loi américaine de 2018 "
        "s'applique à l'entreprise qui héberge vos données, où qu'elles soient.",
        "body": [
            (
                "text",
                {
                    "title": "Ce que dit le Cloud Act",
                    "text": "<p>Adopté le 23 mars 2018, le <i>CLOUD Act</i> permet aux "
                    "autorités américaines d'exiger d'une entreprise soumise au droit "
                    "américain les données qu'elle détient, <b>même stockées hors des "
                    "États-Unis</b>. Microsoft, Google ou Amazon y sont soumis, y compris "
                    "pour leurs centres de données européens.</p>",
                },
            ),
            (
                "quote",
                {
                    "quote": "Non, je ne peux pas le garantir.",
                    "name": "Anton Carniaux",
                    "role": "directeur des affaires juridiques de Microsoft France, "
                    "interrogé sous serment",
                    "organisation": "Commission d'enquête du Sénat, 10 juin 2025",
                },
            ),
            (
                "text",
                {
                    "title": "Ce que font les administrations",
                    "text": "<p>Depuis la doctrine « cloud au centre » (2021), les données "
                    "sensibles de l'État doivent être hébergées sur un cloud qualifié "
                    "<b>SecNumCloud</b>, immunisé contre les lois extra-européennes. La CNIL "
                    "recommande des suites de fournisseurs soumis exclusivement au droit "
                    "européen.</p><p>Pour une association ou une PME, la bonne nouvelle est "
                    "que les alternatives existent et sont libres.</p>",
                },
            ),
            ("faq", "GENERAL_FAQ"),
        ],
    },
    {
        "slug": "la-suite-numerique-les-outils-libres-de-l-etat",
        "title": "La Suite numérique : les outils libres de l'État, et comment en profiter",
        "date": "2026-10-20",
        "category": "outils",
        "tags": ["la-suite-numérique", "tchap", "visio", "docs"],
        "image": "la_suite",
        "intro": "Tchap, Visio, Docs, Fichiers, Grist : l'État a construit une suite "
        "collaborative libre. Qui peut l'utiliser, et comment ?",
        "body": [
            (
                "text",
                {
                    "title": "Une suite libre, construite par l'État",
                    "text": "<p>Lancée en 2024 par la DINUM avec l'ANCT, <b>La Suite "
                    "numérique</b> rassemble des outils libres : <b>Tchap</b> pour la "
                    "messagerie instantanée, <b>Visio</b> pour les réunions, <b>Docs</b> "
                    "pour écrire à plusieurs, <b>Fichiers</b> pour partager, <b>Grist</b> "
                    "pour les tableaux. Le code est ouvert et co-développé avec l'Allemagne "
                    "et les Pays-Bas.</p>",
                },
            ),
            (
                "tool_comparison",
                [("zoom", "visio"), ("whatsapp", "chat"), ("google-docs", "documents")],
            ),
            (
                "text",
                {
                    "title": "Qui peut s'en servir ?",
                    "text": "<p>Les instances de l'État sont réservées aux agents publics ; "
                    "les petites collectivités passent par La Suite territoriale. Les "
                    "associations, coopératives et entreprises peuvent utiliser <b>les mêmes "
                    "logiciels</b>, hébergés par une coopérative comme LaSuite.coop.</p>",
                },
            ),
            ("call_to_action", "CTA"),
        ],
    },
    {
        "slug": "l-audit-gratuit-en-trois-etapes",
        "title": "L'audit gratuit en trois étapes : questionnaire, rendez-vous, feuille de route",
        "date": "2026-11-05",
        "category": "accompagnement",
        "tags": ["audit", "feuille-de-route"],
        "image": "audit_steps",
        "intro": "Trois minutes de questions, un rendez-vous de 45 minutes, et une feuille de "
        "route que vous suivez à votre rythme : voici comment se passe l'audit.",
        "body": [
            ("steps", "AUDIT_STEPS"),
            (
                "text",
                {
                    "title": "Un questionnaire sans piège",
                    "text": "<p>Quelques écrans, des cases à cocher et des logos que vous "
                    "reconnaissez : « Teams », « WhatsApp », « Google Drive ». Pas de jargon, "
                    "et toujours la réponse « Je ne sais pas ».</p>"
                    "<p>À la fin, vous voyez votre <b>exposition</b> : combien de vos usages "
                    "dépendent d'un éditeur soumis au Cloud Act.</p>",
                },
            ),
            (
                "text",
                {
                    "title": "Une feuille de route à votre rythme",
                    "text": "<p>Après le rendez-vous, vous recevez un plan par étapes : les "
                    "gains rapides d'abord, la messagerie en dernier, et une équipe formée à "
                    "chaque étape. Vous la suivez en ligne, par un lien privé.</p>",
                },
            ),
            ("faq", "GENERAL_FAQ"),
            ("call_to_action", "CTA"),
        ],
    },
    {
        "slug": "changer-d-outils-sans-brusquer-les-equipes",
        "title": "Changer d'outils sans brusquer les équipes : commencer par les gains rapides",
        "date": "2026-11-24",
        "category": "accompagnement",
        "tags": ["conduite-du-changement", "feuille-de-route"],
        "image": "roadmap",
        "intro": "Les migrations réussies commencent par ce qui ne casse rien : la visio, "
        "les sondages, l'envoi de fichiers. Retour sur les leçons des collectivités "
        "pionnières.",
        "body": [
            (
                "text",
                {
                    "title": "D'abord ce qui se voit, ensuite ce qui pèse",
                    "text": "<p>Une visio se remplace sans migrer la moindre donnée : il "
                    "suffit de changer le lien de l'invitation. C'est le meilleur premier "
                    "pas. La messagerie, elle, touche aux archives, aux contacts et aux "
                    "habitudes de tout le monde : on la garde pour la fin.</p>",
                },
            ),
            ("key_figures", "ROADMAP_FIGURES"),
            (
                "quote",
                {
                    "quote": "Convaincre par idéologie est voué à l'échec. C'est l'usage qui "
                    "importe.",
                    "name": "Nicolas Vivant",
                    "role": "directeur de la stratégie numérique",
                    "organisation": "Ville d'Échirolles",
                },
            ),
            (
                "text",
                {
                    "title": "Des volontaires et des ambassadeurs",
                    "text": "<p>Un groupe pilote de volontaires (5 à 10 % des utilisateurs), "
                    "des ambassadeurs dans chaque équipe, une « anti-sèche » d'une page et des "
                    "ateliers courts : c'est ce qui fait la différence, bien plus que le "
                    "choix de l'outil.</p>",
                },
            ),
            ("call_to_action", "CTA"),
        ],
    },
]

ROADMAP_FIGURES = {
    "title": "Une transition par étapes",
    "figures": [
        {"figure": "0–1 mois", "caption": "Gains rapides : visio, sondages, gros fichiers."},
        {"figure": "1–6 mois", "caption": "Discussions, documents, fichiers partagés."},
        {"figure": "6–12 mois", "caption": "Messagerie et agendas, le jour J préparé."},
    ],
}

NAMED_VALUES = {
    "WHY_NOW": WHY_NOW,
    "CTA": CTA,
    "GENERAL_FAQ": GENERAL_FAQ,
    "AUDIT_STEPS": AUDIT_STEPS,
    "ROADMAP_FIGURES": ROADMAP_FIGURES,
}

ENGLISH_HOME = {
    "title": "Take back control of your digital tools",
    "seo_title": "Free digital sovereignty audit",
    "search_description": "A free 3-minute audit to leave Google Workspace or Microsoft 365 "
    "at your own pace, for free and sovereign tools.",
    "hero": {
        "kicker": "Free audit · 2 to 3 minutes",
        "title": "Take back control of your digital tools",
        "lead": "Local authorities, non-profits, cooperatives, companies: a free audit to "
        "leave Google Workspace or Microsoft 365 at your own pace, for free and sovereign "
        "tools such as the French state's La Suite numérique.",
        "cta_label": "Start the free audit",
        "cta_page": None,
        "secondary_label": "How does it work?",
        "secondary_anchor": "how",
        "image": None,
    },
    "steps": {
        "anchor": "how",
        "title": "Three steps, no jargon",
        "steps": [
            {
                "title": "The questionnaire",
                "text": "Your uses, needs and constraints: just tick the boxes.",
                "duration": "2 to 3 minutes",
            },
            {
                "title": "A personal meeting",
                "text": "A consultant from the cooperative reviews it with you.",
                "duration": "45 minutes",
            },
            {
                "title": "Your roadmap",
                "text": "A step-by-step transition plan you follow at your own pace.",
                "duration": "Your pace",
            },
        ],
    },
    "cta": {
        "title": "Take stock in 3 minutes",
        "text": "Free, no commitment, and your answers stay yours.",
        "label": "Start the free audit",
        "page": None,
    },
}
