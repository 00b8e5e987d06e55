"""Demo data of the town module: districts, Impressum and Datenschutz.

The operator is the WGS mbH, which runs the district management of both demo
towns (see /work/shared/seed/). Addresses and register numbers are visibly
made up: this is demo text, not the company's legal notice.
"""
from __future__ import annotations

from sqlalchemy import select

from blueprints.town.models import LEGAL_PAGES, District, Page
from tenants.db import db

IMPRESSUM = """\
Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG)

Diese Seiten des Quartiersmanagements {town} betreibt im Auftrag der Stadt {town} die WGS mbH, \
Musterstraße 1, 09000 Musterstadt (Demo-Anschrift).

Die WGS mbH führt das Quartiersmanagement für {districts} der Stadt {town}: sie vernetzt \
Gewerbetreibende, Eigentümer, Vereine und Anwohner, vermittelt leerstehende Ladengeschäfte zur \
Zwischennutzung und informiert Interessenten über den Standort.

Vertreten durch die Geschäftsführung: Max Mustermann (Demo-Angabe). Registergericht: Amtsgericht \
Musterstadt, HRB 00000 (Demo-Angabe). Umsatzsteuer-Identifikationsnummer: DE000000000 (Demo-Angabe).

Kontakt: Telefon 0000 000000, E-Mail quartier@demo.quartier.example

Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV: Katrin Lehmann, Quartiersmanagement {town}, \
Anschrift wie oben.

Für Inhalte verlinkter fremder Seiten sind allein deren Betreiber verantwortlich. Werden uns \
Rechtsverletzungen bekannt, entfernen wir die betreffenden Inhalte umgehend.

Dies ist ein Demo-Text der Software Quartier."""

DATENSCHUTZ = """\
Verantwortlich für die Verarbeitung personenbezogener Daten auf diesen Seiten ist die WGS mbH, \
die das Quartiersmanagement {town} im Auftrag der Stadt {town} führt (Anschrift im Impressum). \
Fragen zum Datenschutz richten Sie an datenschutz@demo.quartier.example.

Beim Lesen dieser Seiten verarbeitet der Server technisch notwendige Daten (IP-Adresse, Zeitpunkt, \
aufgerufene Seite), um die Seiten auszuliefern und vor Missbrauch zu schützen. Rechtsgrundlage ist \
Art. 6 Abs. 1 lit. f DSGVO; die Protokolle werden nach sieben Tagen gelöscht.

Wenn Sie ein Konto anlegen, sich um eine Zwischennutzung bewerben oder sich zu einer Veranstaltung \
anmelden, verarbeiten wir Ihre Angaben, um Ihr Anliegen zu bearbeiten (Art. 6 Abs. 1 lit. b DSGVO). \
Bewerbungen sehen nur das Quartiersmanagement und die kommunalen Partner der Stadt {town}.

Den Newsletter erhalten Sie nur mit Ihrer bestätigten Einwilligung (Art. 6 Abs. 1 lit. a DSGVO); \
jede Ausgabe enthält einen Link zum Abmelden.

Wir setzen nur technisch notwendige Cookies für die Anmeldung und die Sprachwahl, keine Analyse- \
oder Werbecookies.

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, \
Datenübertragbarkeit und Widerspruch (Art. 15 bis 21 DSGVO) sowie das Recht, sich bei einer \
Aufsichtsbehörde zu beschweren, in Sachsen bei der Sächsischen Datenschutz- und \
Transparenzbeauftragten.

Dies ist ein Demo-Text der Software Quartier."""

PAGE_BODIES = {"impressum": IMPRESSUM, "datenschutz": DATENSCHUTZ}


def load(town, people: dict[str, int]) -> None:
    """Add the town's districts and legal pages where they are missing."""
    known = set(db.session.scalars(select(District.name)))
    for name, description in town.districts:
        if name not in known:
            db.session.add(District(name=name, description=description))
    existing_pages = set(db.session.scalars(select(Page.key)))
    for key, title in LEGAL_PAGES.items():
        if key not in existing_pages:
            db.session.add(Page(key=key, title=str(title), updated_by_id=people["manager"],
                                body=PAGE_BODIES[key].format(town=town.name,
                                                             districts=district_list(town))))


def district_list(town) -> str:
    names = [name for name, _ in town.districts]
    if len(names) == 1:
        return f"den Stadtteil {names[0]}"
    return "die Stadtteile " + ", ".join(names[:-1]) + " und " + names[-1]
