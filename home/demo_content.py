"""The demo pages as data: Dutch source text with its translations beside it.

``T`` holds one text in every language it is translated into; a plain ``str`` is the same in every
language (names, phone numbers, e-mail addresses). A page is translated into a language only when
every ``T`` on it has that language. Facts and amounts come from /work/shared/domain.md (§1-3); phone
numbers and e-mail addresses are demo values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class T:
    nl: str
    fr: str = ""
    en: str = ""
    de: str = ""

    def get(self, language: str) -> str:
        return getattr(self, language)


Text = T | str


@dataclass(frozen=True)
class Block:
    """One StreamField block: ``kind`` is the block name, ``value`` its raw value in which a ``Text`` is
    a plain string, a list of ``Text`` is rich text (one paragraph each) and a list of dicts is a list
    block. A ``rich_text`` block's value is its list of paragraphs."""

    kind: str
    value: dict | list


@dataclass(frozen=True)
class PageContent:
    """One page. ``intro`` is rich text (paragraphs) on home and city pages and the one-paragraph
    summary on information pages. ``languages`` are the translations to publish: every ``T`` on the
    page must have them."""

    slug: Text
    title: Text
    intro: tuple[Text, ...] = ()
    body: tuple[Block, ...] = ()
    children: tuple[PageContent, ...] = field(default=())
    languages: tuple[str, ...] = ()


def rich(*paragraphs: Text) -> Block:
    return Block("rich_text", list(paragraphs))


def faq(heading: Text, *items: tuple[Text, Text]) -> Block:
    return Block("faq", {"heading": heading, "items": [{"question": q, "answer": [a]} for q, a in items]})


def tariff(caption: Text, *rows: tuple[Text, str, Text], source: Text = "") -> Block:
    return Block(
        "tariff_table",
        {
            "caption": caption,
            "rows": [
                {"label": label, "amount": Decimal(amount), "note": note} for label, amount, note in rows
            ],
            "source_note": source,
        },
    )


def contact(name: Text, *, phone: str = "", email: str = "", address: str = "", hours: Text = "") -> Block:
    return Block(
        "contact", {"name": name, "phone": phone, "email": email, "address": address, "opening_hours": hours}
    )


def callout(tone: str, *paragraphs: Text) -> Block:
    return Block("callout", {"tone": tone, "text": list(paragraphs)})


def eloket_link(label: Text, target: str, text: Text = "") -> Block:
    return Block("eloket_link", {"label": label, "target": target, "text": text})


# The texts below are laid out by hand, one language per line, so they stay readable: ruff format
# would put every argument on its own line and double the length of this module.
# fmt: off

# ---------------------------------------------------------------------------------------------------
# Shared texts (GAS rules are the same in every city: the amounts are fixed by law)
# ---------------------------------------------------------------------------------------------------

FAQ_HEADING = T("Veelgestelde vragen", fr="Questions fréquentes", en="Frequently asked questions")
ON_TOP_OF_53 = T("bovenop € 53", fr="en plus des 53 €", en="on top of € 53")

GAS_AMOUNTS = tariff(
    T("Bedragen van GAS-boetes (vast bij wet)", fr="Montants des amendes SAC (fixés par la loi)",
      en="GAS fine amounts (fixed by law)"),
    (T("GAS 4, categorie 1: bv. parkeren aan een bushalte of voor een inrit",
       fr="SAC 4, catégorie 1 : p. ex. stationner à un arrêt de bus ou devant une entrée carrossable",
       en="GAS 4, category 1: e.g. parking at a bus stop or in front of a driveway"), "58", ""),
    (T("GAS 4, categorie 2: bv. parkeren op het voetpad, het fietspad of een plaats voor personen met een "
       "handicap",
       fr="SAC 4, catégorie 2 : p. ex. stationner sur le trottoir, la piste cyclable ou une place réservée "
          "aux personnes handicapées",
       en="GAS 4, category 2: e.g. parking on the pavement, a cycle path or a disabled parking "
          "space"), "116", ""),
    (T("GAS 5: de eerste 10 km/u te snel", fr="SAC 5 : les 10 premiers km/h au-delà de la limite",
       en="GAS 5: the first 10 km/h over the limit"), "53", ""),
    (T("GAS 5: elke km/u daarboven, binnen de bebouwde kom",
       fr="SAC 5 : chaque km/h supplémentaire, en agglomération",
       en="GAS 5: every further km/h, in a built-up area"), "11", ON_TOP_OF_53),
    (T("GAS 5: elke km/u daarboven, buiten de bebouwde kom",
       fr="SAC 5 : chaque km/h supplémentaire, hors agglomération",
       en="GAS 5: every further km/h, outside a built-up area"), "6", ON_TOP_OF_53),
    source=T(
        "KB van 9 maart 2014 (GAS 4) en artikel 29quater van de Wegverkeerswet (GAS 5)",
        fr="AR du 9 mars 2014 (SAC 4) et article 29quater de la loi relative à la police de la circulation "
           "routière (SAC 5)",
        en="Royal Decree of 9 March 2014 (GAS 4) and article 29quater of the Road Traffic Act (GAS 5)"),
)

GAS_FAQ = faq(
    FAQ_HEADING,
    (T("Hoeveel tijd heb ik om te betalen?", fr="De combien de temps est-ce que je dispose pour payer ?",
       en="How long do I have to pay?"),
     T("U krijgt een brief met een uitnodiging om binnen 30 dagen te betalen. Betaalt u op tijd, dan is het "
       "dossier afgesloten.",
       fr="Vous recevez une lettre qui vous invite à payer dans les 30 jours. Si vous payez à temps, le "
          "dossier est clôturé.",
       en="You receive a letter inviting you to pay within 30 days. If you pay in time, the case is "
          "closed.")),
    (T("Ik ben het niet eens met de boete. Wat kan ik doen?",
       fr="Je ne suis pas d'accord avec l'amende. Que puis-je faire ?",
       en="I do not agree with the fine. What can I do?"),
     T("Dien binnen 30 dagen een schriftelijk verweer in bij de sanctionerend ambtenaar. Is de boete hoger "
       "dan € 70, dan kunt u vragen om mondeling gehoord te worden. Vindt de ambtenaar uw verweer ongegrond, "
       "dan krijgt u een gemotiveerde beslissing en opnieuw 30 dagen om te betalen.",
       fr="Introduisez une défense écrite auprès du fonctionnaire sanctionnateur dans les 30 jours. Si "
          "l'amende dépasse 70 €, vous pouvez demander à être entendu oralement. Si le fonctionnaire juge "
          "votre défense non fondée, vous recevez une décision motivée et un nouveau délai de 30 jours pour "
          "payer.",
       en="Send a written defence to the sanctioning official within 30 days. If the fine is more than € 70, "
          "you can ask to be heard in person. If the official finds your defence unfounded, you receive a "
          "reasoned decision and another 30 days to pay.")),
    (T("Ik reed zelf niet met de wagen.", fr="Je ne conduisais pas le véhicule.",
       en="I was not driving the vehicle."),
     T("De brief gaat naar de houder van de nummerplaat. Geef binnen de termijn door wie de bestuurder was; "
       "de brief legt uit hoe dat moet.",
       fr="La lettre est envoyée au titulaire de la plaque. Communiquez l'identité du conducteur dans le "
          "délai ; la lettre explique comment faire.",
       en="The letter goes to the holder of the number plate. Tell us who was driving within the deadline; "
          "the letter explains how.")),
    (T("Kan ik in beroep gaan?", fr="Puis-je introduire un recours ?", en="Can I appeal?"),
     T("Ja. Tegen de beslissing van de sanctionerend ambtenaar gaat u binnen één maand na de kennisgeving in "
       "beroep bij de politierechtbank, met een verzoekschrift. Dat beroep loopt niet via het e-loket.",
       fr="Oui. Contre la décision du fonctionnaire sanctionnateur, vous pouvez introduire un recours par "
          "requête devant le tribunal de police dans le mois qui suit la notification. Ce recours ne passe "
          "pas par l'e-guichet.",
       en="Yes. You can appeal against the sanctioning official's decision to the police court within one "
          "month of being notified, by petition. That appeal does not go through the e-counter.")),
    (T("Wat gebeurt er als ik niet betaal en niet reageer?",
       fr="Que se passe-t-il si je ne paie pas et ne réagis pas ?",
       en="What happens if I neither pay nor respond?"),
     T("Na 30 dagen volgt een herinnering met een nieuwe termijn van 30 dagen. Daarna is de boete definitief "
       "en uitvoerbaar en kan een gerechtsdeurwaarder ze invorderen.",
       fr="Après 30 jours, vous recevez un rappel avec un nouveau délai de 30 jours. Ensuite, l'amende est "
          "définitive et exécutoire et un huissier de justice peut la recouvrer.",
       en="After 30 days you receive a reminder with a new 30-day term. After that the fine is final and "
          "enforceable, and a bailiff can collect it.")),
)

GAS_SCOPE = rich(
    T("GAS 4 bestraft fout stilstaan en parkeren, en het negeren van de verkeersborden C3 (verboden toegang) "
      "en F103 (voetgangerszone) wanneer een camera dat vaststelt.",
      fr="La SAC 4 sanctionne l'arrêt et le stationnement fautifs, ainsi que le non-respect des signaux C3 "
         "(accès interdit) et F103 (zone piétonne) constaté par caméra.",
      en="GAS 4 covers illegal stopping and parking, and ignoring the traffic signs C3 (no entry) and F103 "
         "(pedestrian zone) when a camera records it."),
    T("GAS 5 geldt alleen voor beperkte snelheidsovertredingen in zones 30 en 50: hoogstens 20 km/u te snel, "
      "vastgesteld met een toestel dat het lokaal bestuur zelf betaalt. Een GAS-boete krijgen alleen "
      "meerderjarigen en rechtspersonen.",
      fr="La SAC 5 ne concerne que les petits excès de vitesse en zones 30 et 50 : au maximum 20 km/h de "
         "trop, constatés par un appareil financé par l'autorité locale. Seuls les majeurs et les personnes "
         "morales peuvent recevoir une amende SAC.",
      en="GAS 5 only covers minor speeding in 30 and 50 zones: at most 20 km/h over the limit, recorded by a "
         "device the local authority pays for itself. Only adults and legal persons can receive a GAS fine."),
)

GAS_LINK = eloket_link(
    T("Betaal of betwist uw "
      "GAS-boete", fr="Payer ou contester votre amende SAC", en="Pay or contest your GAS fine"),
    "overview",
    T("In Mijn dossiers ziet u uw boetes, de termijnen en wat u nu kunt doen.",
      fr="Dans Mes dossiers, vous voyez vos amendes, les délais et ce que vous pouvez faire maintenant.",
      en="In My cases you see your fines, the deadlines and what you can do now."),
)

RETRIBUTION_IS_NOT_A_FINE = callout(
    "info",
    T("Een parkeerretributie is geen boete: het is een gemeentelijke vergoeding voor het parkeren, die u "
      "verschuldigd bent omdat u niet (genoeg) betaalde.",
      fr="Une redevance de stationnement n'est pas une amende : c'est une rétribution communale pour le "
         "stationnement, due parce que vous n'avez pas (assez) payé.",
      en="A parking fee (retributie) is not a fine: it is a municipal charge for parking, owed because you "
         "did not pay (enough)."),
)

OVERVIEW_LINK = eloket_link(
    T("Bekijk en betaal uw dossiers", fr="Consulter et payer vos dossiers", en="View and pay your cases"),
    "overview",
    T("Meld u aan met uw eID of itsme en zie al uw retributies, boetes en vergunningen samen.",
      fr="Connectez-vous avec votre eID ou itsme et voyez toutes vos redevances, amendes et autorisations.",
      en="Log in with your eID or itsme and see all your parking fees, fines and permits together."),
)

FREE = T("gratis", fr="gratuit", en="free")

# ---------------------------------------------------------------------------------------------------
# Home
# ---------------------------------------------------------------------------------------------------

HOME = PageContent(
    languages=("fr", "en", "de"),
    slug=T("e-loket", fr="e-guichet", en="e-counter", de="e-schalter"),
    title=T("Eén loket voor parkeren, GAS-boetes en vergunningen",
            fr="Un seul guichet pour le stationnement, les amendes SAC et les autorisations",
            en="One counter for parking, GAS fines and permits",
            de="Ein Schalter für Parken, GAS-Bußgelder und Genehmigungen"),
    intro=(
        T("Kreeg u een parkeerretributie of een GAS-boete, of hebt u een bewonerskaart? In het e-loket ziet "
          "u al uw dossiers van alle deelnemende steden samen. U betaalt online, stelt een vraag of dient "
          "bezwaar in.",
          fr="Vous avez reçu une redevance de stationnement ou une amende SAC, ou vous avez une carte de "
             "riverain ? Dans l'e-guichet, vous voyez tous vos dossiers de toutes les villes participantes. "
             "Vous payez en ligne, posez une question ou introduisez une contestation.",
          en="Did you get a parking fee or a GAS fine, or do you hold a resident parking card? The e-counter "
             "shows all your cases from every participating city in one place. Pay online, ask a question or "
             "file an objection.",
          de="Haben Sie eine Parkgebühr oder ein GAS-Bußgeld erhalten oder besitzen Sie einen "
             "Anwohnerparkausweis? Im E-Schalter sehen Sie alle Ihre Vorgänge aus allen teilnehmenden "
             "Städten. Sie bezahlen online, stellen eine Frage oder legen Einspruch ein."),
    ),
    body=(
        callout(
            "info",
            T("Een parkeerretributie is een vergoeding voor het parkeren, geen boete. Een GAS-boete is een "
              "gemeentelijke administratieve sanctie. Het e-loket toont ze allebei, elk met de eigen "
              "termijnen.",
              fr="Une redevance de stationnement est une rétribution pour le stationnement, pas une amende. "
                 "Une amende SAC est une sanction administrative communale. L'e-guichet affiche les deux, "
                 "chacune avec ses propres délais.",
              en="A parking fee is a charge for parking, not a fine. A GAS fine is a municipal "
                 "administrative sanction. The e-counter shows both, each with its own deadlines.",
              de="Eine Parkgebühr ist ein Entgelt für das Parken, kein Bußgeld. Ein GAS-Bußgeld ist eine "
                 "kommunale Verwaltungssanktion. Der E-Schalter zeigt beide, jeweils mit den eigenen "
                 "Fristen."),
        ),
        faq(
            T("Veelgestelde "
              "vragen", fr="Questions fréquentes", en="Frequently asked questions", de="Häufige Fragen"),
            (T("Wat heb ik nodig om aan te melden?", fr="De quoi ai-je besoin pour me connecter ?",
               en="What do I need to log in?", de="Was brauche ich für die Anmeldung?"),
             T("Uw eID, itsme of een andere digitale sleutel van de Vlaamse overheid.",
               fr="Votre eID, itsme ou une autre clé numérique du gouvernement flamand.",
               en="Your eID, itsme or another digital key of the Flemish government.",
               de="Ihre eID, itsme oder einen anderen digitalen Schlüssel der flämischen Regierung.")),
            (T("Kan ik ook de dossiers van mijn bedrijf bekijken?",
               fr="Puis-je aussi consulter les dossiers de mon entreprise ?",
               en="Can I also see my company's cases?",
               de="Kann ich auch die Vorgänge meines Unternehmens sehen?"),
             T("Ja. Na het aanmelden kiest u of u handelt in eigen naam of namens een onderneming die u "
               "vertegenwoordigt.",
               fr="Oui. Après la connexion, vous choisissez d'agir en votre nom ou au nom d'une entreprise "
                  "que vous représentez.",
               en="Yes. After logging in you choose whether you act in your own name or on behalf of a "
                  "company you represent.",
               de="Ja. Nach der Anmeldung wählen Sie, ob Sie im eigenen Namen oder im Namen eines "
                  "Unternehmens handeln, das Sie vertreten.")),
            (T("Welke steden doen mee?", fr="Quelles villes participent ?", en="Which cities take part?",
               de="Welche Städte machen mit?"),
             T("Genk, Vilvoorde, Antwerpen, Hasselt en Mechelen. Andere Vlaamse steden en gemeenten kunnen "
               "aansluiten.",
               fr="Genk, Vilvorde, Anvers, Hasselt et Malines. D'autres villes et communes flamandes peuvent "
                  "rejoindre le guichet.",
               en="Genk, Vilvoorde, Antwerp, Hasselt and Mechelen. Other Flemish cities and municipalities "
                  "can join.",
               de="Genk, Vilvoorde, Antwerpen, Hasselt und Mecheln. Weitere flämische Städte und Gemeinden "
                  "können sich anschließen.")),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------------
# Genk (translated into French and English)
# ---------------------------------------------------------------------------------------------------

GENK_PARKING = PageContent(
    languages=("fr", "en"),
    slug=T("parkeerretributie", fr="redevance-de-stationnement", en="parking-fee"),
    title=T("Parkeren en parkeerretributie", fr="Stationnement et redevance de stationnement",
            en="Parking and parking fees"),
    intro=(
        T("Wat een parkeerretributie in Genk kost, hoe u ze betaalt of betwist, en wie een bewonerskaart "
          "krijgt.",
          fr="Combien coûte une redevance de stationnement à Genk, comment la payer ou la contester, et qui "
             "peut obtenir une carte de riverain.",
          en="What a parking fee costs in Genk, how to pay or contest it, and who can get a resident parking "
             "card."),
    ),
    body=(
        rich(
            T("In de betalende zones en de blauwe zone van Genk controleert concessiehouder OPC (Optimal "
              "Parking Control) met een scanwagen. Wie niet betaalt of langer blijft dan toegelaten, krijgt "
              "een parkeerretributie. Die is verschuldigd door de houder van de nummerplaat.",
              fr="Dans les zones payantes et la zone bleue de Genk, le concessionnaire OPC (Optimal Parking "
                 "Control) contrôle avec une voiture scan. Qui ne paie pas ou reste plus longtemps que "
                 "permis reçoit une redevance de stationnement. Elle est due par le titulaire de la plaque.",
              en="In Genk's paid zones and blue zone, the concessionaire OPC (Optimal Parking Control) "
                 "checks with a scan car. Anyone who does not pay or stays longer than allowed gets a "
                 "parking fee. The holder of the number plate owes it."),
            T("U krijgt de retributie per post of per e-mail. U betaalt met een overschrijving of met de "
              "QR-code op de brief; contant betalen aan een loket kan niet. Op vraag krijgt u een "
              "afbetalingsplan.",
              fr="Vous recevez la redevance par courrier ou par e-mail. Vous payez par virement ou avec le "
                 "code QR de la lettre ; le paiement en espèces au guichet n'est pas possible. Sur demande, "
                 "vous obtenez un plan de paiement.",
              en="You receive the fee by post or by e-mail. Pay by bank transfer or with the QR code on the "
                 "letter; cash payment at a counter is not possible. A payment plan is available on "
                 "request."),
        ),
        RETRIBUTION_IS_NOT_A_FINE,
        tariff(
            T("Parkeerretributie en bewonerskaarten in Genk",
              fr="Redevance de stationnement et cartes de riverain à Genk",
              en="Parking fee and resident parking cards in Genk"),
            (T("Parkeerretributie (dagtarief)", fr="Redevance de stationnement (tarif journalier)",
               en="Parking fee (day rate)"), "20", T("per dag", fr="par jour", en="per day")),
            (T("Bewonerskaart: eerste en tweede kaart per adres",
               fr="Carte de riverain : première et deuxième carte par adresse",
               en="Resident card: first and second card per address"), "0", FREE),
            (T("Bewonerskaart: vanaf de derde kaart", fr="Carte de riverain : à partir de la troisième carte",
               en="Resident card: from the third card"), "100",
             T("per kaart per jaar", fr="par carte et par an", en="per card per year")),
            source=T("Retributiereglement parkeren van de stad Genk",
                     fr="Règlement-redevance sur le stationnement de la ville de Genk",
                     en="City of Genk parking fee regulation"),
        ),
        callout(
            "warning",
            T("Niet betaald na 30 dagen? Dan volgt een schriftelijke herinnering. Ten vroegste 30 "
              "kalenderdagen na de eerste uitnodiging krijgt u een aangetekende aanmaning, en 30 "
              "kalenderdagen later een dagvaarding voor de vrederechter van het kanton Genk.",
              fr="Pas payé après 30 jours ? Vous recevez un rappel écrit. Au plus tôt 30 jours calendrier "
                 "après la première invitation suit une mise en demeure recommandée, puis 30 jours "
                 "calendrier plus tard une citation devant le juge de paix du canton de Genk.",
              en="Not paid after 30 days? You receive a written reminder. At the earliest 30 calendar days "
                 "after the first invitation you get a registered formal notice, and 30 calendar days later "
                 "a summons before the justice of the peace of the Genk canton."),
        ),
        faq(
            FAQ_HEADING,
            (T("Hoe betwist ik een "
               "parkeerretributie?", fr="Comment contester une redevance de stationnement ?",
               en="How do I contest a parking fee?"),
             T("Dien bezwaar in bij het dossier in het e-loket, of gebruik het webformulier verweerschrift "
               "retributie met het referentienummer en de nummerplaat. Betwisten per telefoon of per e-mail "
               "kan niet.",
               fr="Introduisez une contestation dans le dossier de l'e-guichet, ou utilisez le formulaire en "
                  "ligne de défense avec le numéro de référence et la plaque. Une contestation par téléphone "
                  "ou par e-mail n'est pas possible.",
               en="File an objection on the case in the e-counter, or use the online defence form with the "
                  "reference number and the number plate. Contesting by phone or e-mail is not possible.")),
            (T("Wie krijgt een bewonerskaart?", fr="Qui peut obtenir une carte de riverain ?",
               en="Who can get a resident parking card?"),
             T("Wie gedomicilieerd is in een bewonerszone binnen de blauwe zone, met een voertuig op eigen "
               "naam (bij een leasewagen: een bewijs van de werkgever dat u de hoofdbestuurder bent). De "
               "kaart geldt alleen voor de nummerplaat die erop staat.",
               fr="Les personnes domiciliées dans une zone riverains à l'intérieur de la zone bleue, avec un "
                  "véhicule à leur nom (pour une voiture de leasing : une attestation de l'employeur "
                  "indiquant que vous êtes le conducteur principal). La carte n'est valable que pour la "
                  "plaque qui y figure.",
               en="Anyone registered as living in a residents' zone inside the blue zone, with a vehicle in "
                  "their own name (for a lease car: proof from the employer that you are the main driver). "
                  "The card is valid only for the number plate printed on it.")),
            (T("Kreeg ik een retributie terwijl ik een geldige vergunning had?",
               fr="J'ai reçu une redevance alors que j'avais une autorisation valable ?",
               en="I got a fee although I held a valid permit?"),
             T("Dan wordt ze automatisch geannuleerd zodra de vergunning voor die plaats en dat tijdstip "
               "gekend is. Ziet u ze toch nog openstaan, dien dan bezwaar in.",
               fr="Elle est alors annulée automatiquement dès que l'autorisation pour ce lieu et ce moment "
                  "est connue. Si elle reste ouverte, introduisez une contestation.",
               en="Then it is cancelled automatically as soon as the permit for that place and time is "
                  "known. If it still shows as open, file an objection.")),
        ),
        contact(
            T("OPC Genk, parkeren", fr="OPC Genk, stationnement", en="OPC Genk, parking"),
            phone="089 30 50 60",
            email="genk@parkeren.example",
            hours=T("maandag tot vrijdag, 9 tot 17 uur", fr="du lundi au vendredi, de 9 à 17 heures",
                    en="Monday to Friday, 9 am to 5 pm"),
        ),
        OVERVIEW_LINK,
    ),
)

GENK_GAS = PageContent(
    languages=("fr", "en"),
    slug=T("gas-boetes", fr="amendes-sac", en="gas-fines"),
    title=T("GAS-boetes voor parkeren en snelheid", fr="Amendes SAC pour stationnement et vitesse",
            en="GAS fines for parking and speeding"),
    intro=(
        T("Sinds 1 oktober 2021 bestraft Genk fout parkeren met een GAS-boete, sinds 1 december 2021 ook "
          "beperkte snelheidsovertredingen.",
          fr="Depuis le 1er octobre 2021, Genk sanctionne le stationnement fautif par une amende SAC, et "
             "depuis le 1er décembre 2021 aussi les petits excès de vitesse.",
          en="Since 1 October 2021 Genk has fined illegal parking with a GAS fine, and since 1 December 2021 "
             "minor speeding as well."),
    ),
    body=(
        GAS_SCOPE,
        GAS_AMOUNTS,
        callout(
            "info",
            T("De GAS-dienst van Genk behandelt als lokale verwerkingscel ook de GAS 5-boetes van onder meer "
              "Houthalen-Helchteren en Oudsbergen. Staat Genk op uw brief voor een overtreding in die "
              "gemeenten, dan klopt dat.",
              fr="En tant que cellule de traitement locale, le service SAC de Genk traite aussi les amendes "
                 "SAC 5 de Houthalen-Helchteren et d'Oudsbergen, entre autres. Si Genk figure sur votre "
                 "lettre pour une infraction dans ces communes, c'est normal.",
              en="As the local processing unit, Genk's GAS service also handles the GAS 5 fines of "
                 "Houthalen-Helchteren and Oudsbergen, among others. If your letter about an offence in "
                 "those municipalities comes from Genk, that is correct."),
        ),
        GAS_FAQ,
        contact(
            T("GAS-dienst stad Genk", fr="Service SAC de la ville de Genk", en="City of Genk GAS service"),
            phone="089 65 44 44",
            email="gas@genk.example",
            address="Stadsplein 1\n3600 Genk",
        ),
        GAS_LINK,
    ),
)

GENK_IOD = PageContent(
    languages=("fr", "en"),
    slug=T("inname-openbaar-domein", fr="occupation-du-domaine-public", en="occupying-the-public-road"),
    title=T("Inname van het openbaar "
            "domein", fr="Occupation du domaine public", en="Occupying the public road"),
    intro=(
        T("Een vergunning voor een verhuis, een levering of werken op straat: gratis, minstens 5 werkdagen "
          "vooraf aan te vragen.",
          fr="Une autorisation pour un déménagement, une livraison ou des travaux en voirie : gratuite, à "
             "demander au moins 5 jours ouvrables à l'avance.",
          en="A permit for a move, a delivery or works on the street: free, to be requested at least 5 "
             "working days ahead."),
    ),
    body=(
        rich(
            T("Gaat u verhuizen, laat u iets leveren of plaatst u een container of stelling op straat? Dan "
              "hebt u een vergunning nodig om het openbaar domein in te nemen.",
              fr="Vous déménagez, vous vous faites livrer ou vous placez un conteneur ou un échafaudage en "
                 "rue ? Il vous faut alors une autorisation d'occupation du domaine public.",
              en="Are you moving, having something delivered or putting a skip or scaffolding on the street? "
                 "Then you need a permit to occupy the public road."),
            T("Vraag de vergunning minstens 5 werkdagen vooraf aan. Bij een parkeerverbod plaatst en "
              "verwijdert de stad de borden. Aannemers bezorgen een signalisatieplan en plaatsen zelf de "
              "signalisatie.",
              fr="Demandez l'autorisation au moins 5 jours ouvrables à l'avance. Pour une interdiction de "
                 "stationnement, la ville place et enlève les panneaux. Les entrepreneurs fournissent un "
                 "plan de signalisation et placent eux-mêmes la signalisation.",
              en="Apply at least 5 working days ahead. For a parking ban, the city puts up and removes the "
                 "signs. Contractors submit a signage plan and put up the signs themselves."),
        ),
        tariff(
            T("Kosten van een vergunning in Genk", fr="Coût d'une autorisation à Genk",
              en="Cost of a permit in Genk"),
            (T("Vergunning inname openbaar domein", fr="Autorisation d'occupation du domaine public",
               en="Permit to occupy the public road"), "0", FREE),
        ),
        callout(
            "info",
            T("Staat uw verhuiswagen binnen de zone en de periode van uw eigen vergunning? Dan hoort u "
              "daarvoor geen parkeerretributie te krijgen. Kreeg u er toch een, dien dan bezwaar in via het "
              "e-loket.",
              fr="Votre camion de déménagement stationne dans la zone et pendant la période de votre propre "
                 "autorisation ? Vous ne devez alors pas recevoir de redevance de stationnement. Si vous en "
                 "avez reçu une, contestez-la via l'e-guichet.",
              en="Is your removal van parked inside the zone and period of your own permit? Then you should "
                 "not get a parking fee for it. If you did, file an objection through the e-counter."),
        ),
        faq(
            FAQ_HEADING,
            (T("Wat kost de "
               "vergunning?", fr="Combien coûte l'autorisation ?", en="What does the permit cost?"),
             T("Niets: in Genk is de vergunning voor de inname van het openbaar domein gratis.",
               fr="Rien : à Genk, l'autorisation d'occupation du domaine public est gratuite.",
               en="Nothing: in Genk the permit to occupy the public road is free.")),
            (T("Wie plaatst de borden?", fr="Qui place les panneaux ?", en="Who puts up the signs?"),
             T("Voor een parkeerverbod bij een verhuis of levering doet de stad dat. Bij werken plaatst de "
               "aannemer de signalisatie volgens het goedgekeurde signalisatieplan.",
               fr="Pour une interdiction de stationnement lors d'un déménagement ou d'une livraison, c'est "
                  "la ville. Pour des travaux, l'entrepreneur place la signalisation selon le plan de "
                  "signalisation approuvé.",
               en="For a parking ban for a move or delivery, the city does. For works, the contractor puts "
                  "up the signs according to the approved signage plan.")),
        ),
        eloket_link(T("Uw vergunningen bekijken", fr="Consulter vos autorisations", en="View your permits"),
                    "overview"),
    ),
)

GENK = PageContent(
    languages=("fr", "en"),
    slug="genk",
    title="Genk",
    intro=(
        T("Informatie van de stad Genk over parkeren, GAS-boetes en vergunningen voor het openbaar domein.",
          fr="Informations de la ville de Genk sur le stationnement, les amendes SAC et les autorisations "
             "pour le domaine public.",
          en="Information from the City of Genk on parking, GAS fines and permits for the public road."),
    ),
    body=(
        eloket_link(
            T("Naar uw dossiers in Genk", fr="Vers vos dossiers à Genk", en="Go to your cases in Genk"),
            "overview",
            T("Retributies van OPC, GAS-boetes en vergunningen van Genk staan samen in Mijn dossiers.",
              fr="Les redevances d'OPC, les amendes SAC et les autorisations de Genk sont réunies dans Mes "
                 "dossiers.",
              en="Parking fees from OPC, GAS fines and permits from Genk are together in My cases."),
        ),
        contact(
            T("Stad Genk, onthaal", fr="Ville de Genk, accueil", en="City of Genk, reception"),
            phone="089 65 44 44",
            email="info@genk.example",
            address="Stadsplein 1\n3600 Genk",
            hours=T("maandag tot vrijdag, 8.30 tot 12.30 uur", fr="du lundi au vendredi, de 8 h 30 à 12 h 30",
                    en="Monday to Friday, 8.30 am to 12.30 pm"),
        ),
    ),
    children=(GENK_PARKING, GENK_GAS, GENK_IOD),
)

# ---------------------------------------------------------------------------------------------------
# The other pilot cities (Dutch only)
# ---------------------------------------------------------------------------------------------------


def gas_page(*, city: str, email: str, since: str = "") -> PageContent:
    """A city's GAS page: the rules and amounts are national, only the city's own facts differ."""
    summary = f"Wat u moet weten over GAS 4 en GAS 5 in {city}: bedragen, termijnen en verweer."
    return PageContent(
        slug="gas-boetes",
        title="GAS-boetes",
        intro=(f"{since} {summary}" if since else summary,),
        body=(GAS_SCOPE, GAS_AMOUNTS, GAS_FAQ, contact(f"GAS-dienst {city}", email=email), GAS_LINK),
    )


VILVOORDE = PageContent(
    slug="vilvoorde",
    title="Vilvoorde",
    intro=("Informatie van de stad Vilvoorde over parkeren, bewonerskaarten en GAS-boetes.",),
    body=(OVERVIEW_LINK,),
    children=(
        PageContent(
            slug="parkeren",
            title="Parkeren en bewonerskaarten",
            intro=("Parkeren, retributies en bewonerskaarten in Vilvoorde, met de tarieven vanaf 2026.",),
            body=(
                rich(
                    "Het betalend parkeren in Vilvoorde, ook in de ondergrondse parking, wordt sinds oktober "
                    "2016 uitgebaat door een private concessiehouder. Die controleert, int de retributies en "
                    "behandelt uw bezwaar.",
                    "Vanaf 2026 stijgen alle parkeertarieven met 25 procent, ook die van de bewonerskaarten.",
                ),
                tariff(
                    "Bewonerskaarten in Vilvoorde vanaf 2026",
                    ("Eerste bewonerskaart", "25", "tot eind 2025: € 20"),
                    ("Tweede bewonerskaart", "125", "tot eind 2025: € 100"),
                ),
                RETRIBUTION_IS_NOT_A_FINE,
                faq(
                    "Veelgestelde vragen",
                    ("Wie behandelt mijn bezwaar tegen een parkeerretributie?",
                     "De concessiehouder die de retributie uitschreef. Dient u het bezwaar in bij het "
                     "dossier in het e-loket, dan komt het meteen bij de juiste dienst terecht."),
                ),
                eloket_link("Aanmelden bij het e-loket", "login"),
            ),
        ),
        gas_page(
            city="Vilvoorde",
            since="Sinds juni 2025 stelt een gemeenschapswacht-vaststeller foutparkeren vast met een "
                  "GAS-boete.",
            email="gas@vilvoorde.example",
        ),
    ),
)

ANTWERPEN = PageContent(
    slug="antwerpen",
    title="Antwerpen",
    intro=("Informatie van de stad Antwerpen over parkeerretributies en GAS-boetes.",),
    body=(OVERVIEW_LINK,),
    children=(
        PageContent(
            slug="parkeerretributie",
            title="Parkeerretributie",
            intro=("Scanwagens controleren het betalend parkeren; wie niet betaalt, krijgt een retributie "
                   "van € 44.",),
            body=(
                rich(
                    "In Antwerpen controleren scanwagens het betalend parkeren. Er komt geen papiertje op uw "
                    "voorruit: de retributie komt per post.",
                    "Een retributie kost € 44 (sinds 3 oktober 2022; daarvoor € 39) en vervalt na 5 uur. "
                    "Blijft u langer staan zonder te betalen, dan kunt u tot drie retributies per dag "
                    "krijgen. Betalend parkeren geldt van 9 tot 22 uur.",
                ),
                tariff(
                    "Parkeren en retributies in Antwerpen",
                    ("Parkeerretributie", "44", "geldt 5 uur"),
                    ("Maximum per dag (drie retributies)", "132", ""),
                    ("Parkeerticket historische binnenstad, maximaal 3 uur", "11.40", "langer mag niet"),
                ),
                callout("warning",
                        "Een nieuwe retributie na 5 uur is geen vergissing: de eerste is dan vervallen."),
                contact("Mobiliteit en Parkeren Antwerpen", email="parkeren@antwerpen.example"),
                OVERVIEW_LINK,
            ),
        ),
        gas_page(city="Antwerpen", email="gas@antwerpen.example"),
    ),
)

HASSELT = PageContent(
    slug="hasselt",
    title="Hasselt",
    intro=("Informatie van de stad Hasselt over parkeren en GAS-boetes.",),
    body=(OVERVIEW_LINK,),
    children=(
        PageContent(
            slug="blauwe-zone",
            title="Parkeren in de blauwe zone",
            intro=("Met de parkeerschijf, op werkdagen, meestal maximaal 2 uur.",),
            body=(
                rich(
                    "In een blauwe zone legt u de parkeerschijf achter de voorruit, met de pijl op het "
                    "streepje na uw aankomstuur. Tenzij de borden iets anders zeggen, geldt dat van maandag "
                    "tot zaterdag van 9 tot 18 uur, voor maximaal 2 uur.",
                    "Geen of een verkeerd ingestelde schijf, of langer blijven staan, kost u de retributie "
                    "of belasting die het reglement van de stad vastlegt.",
                ),
                callout("info", "Zet de schijf niet opnieuw zonder weg te rijden: dat is niet toegelaten."),
                faq(
                    "Veelgestelde vragen",
                    ("Welke parkeerschijf moet ik "
                     "gebruiken?", "Het Europese model met een blauwe achtergrond."),
                ),
                eloket_link("Aanmelden bij het e-loket", "login"),
            ),
        ),
        gas_page(city="Hasselt", email="gas@hasselt.example"),
    ),
)

MECHELEN = PageContent(
    slug="mechelen",
    title="Mechelen",
    intro=("Informatie van de stad Mechelen over parkeren en GAS-boetes.",),
    body=(OVERVIEW_LINK,),
    children=(
        gas_page(city="Mechelen", since="Mechelen bestraft fout parkeren al sinds 2014 met GAS-boetes.",
                 email="gas@mechelen.example"),
        PageContent(
            slug="inname-openbaar-domein",
            title="Inname van het openbaar domein",
            intro=("Een vergunning voor een verhuis, een container of werken op straat.",),
            body=(
                rich(
                    "Voor een verhuis, een container of werken op straat vraagt u tijdig een vergunning aan. "
                    "De vergunning bepaalt de plaats, de periode en de voertuigen die er mogen staan.",
                ),
                callout(
                    "info",
                    "Staat een voertuig binnen de zone en de periode van uw vergunning, dan hoort het geen "
                    "parkeerretributie te krijgen.",
                ),
                eloket_link("Uw vergunningen bekijken", "overview"),
            ),
        ),
    ),
)

# fmt: on

CITIES = {
    "genk": GENK,
    "vilvoorde": VILVOORDE,
    "antwerpen": ANTWERPEN,
    "hasselt": HASSELT,
    "mechelen": MECHELEN,
}
