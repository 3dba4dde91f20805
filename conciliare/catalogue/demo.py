"""Demo data of the catalogue: the demo's suppliers, approved and selling, with their offers and schedules.

Every organization the accounts demo makes a supplier (`accounts/demo.py`: the 40 `_SUPPLIER_ROWS`, four
cooperatives, the Patronato and the Caseificio that is also a member company) gets here its supplier row,
a signed charter, a DURC and 2-4 published offers written as the business itself would write them.

The territory is covered on purpose unevenly: no childcare offer (nursery, micro-nursery, family nursery,
early-childhood centre) serves the high villages in NO_CHILDCARE, so the gap analysis and the "nothing near
you" pages have something true to show. The seeder checks it before writing.

Dates: sessions are in 2027 (CRE weeks in June-August, courses and gym slots from January); submissions,
decisions and DURC expiry hang on the day of the seed, so that a demo seeded any day sells straight away.
One supplier (DURC_EXPIRING_SUPPLIER) has a DURC that expires within a month, for the warning.
"""

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from schwifty import IBAN

from conciliare.accounts.demo import (
    ALLIANCE_MEMBERS,
    COMPANIES,
    DEMO_NURSERY,
    LOCAL_SURNAMES,
    SUPPLIERS,
    demo_login,
)
from conciliare.accounts.models import Membership, MembershipRole, Organization, OrganizationRole, User
from conciliare.suppliers.eligibility import charter_current
from conciliare.suppliers.models import (
    CharterSignature,
    CharterVersion,
    ReviewDecision,
    ServiceAreaMode,
    Supplier,
    SupplierReviewEvent,
    SupplierStatus,
)
from conciliare.territory.distance import municipality_distance_km
from conciliare.territory.models import Municipality

from .categories import CATEGORY_INFO, CHILDCARE, Category
from .models import CancellationPolicy, Offer, OfferKind, OfferSession, OfferStatus, Unit
from .services import _search_text

RANDOM_SEED = 2027
ZONE = ZoneInfo("Europe/Rome")

# High villages no childcare offer serves: the demo's deliberate gaps.
NO_CHILDCARE: tuple[str, ...] = ("Bossico", "Fonteno", "Parzanica", "Solto Collina", "Vigolo")
DURC_EXPIRING_SUPPLIER = "Lavanderia Ecologica del Lago"
DURC_EXPIRING_IN_DAYS = 18

# The `kind` of the accounts demo and the categories it stands for (each supplier offers at least one).
KIND_CATEGORIES: dict[str, tuple[str, ...]] = {
    "nursery": (Category.NURSERY, Category.EARLY_CHILDHOOD_CENTRE),
    "micro_nursery": (Category.MICRO_NURSERY,),
    "family_nursery": (Category.FAMILY_NURSERY,),
    "preschool": (Category.PRE_SCHOOL, Category.SCHOOL_CANTEEN),
    "summer_camp": (Category.SUMMER_CAMP, Category.BABY_SUMMER_CAMP),
    "after_school": (Category.AFTER_SCHOOL, Category.YOUTH_CENTRE),
    "home_care": (Category.HOME_CARE,),
    "day_centre": (Category.DAY_CENTRE_ELDERLY, Category.DAY_CENTRE_DISABLED, Category.DAY_CENTRE_MINORS),
    "babysitting": (Category.BABYSITTER,),
    "carers": (Category.CARER,),
    "transport": (Category.TRANSPORT_FRAIL,),
    "concierge": (Category.CONCIERGE,),
    "grocery": (Category.GROCERY_DELIVERY,),
    "gym": (Category.GYM_WELLBEING,),
    "food": (Category.LOCAL_FOOD,),
    "crafts": (Category.CRAFT_PRODUCTS,),
    "training": (Category.COURSES,),
}
# How far each kind usually goes from its seat, unless the supplier lists its municipalities.
KIND_RADIUS_KM: dict[str, int] = {
    "nursery": 8,
    "micro_nursery": 6,
    "family_nursery": 4,
    "preschool": 6,
    "summer_camp": 10,
    "after_school": 8,
    "home_care": 12,
    "day_centre": 12,
    "babysitting": 10,
    "carers": 15,
    "transport": 15,
    "concierge": 10,
    "grocery": 12,
    "gym": 10,
    "food": 15,
    "crafts": 15,
    "training": 15,
}
HOME_SERVICE_KINDS = frozenset({"home_care", "babysitting", "carers", "grocery", "transport"})

EXEMPT, VAT_4, VAT_5, VAT_10, VAT_22 = "0.00", "4.00", "5.00", "10.00", "22.00"
C, U = Category, Unit
FLEXIBLE, MODERATE, STRICT = CancellationPolicy.FLEXIBLE, CancellationPolicy.MODERATE, CancellationPolicy.STRICT

MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
CONTACT_FIRST_NAMES = (
    "Chiara",
    "Francesca",
    "Laura",
    "Silvia",
    "Marta",
    "Sara",
    "Giovanna",
    "Paola",
    "Elisa",
    "Monica",
    "Marco",
    "Andrea",
    "Luca",
    "Davide",
    "Matteo",
    "Giorgio",
    "Simone",
    "Alberto",
    "Fabio",
    "Roberto",
)
# ABI codes of banks with branches in the valleys; branch and account numbers are made up.
BANK_CODES = ("03069", "05034", "08940", "08869", "02008", "05696", "03111")


def euro(amount: str) -> int:
    """'4.80' -> 480 cents."""
    return int(Decimal(amount) * 100)


def years(youngest: int, oldest: int) -> tuple[int, int]:
    """An age range in months, from `youngest` years to the last month of `oldest` years."""
    return youngest * 12, oldest * 12 + 11


# --- Sessions ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSpec:
    label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    seats: int


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def _day(day: datetime.date, *, weekday: bool = False, year: bool = False) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    if weekday:
        text = f"{WEEKDAYS[day.weekday()]} {text}"
    return f"{text} {day.year}" if year else text


def camp_weeks(
    first_monday: datetime.date, count: int, seats: int, start: str = "08:00", end: str = "17:00"
) -> tuple[SessionSpec, ...]:
    """Monday to Friday weeks of a summer camp."""
    assert first_monday.weekday() == 0, first_monday
    weeks = []
    for number in range(count):
        monday = first_monday + datetime.timedelta(weeks=number)
        friday = monday + datetime.timedelta(days=4)
        label = f"Settimana {number + 1}: dal {_day(monday)} al {_day(friday, year=True)}"
        weeks.append(SessionSpec(label, _at(monday, start), _at(friday, end), seats))
    return tuple(weeks)


def weekly(first: datetime.date, count: int, seats: int, start: str, end: str) -> tuple[SessionSpec, ...]:
    """The same slot every week: lessons booked one by one."""
    lessons = []
    for number in range(count):
        day = first + datetime.timedelta(weeks=number)
        label = f"Lezione {number + 1} di {count}: {_day(day, weekday=True, year=True)}"
        lessons.append(SessionSpec(label, _at(day, start), _at(day, end), seats))
    return tuple(lessons)


def edition(label: str, first: datetime.date, last: datetime.date, start: str, end: str, seats: int) -> SessionSpec:
    """A whole course booked at once: from its first lesson to the end of its last."""
    return SessionSpec(label, _at(first, start), _at(last, end), seats)


def single(day: datetime.date, start: str, end: str, seats: int, where: str = "") -> SessionSpec:
    label = _day(day, weekday=True, year=True).capitalize() + (f", {where}" if where else "")
    return SessionSpec(label, _at(day, start), _at(day, end), seats)


def spa_slots(first_saturday: datetime.date, weekends: int, seats: int) -> tuple[SessionSpec, ...]:
    """Morning and afternoon turns on Saturdays and Sundays."""
    assert first_saturday.weekday() == 5, first_saturday
    slots = []
    for week in range(weekends):
        for offset in (0, 1):
            day = first_saturday + datetime.timedelta(weeks=week, days=offset)
            for start, end, turn in (("10:00", "12:30", "mattina"), ("15:00", "17:30", "pomeriggio")):
                label = f"{_day(day, weekday=True, year=True).capitalize()}, {turn} ({start}-{end})"
                slots.append(SessionSpec(label, _at(day, start), _at(day, end), seats))
    return tuple(slots)


D = datetime.date


# --- What each supplier offers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferSpec:
    category: str
    title: str
    description: str
    price: int  # cents, VAT included
    vat: str  # one of models.VAT_RATES
    unit: str
    cancellation: str = FLEXIBLE
    kind: str = ""  # "" -> a product for product categories, a service otherwise
    origin: str = ""
    ages: tuple[int, int] | None = None  # months; None -> the category's usual range
    capacity: int | None = None
    home_service: bool | None = None  # None -> as the supplier
    sessions: tuple[SessionSpec, ...] = ()
    only: tuple[str, ...] = ()  # municipality names, when the offer serves part of the supplier's area


@dataclass(frozen=True)
class SupplierSpec:
    name: str  # the organization's name in the accounts demo
    description: str
    offers: tuple[OfferSpec, ...]
    radius_km: int | None = None  # None -> the kind's usual radius, unless `listed`
    listed: tuple[str, ...] = ()  # served municipalities (the seat is added), instead of a radius
    home_service: bool | None = None  # None -> by kind

    @property
    def categories(self) -> list[str]:
        return sorted({offer.category for offer in self.offers})


ALTO_SEBINO_EAST = (
    "Costa Volpino",
    "Rogno",
    "Lovere",
    "Castro",
    "Pianico",
    "Pisogne",
    "Darfo Boario Terme",
    "Artogne",
    "Pian Camuno",
)
VAL_CAVALLINA_AND_SEBINO = (
    "Bergamo",
    "Adrara San Martino",
    "Adrara San Rocco",
    "Berzo San Fermo",
    "Bianzano",
    "Borgo di Terzo",
    "Bossico",
    "Carobbio degli Angeli",
    "Casazza",
    "Castro",
    "Cenate Sopra",
    "Cenate Sotto",
    "Costa Volpino",
    "Credaro",
    "Endine Gaiano",
    "Entratico",
    "Fonteno",
    "Foresto Sparso",
    "Gandosso",
    "Gaverina Terme",
    "Gorlago",
    "Grone",
    "Lovere",
    "Luzzana",
    "Monasterolo del Castello",
    "Parzanica",
    "Pianico",
    "Predore",
    "Ranzanico",
    "Riva di Solto",
    "Rogno",
    "San Paolo d'Argon",
    "Sarnico",
    "Solto Collina",
    "Sovere",
    "Spinone al Lago",
    "Tavernola Bergamasca",
    "Trescore Balneario",
    "Viadanica",
    "Vigano San Martino",
    "Vigolo",
    "Villongo",
    "Zandobbio",
)

_CHILDREN: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        DEMO_NURSERY,
        "Asilo nido privato autorizzato, a due passi dal centro di Trescore Balneario: 40 posti in tre sezioni "
        "per età, cucina interna e un grande giardino attrezzato.",
        radius_km=10,
        offers=(
            OfferSpec(
                C.NURSERY,
                "Nido a tempo pieno (7:30-16:30)",
                "Frequenza dal lunedì al venerdì, dalle 7:30 alle 16:30, per bambini dai 3 ai 36 mesi. La retta "
                "comprende pranzo e merende preparati nella nostra cucina con prodotti di aziende agricole della "
                "Val Cavallina, pannolini e materiale didattico. L'inserimento dura due settimane ed è concordato "
                "con ogni famiglia; le educatrici sono laureate in Scienze dell'educazione. Chiusura ad agosto e "
                "nelle vacanze di Natale.",
                euro("620"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(3, 36),
                capacity=40,
            ),
            OfferSpec(
                C.NURSERY,
                "Nido part-time mattina (7:30-13:00)",
                "Per chi lavora al mattino: ingresso dalle 7:30 alle 9:00, uscita dopo il pranzo entro le 13:00. "
                "Stesse educatrici e stesse attività del tempo pieno (musica, manipolazione, uscite in giardino), "
                "pranzo compreso.",
                euro("430"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(3, 36),
                capacity=12,
            ),
            OfferSpec(
                C.NURSERY,
                "Nido d'estate: una settimana a luglio",
                "Per le famiglie che lavorano anche d'estate: il nido resta aperto le settimane di luglio, dal "
                "lunedì al venerdì dalle 7:30 alle 16:30, con giochi d'acqua in giardino e pranzo dalla nostra "
                "cucina. Si prenota settimana per settimana; per i bambini dai 12 ai 36 mesi, anche non iscritti "
                "durante l'anno (un colloquio con l'educatrice il primo giorno).",
                euro("165"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                ages=(12, 36),
                sessions=camp_weeks(D(2027, 7, 5), 4, seats=12, start="07:30", end="16:30"),
            ),
            OfferSpec(
                C.EARLY_CHILDHOOD_CENTRE,
                "Spazio gioco Girotondo: due mattine a settimana",
                "Per i bambini dai 18 ai 36 mesi che non frequentano il nido: il martedì e il giovedì dalle 9:00 "
                "alle 12:00 giochi, letture e laboratori in piccolo gruppo con un'educatrice. Un primo distacco "
                "graduale dalla famiglia, utile anche in vista della scuola dell'infanzia.",
                euro("140"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=(18, 36),
                capacity=10,
            ),
        ),
    ),
    SupplierSpec(
        "Asilo Nido Primi Passi",
        "Asilo nido sul lungolago di Sarnico: 30 bambini, educatrici stabili da anni e un progetto educativo "
        "con molto tempo all'aperto.",
        radius_km=6,
        offers=(
            OfferSpec(
                C.NURSERY,
                "Nido tempo pieno con pranzo",
                "Dal lunedì al venerdì dalle 7:45 alle 16:00, per bambini dai 6 ai 36 mesi. Pranzo e merenda "
                "preparati dalla cuoca del nido secondo il menù approvato dall'ATS di Bergamo, pannolini compresi. "
                "Colloqui individuali con le famiglie due volte l'anno.",
                euro("590"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(6, 36),
                capacity=30,
            ),
            OfferSpec(
                C.NURSERY,
                "Tempo corto: uscita alle 13:30",
                "Ingresso dalle 7:45 alle 9:15 e uscita dopo il pranzo, entro le 13:30. Adatto ai genitori con "
                "un part-time al mattino; si può passare al tempo pieno durante l'anno se ci sono posti.",
                euro("415"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(6, 36),
                capacity=10,
            ),
            OfferSpec(
                C.NURSERY,
                "Prolungamento orario fino alle 18:00",
                "Per chi finisce tardi: il nido resta aperto fino alle 18:00 con un'educatrice dedicata e una "
                "merenda in più. Si aggiunge alla retta del tempo pieno; parte con almeno quattro bambini iscritti.",
                euro("65"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=(6, 36),
                capacity=8,
            ),
        ),
    ),
    SupplierSpec(
        "Asilo Nido L'Aquilone",
        "Asilo nido nel centro storico di Lovere, 36 posti con sezione lattanti dai 3 mesi: accoglie le famiglie "
        "di Lovere e dei paesi vicini lungo la costa del lago.",
        listed=("Castro", "Pianico", "Sovere", "Costa Volpino", "Rogno", "Pisogne"),
        offers=(
            OfferSpec(
                C.NURSERY,
                "Nido a tempo pieno, sezione lattanti e divezzi",
                "Dal lunedì al venerdì dalle 7:30 alle 16:30. Sezione lattanti (3-12 mesi) con spazi per il sonno "
                "separati e sezione divezzi (12-36 mesi). Pasti preparati in sede, pannolini e corredo per la nanna "
                "compresi. Aperto anche a luglio.",
                euro("560"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(3, 36),
                capacity=36,
            ),
            OfferSpec(
                C.NURSERY,
                "Nido part-time pomeridiano (12:30-18:00)",
                "Pensato per chi lavora su turni pomeridiani o nel commercio: ingresso dopo pranzo, nanna, merenda "
                "e gioco fino alle 18:00.",
                euro("390"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(12, 36),
                capacity=8,
            ),
            OfferSpec(
                C.NURSERY,
                "Frequenza a giornata per genitori turnisti",
                "Giornate singole prenotabili con una settimana di anticipo, fino a otto al mese, per i genitori "
                "con turni variabili. Solo per bambini che hanno già fatto l'inserimento; pranzo compreso.",
                euro("38"),
                EXEMPT,
                U.DAY,
                ages=(12, 36),
                capacity=4,
            ),
        ),
    ),
    SupplierSpec(
        "Micronido Le Coccinelle",
        "Micronido in una villetta con giardino a Casazza: al massimo 10 bambini, due educatrici, un ambiente "
        "raccolto e familiare.",
        radius_km=8,
        offers=(
            OfferSpec(
                C.MICRO_NURSERY,
                "Micronido tempo pieno (7:30-16:00)",
                "Un piccolo gruppo di dieci bambini dai 12 ai 36 mesi con due educatrici di riferimento. Pranzo con "
                "menù stagionale, riposo pomeridiano, giardino tutti i giorni con qualsiasi tempo: stivaletti e "
                "tute antipioggia li forniamo noi.",
                euro("540"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(12, 36),
                capacity=10,
            ),
            OfferSpec(
                C.MICRO_NURSERY,
                "Micronido mezza giornata (7:30-12:30)",
                "La mattina al micronido, pranzo compreso. Adatto ai genitori con un part-time al mattino; "
                "possibilità di passare al tempo pieno durante l'anno se ci sono posti.",
                euro("375"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(12, 36),
                capacity=4,
            ),
        ),
    ),
    SupplierSpec(
        "Micronido Il Bruco Verde",
        "Micronido con orto e pollaio didattico a Villongo: educazione all'aperto, pasti biologici e orari pensati "
        "per chi lavora nelle aziende della zona.",
        radius_km=6,
        offers=(
            OfferSpec(
                C.MICRO_NURSERY,
                "Micronido tempo pieno con orto didattico",
                "Dal lunedì al venerdì, dalle 7:00 alle 16:30: apriamo presto per i genitori che entrano in "
                "fabbrica alle 8. I bambini curano l'orto e le galline con le educatrici; pranzo con verdure "
                "biologiche.",
                euro("520"),
                EXEMPT,
                U.MONTH,
                STRICT,
                ages=(12, 36),
                capacity=10,
            ),
            OfferSpec(
                C.MICRO_NURSERY,
                "Giornata singola al micronido",
                "Per un giorno di emergenza o un turno straordinario, solo per bambini già inseriti. Pranzo e "
                "merenda compresi; prenotazione entro le 12 del giorno prima.",
                euro("36"),
                EXEMPT,
                U.DAY,
                ages=(12, 36),
                capacity=2,
            ),
        ),
    ),
    SupplierSpec(
        "Nido Famiglia La Casa sul Lago",
        "Nido famiglia nella casa di un'educatrice con vista sul lago, a Predore: cinque bambini al massimo, "
        "ritmi lenti e un rapporto stretto con ogni famiglia.",
        listed=("Sarnico", "Tavernola Bergamasca", "Viadanica"),
        offers=(
            OfferSpec(
                C.FAMILY_NURSERY,
                "Nido famiglia: frequenza mensile",
                "Al massimo cinque bambini dai 6 ai 36 mesi, seguiti da un'educatrice laureata e da un'assistente. "
                "Dal lunedì al venerdì dalle 8:00 alle 16:00; pranzo cucinato in casa, nanna nella cameretta, "
                "passeggiate sul lungolago.",
                euro("480"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=(6, 36),
                capacity=5,
            ),
            OfferSpec(
                C.FAMILY_NURSERY,
                "Mattina al nido famiglia",
                "Mattine singole dalle 8:00 alle 12:30, merenda compresa, per chi ha bisogno del nido solo qualche "
                "giorno. Si prenotano di settimana in settimana, in base ai posti liberi.",
                euro("26"),
                EXEMPT,
                U.DAY,
                ages=(6, 36),
                capacity=2,
            ),
        ),
    ),
    SupplierSpec(
        "Nido Famiglia Il Melograno",
        "Nido famiglia a Gorlago gestito da due educatrici, in un appartamento al piano terra con cortile: piccolo "
        "gruppo, orari flessibili, molta attenzione all'inserimento.",
        radius_km=5,
        offers=(
            OfferSpec(
                C.FAMILY_NURSERY,
                "Nido famiglia tempo pieno",
                "Fino a cinque bambini dai 9 ai 36 mesi, dalle 7:45 alle 16:15. Pranzo preparato ogni giorno con "
                "prodotti freschi; travasi, pittura, letture e cortile. Inserimento di dieci giorni, con il "
                "genitore presente nei primi tre.",
                euro("460"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=(9, 36),
                capacity=5,
            ),
            OfferSpec(
                C.FAMILY_NURSERY,
                "Nido famiglia a ore",
                "Ore singole tra le 7:45 e le 18:00, minimo tre ore di fila, per bambini che le educatrici "
                "conoscono già. Comodo per visite mediche, colloqui di lavoro o turni fuori orario.",
                euro("7.50"),
                EXEMPT,
                U.HOUR,
                ages=(9, 36),
                capacity=2,
            ),
        ),
    ),
    SupplierSpec(
        "Scuola dell'Infanzia Il Girasole",
        "Scuola dell'infanzia paritaria di Costa Volpino: quattro sezioni miste, mensa interna e un centro estivo "
        "a luglio aperto anche ai bambini di altre scuole.",
        offers=(
            OfferSpec(
                C.PRE_SCHOOL,
                "Retta della scuola dell'infanzia paritaria",
                "Dal lunedì al venerdì dalle 8:00 alle 16:00, con ingresso anticipato dalle 7:30 senza costi in più. "
                "Sezioni miste di 3, 4 e 5 anni; laboratori di inglese e psicomotricità compresi. Il pranzo si paga "
                "a parte con i buoni pasto.",
                euro("160"),
                EXEMPT,
                U.MONTH,
                STRICT,
                capacity=100,
            ),
            OfferSpec(
                C.SCHOOL_CANTEEN,
                "Buono pasto della mensa scolastica",
                "Pranzo preparato nella cucina della scuola: primo, secondo, contorno, pane e frutta, secondo il "
                "menù a rotazione di quattro settimane approvato dall'ATS. Diete per allergie e per motivi "
                "religiosi su richiesta.",
                euro("4.80"),
                VAT_4,
                U.PIECE,
                ages=years(3, 5),
            ),
            OfferSpec(
                C.BABY_SUMMER_CAMP,
                "Estate al Girasole: centro estivo 3-6 anni",
                "Quattro settimane a luglio, dalle 8:00 alle 16:00, per i bambini della nostra scuola e di altre "
                "scuole: giochi d'acqua in giardino, laboratori e una gita al lago ogni settimana. Pranzo compreso.",
                euro("85"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                capacity=25,
                sessions=camp_weeks(D(2027, 7, 5), 4, seats=25, end="16:00"),
            ),
        ),
    ),
    SupplierSpec(
        "Scuola dell'Infanzia Arcobaleno",
        "Scuola dell'infanzia paritaria parrocchiale di San Paolo d'Argon: tre sezioni, giardino con orto e un "
        "servizio di posticipo per chi esce tardi dal lavoro.",
        offers=(
            OfferSpec(
                C.PRE_SCHOOL,
                "Retta mensile della scuola dell'infanzia",
                "Dalle 8:45 alle 15:45, da settembre a giugno. Progetti annuali di musica, inglese ed educazione "
                "stradale; colloqui con le insegnanti due volte l'anno e una festa di fine anno con le famiglie.",
                euro("150"),
                EXEMPT,
                U.MONTH,
                STRICT,
                capacity=75,
            ),
            OfferSpec(
                C.PRE_SCHOOL,
                "Anticipo dalle 7:30 e posticipo fino alle 18:00",
                "Accoglienza dalle 7:30 e uscita fino alle 18:00 con merenda, per i genitori che lavorano a tempo "
                "pieno. Si aggiunge alla retta mensile.",
                euro("45"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                capacity=20,
            ),
            OfferSpec(
                C.SCHOOL_CANTEEN,
                "Mensa: abbonamento mensile",
                "Il pranzo di tutti i giorni di scuola, cucinato dal centro cottura di una cooperativa della zona e "
                "consegnato in contenitori termici. Menù invernale ed estivo, diete speciali su certificato medico.",
                euro("88"),
                VAT_4,
                U.MONTH,
                ages=years(3, 5),
            ),
        ),
    ),
    SupplierSpec(
        "CRE Estate Insieme",
        "Associazione di genitori ed educatori che dal 2012 organizza il centro ricreativo estivo della bassa Val "
        "Cavallina all'oratorio di Entratico.",
        radius_km=10,
        offers=(
            OfferSpec(
                C.SUMMER_CAMP,
                "CRE 6-11 anni: una settimana",
                "Dal lunedì al venerdì dalle 8:00 alle 17:00 all'oratorio di Entratico: giochi a squadre, "
                "laboratori, piscina il martedì e una gita a settimana. Animatori maggiorenni coordinati da due "
                "educatori professionali. Il pranzo si aggiunge a parte.",
                euro("75"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                ages=years(6, 11),
                capacity=45,
                sessions=camp_weeks(D(2027, 6, 14), 8, seats=45),
            ),
            OfferSpec(
                C.SUMMER_CAMP,
                "CRE ragazzi 11-14 anni con gite",
                "Per i ragazzi delle medie: mattine di sport e laboratori, pomeriggi di gioco e due gite a settimana "
                "tra lago, montagna e parchi avventura. Il pullman per le gite è compreso.",
                euro("95"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                ages=years(11, 14),
                capacity=25,
                sessions=camp_weeks(D(2027, 6, 14), 6, seats=25),
            ),
            OfferSpec(
                C.SCHOOL_CANTEEN,
                "Pranzo al CRE",
                "Pranzo caldo consegnato ogni giorno da una mensa scolastica della zona: primo, secondo, verdura e "
                "frutta. Si prenota insieme alla settimana di CRE.",
                euro("6"),
                VAT_4,
                U.DAY,
                ages=years(6, 14),
            ),
        ),
    ),
    SupplierSpec(
        "Baby CRE Il Sole",
        "Centro estivo per i più piccoli nei locali della scuola dell'infanzia di Credaro, con educatrici che "
        "durante l'anno lavorano nei nidi e nelle scuole della zona.",
        radius_km=8,
        offers=(
            OfferSpec(
                C.BABY_SUMMER_CAMP,
                "Baby CRE 3-6 anni: settimana a tempo pieno",
                "Dalle 8:00 alle 16:00 con pranzo e riposo pomeridiano per chi ne ha bisogno. Giochi d'acqua, "
                "pittura, travasi e musica; gruppi di otto bambini per educatrice. Servono il costume e un cambio "
                "completo.",
                euro("90"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                capacity=20,
                sessions=camp_weeks(D(2027, 6, 28), 5, seats=20, end="16:00"),
            ),
            OfferSpec(
                C.BABY_SUMMER_CAMP,
                "Baby CRE mezza giornata (8:00-12:30)",
                "Le mattine del baby CRE, merenda compresa e senza pranzo: per i bambini che il pomeriggio stanno "
                "con i nonni.",
                euro("55"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                capacity=10,
                sessions=camp_weeks(D(2027, 6, 28), 5, seats=10, end="12:30"),
            ),
            OfferSpec(
                C.SUMMER_CAMP,
                "CRE 6-10 anni al Parco del Sole",
                "Per i fratelli più grandi: dalle 8:00 alle 17:00 nel parco comunale di Credaro, con giochi, "
                "tornei, laboratori di riciclo e un'uscita in piscina a settimana. Pranzo compreso.",
                euro("80"),
                EXEMPT,
                U.WEEK,
                MODERATE,
                ages=years(6, 10),
                capacity=30,
                sessions=camp_weeks(D(2027, 6, 14), 6, seats=30),
            ),
        ),
    ),
    SupplierSpec(
        "CRE Montagna Amica",
        "Centro estivo sull'altopiano di Bossico, a 900 metri tra prati e boschi, con una baita attrezzata. Lo "
        "gestisce una piccola cooperativa sociale di educatori e accompagnatori di media montagna.",
        radius_km=12,
        offers=(
            OfferSpec(
                C.SUMMER_CAMP,
                "Settimana verde a Bossico (6-13 anni)",
                "Dal lunedì al venerdì, 8:30-17:30, con navetta da Lovere e da Sovere alle 8:00 compresa nel "
                "prezzo. Escursioni, orienteering, costruzione di capanne, pranzo preparato dalla nostra cucina e "
                "merenda con i prodotti dell'alpeggio.",
                euro("110"),
                VAT_5,
                U.WEEK,
                MODERATE,
                ages=years(6, 13),
                capacity=30,
                sessions=camp_weeks(D(2027, 7, 5), 4, seats=30, start="08:30", end="17:30"),
            ),
            OfferSpec(
                C.SUMMER_CAMP,
                "Campo avventura con pernottamento (11-14 anni)",
                "Sette giorni in baita, con due notti in tenda: trekking, cucina da campo, stelle e tanta autonomia. "
                "Un educatore ogni sei ragazzi e accompagnatori di media montagna abilitati. Vitto, alloggio e "
                "attrezzatura di gruppo compresi; serve il sacco a pelo.",
                euro("290"),
                VAT_5,
                U.WEEK,
                STRICT,
                ages=years(11, 14),
                capacity=16,
                sessions=(
                    edition(
                        "Turno 1: da domenica 18 a sabato 24 luglio 2027",
                        D(2027, 7, 18),
                        D(2027, 7, 24),
                        "17:00",
                        "11:00",
                        16,
                    ),
                    edition(
                        "Turno 2: da domenica 1 a sabato 7 agosto 2027",
                        D(2027, 8, 1),
                        D(2027, 8, 7),
                        "17:00",
                        "11:00",
                        16,
                    ),
                ),
            ),
            OfferSpec(
                C.YOUTH_CENTRE,
                "Sabati in montagna per ragazzi (11-17 anni)",
                "Il centro di aggregazione all'aperto: un sabato al mese dalle 9:00 alle 17:00 tra sentieri, "
                "arrampicata su massi e giochi di gruppo, con la navetta da Lovere. Pranzo al sacco portato da casa.",
                euro("25"),
                VAT_5,
                U.SESSION,
                ages=years(11, 17),
                capacity=15,
                sessions=tuple(
                    single(day, "09:00", "17:00", 15)
                    for day in (D(2027, 9, 18), D(2027, 10, 16), D(2027, 11, 13), D(2027, 12, 11))
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Doposcuola Compiti Insieme",
        "Associazione di promozione sociale che gestisce il doposcuola in oratorio a Sovere, con educatori e "
        "insegnanti in pensione; seguiamo anche ragazzi con DSA con un metodo di studio su misura.",
        offers=(
            OfferSpec(
                C.AFTER_SCHOOL,
                "Doposcuola primaria: pranzo, compiti e gioco",
                "Dal lunedì al venerdì dalle 12:30 alle 17:30: ritiro a piedi dalla scuola primaria di Sovere, "
                "pranzo in mensa, compiti con un educatore ogni otto bambini, poi giochi in cortile. Si può "
                "scegliere anche solo il pomeriggio.",
                euro("130"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=years(6, 10),
                capacity=30,
            ),
            OfferSpec(
                C.AFTER_SCHOOL,
                "Studio assistito per la secondaria, anche con DSA",
                "Tre pomeriggi a settimana, dalle 14:30 alle 17:30: metodo di studio, mappe concettuali e strumenti "
                "compensativi per i ragazzi con DSA, in accordo con gli insegnanti. Gruppi di cinque ragazzi al "
                "massimo.",
                euro("165"),
                EXEMPT,
                U.MONTH,
                MODERATE,
                ages=years(11, 14),
                capacity=15,
            ),
            OfferSpec(
                C.YOUTH_CENTRE,
                "Spazio giovani del venerdì sera",
                "Il venerdì dalle 20:30 alle 23:00: musica, giochi da tavolo, cineforum e uscite organizzate dai "
                "ragazzi con due educatori. La quota mensile copre l'assicurazione e le attività.",
                euro("15"),
                EXEMPT,
                U.MONTH,
                ages=years(14, 17),
                capacity=25,
            ),
        ),
    ),
    SupplierSpec(
        "Centro Diurno Minori Il Faro",
        "Servizio educativo diurno per bambini e ragazzi di Foresto Sparso e dei paesi vicini, gestito da una "
        "cooperativa sociale: compiti, laboratori e sostegno alle famiglie, in rete con i servizi sociali.",
        radius_km=10,
        offers=(
            OfferSpec(
                C.DAY_CENTRE_MINORS,
                "Centro diurno educativo (6-14 anni)",
                "Dal lunedì al venerdì dalle 13:00 alle 18:00: pranzo, compiti, laboratori espressivi e sport. Un "
                "educatore di riferimento per ogni ragazzo e un colloquio al mese con la famiglia.",
                euro("210"),
                VAT_5,
                U.MONTH,
                MODERATE,
                ages=years(6, 14),
                capacity=20,
            ),
            OfferSpec(
                C.AFTER_SCHOOL,
                "Compiti e merenda: due pomeriggi a settimana",
                "Il martedì e il giovedì dalle 14:00 alle 17:00, per i bambini della primaria che hanno bisogno di "
                "una mano con i compiti. Merenda compresa.",
                euro("80"),
                VAT_5,
                U.MONTH,
                ages=years(6, 10),
                capacity=12,
            ),
            OfferSpec(
                C.YOUTH_CENTRE,
                "Centro di aggregazione giovanile Il Faro",
                "Aperto il mercoledì e il sabato pomeriggio: sala prove musicale, laboratorio video, tornei e "
                "progetti di volontariato con due educatori.",
                euro("20"),
                VAT_5,
                U.MONTH,
                ages=years(14, 17),
                capacity=30,
            ),
        ),
    ),
    SupplierSpec(
        "Tata Sebina Baby Sitting",
        "Agenzia di baby sitter dell'Alto Sebino: selezioniamo tate con esperienza e corso di primo soccorso "
        "pediatrico, e troviamo una sostituta se la vostra si ammala.",
        offers=(
            OfferSpec(
                C.BABYSITTER,
                "Baby sitter a domicilio",
                "Una tata di riferimento per la vostra famiglia, anche per poche ore a settimana: gioco, pappa, "
                "bagnetto, accompagnamento a scuola e alle attività. Colloquio conoscitivo gratuito; minimo due ore "
                "per uscita.",
                euro("12.50"),
                VAT_22,
                U.HOUR,
            ),
            OfferSpec(
                C.BABYSITTER,
                "Baby sitter serale e nel fine settimana",
                "Dopo le 20:00, il sabato e la domenica, per una cena fuori o un turno di lavoro. Prenotazione entro "
                "le 18:00 del giorno prima.",
                euro("15"),
                VAT_22,
                U.HOUR,
            ),
            OfferSpec(
                C.BABYSITTER,
                "Tata per i giorni di chiusura della scuola",
                "Una giornata intera, dalle 8:00 alle 17:00, a casa vostra nei ponti, negli scioperi e nelle "
                "vacanze scolastiche, con giochi, compiti e un'uscita al parco.",
                euro("85"),
                VAT_22,
                U.DAY,
                MODERATE,
                ages=years(3, 11),
            ),
        ),
    ),
    SupplierSpec(
        "Coccole a Domicilio Baby Sitter",
        "Rete di baby sitter e tate per neonati della Val Cavallina, con educatrici e puericultrici che lavorano "
        "anche nei nidi della zona.",
        offers=(
            OfferSpec(
                C.BABYSITTER,
                "Tata qualificata a ore",
                "Educatrici e studentesse di Scienze della formazione per il pomeriggio dopo la scuola, le sere e "
                "le emergenze. Vi presentiamo la tata prima del primo incontro; minimo due ore.",
                euro("11.50"),
                VAT_22,
                U.HOUR,
            ),
            OfferSpec(
                C.BABYSITTER,
                "Puericultrice per neonati (0-12 mesi)",
                "Aiuto nei primi mesi: allattamento e svezzamento, bagnetto, sonno, e qualche ora di riposo per la "
                "mamma. Puericultrici diplomate con esperienza in reparto di neonatologia.",
                euro("14"),
                VAT_22,
                U.HOUR,
                ages=(0, 12),
            ),
            OfferSpec(
                C.BABYSITTER,
                "Ritiro a scuola e accompagnamento alle attività",
                "La baby sitter prende i bambini all'uscita di scuola, li accompagna a casa, in piscina, a calcio o "
                "a musica e resta con loro fino al vostro rientro (un'ora compresa).",
                euro("10"),
                VAT_22,
                U.SESSION,
                ages=years(3, 13),
            ),
        ),
    ),
)

_CARE: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "Mani Amiche Assistenza Domiciliare",
        "Cooperativa sociale di tipo A con operatori ASA e OSS qualificati e un'infermiera coordinatrice: "
        "interventi a domicilio anche al sabato e alla domenica in tutta la bassa Val Cavallina.",
        offers=(
            OfferSpec(
                C.HOME_CARE,
                "Assistenza domiciliare ASA/OSS",
                "Igiene personale, alzata e messa a letto, aiuto nei pasti e negli spostamenti, sorveglianza. Un "
                "primo incontro gratuito a casa con la coordinatrice per definire il piano di assistenza; operatori "
                "fissi e sostituzioni garantite. Minimo un'ora per intervento.",
                euro("23.50"),
                VAT_5,
                U.HOUR,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Bagno assistito a domicilio",
                "Due operatori con sollevatore e materiale monouso, per persone allettate o con mobilità ridotta. "
                "Circa un'ora, con la cura della pelle e il cambio della biancheria del letto.",
                euro("38"),
                VAT_5,
                U.SESSION,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Prestazione infermieristica a domicilio",
                "Medicazioni, prelievi, iniezioni, gestione di catetere e PEG, eseguiti dall'infermiera della "
                "cooperativa su prescrizione del medico. Prestazione sanitaria esente IVA.",
                euro("35"),
                EXEMPT,
                U.SESSION,
            ),
        ),
    ),
    SupplierSpec(
        "Casa e Cura Servizi alla Persona",
        "Piccola cooperativa sociale dell'Alto Sebino: assistenza a domicilio, compagnia e sollievo per le "
        "famiglie che si prendono cura di un anziano.",
        radius_km=10,
        offers=(
            OfferSpec(
                C.HOME_CARE,
                "Assistenza domiciliare all'anziano",
                "Aiuto nell'igiene personale, nel vestirsi e nei pasti, piccoli lavori di casa e commissioni. "
                "Sempre la stessa operatrice, salvo ferie e malattia; orari concordati con la famiglia dalle 7:00 "
                "alle 20:00.",
                euro("22"),
                VAT_5,
                U.HOUR,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Compagnia e sollievo per chi assiste",
                "Un'operatrice resta con il vostro familiare mentre siete al lavoro o vi prendete qualche ora per "
                "voi: compagnia, passeggiata, merenda, promemoria per i farmaci. Minimo due ore.",
                euro("18"),
                VAT_5,
                U.HOUR,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Pasto caldo consegnato a casa",
                "Pranzo completo (primo, secondo, contorno, pane e frutta) cucinato in giornata e consegnato tra le "
                "11:30 e le 12:30, dal lunedì al sabato. Menù per diabetici e diete morbide su richiesta.",
                euro("8"),
                VAT_5,
                U.PIECE,
            ),
        ),
    ),
    SupplierSpec(
        "Assistenza Domiciliare Sebina",
        "Cooperativa sociale che da vent'anni assiste anziani e persone con disabilità nei paesi della sponda "
        "bergamasca del lago d'Iseo, con OSS, infermieri e fisioterapisti.",
        offers=(
            OfferSpec(
                C.HOME_CARE,
                "Operatore socio-sanitario a domicilio",
                "Cura della persona, mobilizzazione, prevenzione delle piaghe da decubito e aiuto alla famiglia "
                "nell'uso di ausili e carrozzine. Interventi dal lunedì alla domenica.",
                euro("24"),
                VAT_5,
                U.HOUR,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Fisioterapia e riabilitazione a domicilio",
                "Sedute di 45 minuti con un fisioterapista laureato: recupero dopo fratture o interventi, "
                "prevenzione delle cadute, esercizi da fare con chi assiste. Su prescrizione medica; prestazione "
                "sanitaria esente IVA.",
                euro("45"),
                EXEMPT,
                U.SESSION,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Assistenza notturna (21:00-7:00)",
                "Un'operatrice passa la notte con la persona assistita: cambio, riposizionamento, sorveglianza e "
                "chiamata al 112 se serve. Per il rientro dall'ospedale e i periodi più difficili.",
                euro("150"),
                VAT_5,
                U.SESSION,
                MODERATE,
            ),
        ),
    ),
    SupplierSpec(
        "Centro Diurno Anziani Il Glicine",
        "Centro diurno integrato per anziani con 25 posti, in una villa con parco a Cenate Sotto, gestito da una "
        "cooperativa sociale: animazione, fisioterapia, infermiera presente e trasporto da casa.",
        offers=(
            OfferSpec(
                C.DAY_CENTRE_ELDERLY,
                "Giornata al centro diurno (8:30-17:30)",
                "Colazione, pranzo e merenda, ginnastica dolce, laboratori di memoria, giardinaggio e la tombola del "
                "venerdì. L'infermiera controlla pressione e terapie; il bagno assistito si prenota una volta a "
                "settimana. Per anziani parzialmente autosufficienti.",
                euro("38"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=25,
            ),
            OfferSpec(
                C.DAY_CENTRE_ELDERLY,
                "Mezza giornata con pranzo",
                "Dalle 8:30 alle 14:00 oppure dalle 11:30 alle 17:30, pranzo compreso: un modo graduale per "
                "cominciare a frequentare il centro.",
                euro("24"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=10,
            ),
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Trasporto casa-centro diurno",
                "Andata o ritorno con il nostro pulmino con pedana per carrozzine, nei paesi intorno a Cenate "
                "Sotto. Autista e accompagnatore sempre presenti.",
                euro("7"),
                VAT_5,
                U.SESSION,
                home_service=True,
            ),
        ),
    ),
    SupplierSpec(
        "Centro Diurno Disabili La Fenice",
        "Centro socio-educativo per persone con disabilità a Rogno, gestito da una cooperativa sociale: 30 posti, "
        "laboratori di falegnameria, ceramica e cucina, piscina una volta a settimana.",
        radius_km=15,
        offers=(
            OfferSpec(
                C.DAY_CENTRE_DISABLED,
                "Frequenza al centro socio-educativo (CSE)",
                "Dal lunedì al venerdì dalle 9:00 alle 16:00, per persone dai 18 ai 65 anni: laboratori, attività "
                "di autonomia, uscite sul territorio e piscina il mercoledì. Pranzo e trasporto da casa compresi nei "
                "paesi dell'Alto Sebino.",
                euro("45"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=30,
            ),
            OfferSpec(
                C.DAY_CENTRE_DISABLED,
                "Weekend di sollievo",
                "Dal sabato mattina alla domenica pomeriggio nella nostra casa di sollievo, con educatori e un OSS "
                "di notte: gite, cucina insieme, una notte fuori casa in sicurezza. Per dare respiro alle famiglie.",
                euro("160"),
                VAT_5,
                U.SESSION,
                STRICT,
                capacity=8,
                sessions=tuple(
                    edition(
                        f"Da sabato {_day(day)} a domenica {_day(day + datetime.timedelta(days=1), year=True)}",
                        day,
                        day + datetime.timedelta(days=1),
                        "10:00",
                        "17:00",
                        8,
                    )
                    for day in (D(2027, 1, 23), D(2027, 2, 20), D(2027, 3, 20), D(2027, 4, 17))
                ),
            ),
            OfferSpec(
                C.DAY_CENTRE_DISABLED,
                "Laboratorio di autonomie del sabato mattina",
                "Fare la spesa, prendere l'autobus, cucinare un pranzo semplice: il sabato dalle 9:00 alle 13:00 in "
                "un gruppo di dieci persone con due educatori.",
                euro("25"),
                VAT_5,
                U.SESSION,
                capacity=10,
                sessions=weekly(D(2027, 1, 9), 6, seats=10, start="09:00", end="13:00"),
            ),
        ),
    ),
    SupplierSpec(
        "Assistenti Familiari Val Cavallina",
        "Sportello per le famiglie che cercano una badante: selezione, colloqui, contratto regolare secondo il CCNL "
        "del lavoro domestico e sostituzioni durante ferie e malattia.",
        offers=(
            OfferSpec(
                C.CARER,
                "Selezione e inserimento di un'assistente familiare",
                "Visita a casa per capire i bisogni, selezione di tre candidate con referenze verificate, colloqui "
                "insieme a voi e affiancamento nei primi giorni. Se entro 60 giorni il rapporto non funziona, la "
                "seconda selezione è gratuita.",
                euro("390"),
                VAT_22,
                U.PIECE,
                STRICT,
            ),
            OfferSpec(
                C.CARER,
                "Gestione del contratto e delle buste paga",
                "Assunzione all'INPS, buste paga mensili, contributi trimestrali, TFR e tredicesima secondo il CCNL "
                "del lavoro domestico. Tutte le scadenze vi arrivano per e-mail.",
                euro("35"),
                VAT_22,
                U.MONTH,
                home_service=False,
            ),
            OfferSpec(
                C.CARER,
                "Sostituzione della badante per ferie",
                "Un'assistente familiare convivente che sostituisce la vostra durante le ferie o la malattia, già "
                "formata e presentata alla famiglia prima dell'inizio. Minimo sette giorni.",
                euro("110"),
                VAT_22,
                U.DAY,
                MODERATE,
            ),
        ),
    ),
    SupplierSpec(
        "Badanti e Famiglie Alto Sebino",
        "Associazione di famiglie che aiuta a trovare e formare assistenti familiari nell'Alto Sebino, con un "
        "corso di 40 ore per le badanti e uno sportello aperto anche il sabato.",
        offers=(
            OfferSpec(
                C.CARER,
                "Ricerca di un'assistente familiare convivente",
                "Ascoltiamo la famiglia, proponiamo due o tre candidate che hanno seguito il nostro corso, "
                "prepariamo il contratto e restiamo in contatto nei primi tre mesi.",
                euro("340"),
                VAT_22,
                U.PIECE,
                STRICT,
            ),
            OfferSpec(
                C.CARER,
                "Assistente familiare a ore",
                "Per chi non ha bisogno di una badante convivente: un'assistente formata per qualche ora al giorno, "
                "assunta da noi, senza pensieri di contratto per la famiglia.",
                euro("17"),
                VAT_22,
                U.HOUR,
            ),
            OfferSpec(
                C.COURSES,
                "Corso base per assistenti familiari (40 ore)",
                "Igiene e mobilizzazione della persona, alimentazione, primo soccorso, demenze, diritti e doveri del "
                "contratto: 40 ore in aula a Lovere con un'infermiera e una psicologa, il lunedì e il mercoledì "
                "pomeriggio. Utile anche ai familiari che assistono in prima persona.",
                euro("180"),
                VAT_22,
                U.SESSION,
                MODERATE,
                home_service=False,
                sessions=(
                    edition(
                        "Dal 1 febbraio al 24 marzo 2027, lunedì e mercoledì 14:00-17:00",
                        D(2027, 2, 1),
                        D(2027, 3, 24),
                        "14:00",
                        "17:00",
                        15,
                    ),
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Trasporto Amico Val Cavallina",
        "Organizzazione di volontariato con autisti formati e due mezzi attrezzati per carrozzine: accompagniamo "
        "anziani e persone fragili a visite, terapie e centri diurni.",
        offers=(
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Accompagnamento a visite ed esami (andata e ritorno)",
                "Vi veniamo a prendere a casa, vi accompagniamo in ospedale a Seriate, Bergamo o Lovere e vi "
                "aspettiamo fino alla fine della visita. Prenotazione con almeno tre giorni di anticipo.",
                euro("25"),
                EXEMPT,
                U.SESSION,
            ),
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Trasporto in carrozzina con mezzo attrezzato",
                "Pulmino con pedana elettrica e ancoraggi per carrozzina, autista e accompagnatore. Per dialisi, "
                "fisioterapia e centri diurni, anche con un giorno fisso ogni settimana.",
                euro("35"),
                EXEMPT,
                U.SESSION,
            ),
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Spesa e commissioni accompagnate",
                "Una mattina a settimana accompagniamo chi non guida più al mercato, in farmacia e in posta, e "
                "aiutiamo a portare la spesa fino in casa.",
                euro("15"),
                EXEMPT,
                U.SESSION,
            ),
        ),
    ),
    SupplierSpec(
        "Accompagnamento Sicuro Basso Sebino",
        "Cooperativa sociale di trasporto tra il Basso Sebino e la Val Calepio: autisti assunti, mezzi con pedana "
        "e un centralino attivo dal lunedì al sabato.",
        offers=(
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Trasporto per visite mediche e terapie",
                "Andata e ritorno da casa agli ospedali e ambulatori di Sarnico, Seriate, Iseo, Chiari e Bergamo, "
                "con un accompagnatore che resta con voi in sala d'attesa.",
                euro("28"),
                VAT_5,
                U.SESSION,
            ),
            OfferSpec(
                C.TRANSPORT_FRAIL,
                "Abbonamento mensile per terapie cicliche",
                "Fino a dodici viaggi di andata e ritorno al mese, per dialisi, radioterapia o riabilitazione, con "
                "orari fissi concordati e lo stesso autista.",
                euro("260"),
                VAT_5,
                U.MONTH,
                MODERATE,
            ),
        ),
    ),
    SupplierSpec(
        "Cooperativa Sociale Il Cantiere",
        "Cooperativa sociale di tipo A della Val Cavallina: assistenza domiciliare, un centro diurno integrato a "
        "Casazza e la custodia sociale per gli anziani che vivono soli.",
        offers=(
            OfferSpec(
                C.HOME_CARE,
                "Servizio di assistenza domiciliare (SAD)",
                "Operatori ASA e OSS per l'igiene personale, l'aiuto in casa e la cura della persona, coordinati da "
                "un'assistente sociale. Piano di assistenza scritto con la famiglia; interventi dalle 7:00 alle "
                "20:00, sabato compreso.",
                euro("21"),
                VAT_5,
                U.HOUR,
            ),
            OfferSpec(
                C.HOME_CARE,
                "Custode sociale: una visita e tre telefonate a settimana",
                "Per chi vive da solo: controlliamo che stia bene, che abbia spesa e farmaci, e avvisiamo subito un "
                "familiare se serve qualcosa.",
                euro("40"),
                VAT_5,
                U.MONTH,
            ),
            OfferSpec(
                C.DAY_CENTRE_ELDERLY,
                "Centro diurno integrato di Casazza",
                "Venti posti per anziani fragili, dalle 8:30 alle 17:00: pranzo, fisioterapia di gruppo, infermiera "
                "presente, animazione e bagno assistito. Il trasporto da casa si concorda a parte.",
                euro("35"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=20,
                home_service=False,
            ),
        ),
    ),
    SupplierSpec(
        "Cooperativa Sociale Il Battello",
        "Cooperativa sociale del Basso Sebino: un centro diurno per persone con disabilità e servizi educativi per "
        "ragazzi, con laboratori aperti al paese.",
        offers=(
            OfferSpec(
                C.DAY_CENTRE_DISABLED,
                "Centro diurno disabili (CDD): frequenza giornaliera",
                "Dal lunedì al venerdì dalle 9:00 alle 16:00, per persone con disabilità grave: educatori, OSS, "
                "fisioterapista e infermiere. Laboratori sensoriali, musica, piscina e uscite sul lago con la nostra "
                "barca attrezzata.",
                euro("48"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=25,
            ),
            OfferSpec(
                C.DAY_CENTRE_DISABLED,
                "Servizio di formazione all'autonomia (SFA)",
                "Per giovani adulti con disabilità lieve: percorsi di autonomia personale, sociale e lavorativa, "
                "con tirocini nelle aziende del territorio.",
                euro("36"),
                VAT_5,
                U.DAY,
                MODERATE,
                capacity=15,
            ),
            OfferSpec(
                C.DAY_CENTRE_MINORS,
                "Centro educativo pomeridiano per ragazzi (11-17 anni)",
                "Tre pomeriggi a settimana: compiti, sport, laboratori e un educatore che tiene i contatti con la "
                "scuola e la famiglia. Per ragazzi che hanno bisogno di un sostegno in più.",
                euro("180"),
                VAT_5,
                U.MONTH,
                MODERATE,
                ages=years(11, 17),
                capacity=15,
            ),
        ),
    ),
    SupplierSpec(
        "Cooperativa Sociale Dolce",
        "Cooperativa sociale che gestisce nidi e servizi per l'infanzia: a Costa Volpino un asilo nido di 45 posti "
        "e un centro prima infanzia per le famiglie tra Alto Sebino e bassa Valle Camonica.",
        listed=ALTO_SEBINO_EAST,
        offers=(
            OfferSpec(
                C.NURSERY,
                "Asilo nido a tempo pieno",
                "Dalle 7:30 alle 16:30, da settembre a luglio, per bambini dai 3 ai 36 mesi. Cucina interna, "
                "pannolini compresi, un'educatrice di riferimento per ogni bambino e incontri serali per i genitori "
                "con la pedagogista.",
                euro("575"),
                VAT_5,
                U.MONTH,
                STRICT,
                ages=(3, 36),
                capacity=45,
            ),
            OfferSpec(
                C.NURSERY,
                "Asilo nido part-time (7:30-13:00)",
                "La mattina al nido, pranzo compreso. Per chi lavora a metà giornata o ha un secondo figlio piccolo "
                "a casa.",
                euro("400"),
                VAT_5,
                U.MONTH,
                STRICT,
                ages=(3, 36),
                capacity=12,
            ),
            OfferSpec(
                C.EARLY_CHILDHOOD_CENTRE,
                "Centro prima infanzia: tre mattine a settimana",
                "Lunedì, mercoledì e venerdì dalle 8:30 alle 12:30, senza pranzo: gioco, socialità e primi distacchi "
                "per i bambini dai 12 ai 36 mesi, con un incontro al mese per i genitori.",
                euro("180"),
                VAT_5,
                U.MONTH,
                MODERATE,
                ages=(12, 36),
                capacity=15,
            ),
        ),
    ),
)

_EVERYDAY: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "Maggiordomo Aziendale Facile",
        "Servizio di maggiordomo aziendale per le imprese della Val Cavallina: passiamo in azienda due volte a "
        "settimana e sbrighiamo le commissioni dei dipendenti.",
        radius_km=12,
        offers=(
            OfferSpec(
                C.CONCIERGE,
                "Pratiche auto: revisione, tagliando e cambio gomme",
                "Ritiriamo l'auto al parcheggio aziendale al mattino, la portiamo in revisione, dal meccanico o dal "
                "gommista e ve la riconsegniamo a fine turno. L'officina si paga a parte, al suo prezzo.",
                euro("35"),
                VAT_22,
                U.SESSION,
            ),
            OfferSpec(
                C.CONCIERGE,
                "Commissioni durante l'orario di lavoro",
                "Posta e raccomandate, farmacia, ritiro di referti e certificati in comune: lasciate la delega al "
                "nostro sportello in azienda e in giornata vi riportiamo tutto.",
                euro("12"),
                VAT_22,
                U.SESSION,
            ),
            OfferSpec(
                C.CONCIERGE,
                "Ritiro e riconsegna lavanderia e calzolaio",
                "Passiamo il martedì e il venerdì: consegnate capi e scarpe al nostro incaricato e li riavete in "
                "azienda in tre-cinque giorni. Lavanderia e calzolaio si pagano a parte.",
                euro("6"),
                VAT_22,
                U.SESSION,
            ),
        ),
    ),
    SupplierSpec(
        DURC_EXPIRING_SUPPLIER,
        "Lavanderia con lavaggi ad acqua e detersivi ecologici certificati, a Vigano San Martino: ritiro e "
        "consegna nelle aziende e a domicilio intorno al lago di Endine.",
        home_service=True,
        offers=(
            OfferSpec(
                C.CONCIERGE,
                "Camicie lavate e stirate (5 pezzi)",
                "Cinque camicie lavate ad acqua, stirate e consegnate piegate o su gruccia entro tre giorni "
                "lavorativi.",
                euro("12.50"),
                VAT_22,
                U.PIECE,
                home_service=False,
            ),
            OfferSpec(
                C.CONCIERGE,
                "Lavaggio di un piumone matrimoniale",
                "Lavaggio ad acqua a bassa temperatura e asciugatura lenta che non rovina le piume. Pronto in "
                "cinque giorni lavorativi.",
                euro("24"),
                VAT_22,
                U.PIECE,
                home_service=False,
            ),
            OfferSpec(
                C.CONCIERGE,
                "Ritiro e consegna a domicilio intorno al lago di Endine",
                "Passiamo a ritirare e a riconsegnare i capi a casa vostra il giovedì sera, dalle 18:00 alle 20:00.",
                euro("5"),
                VAT_22,
                U.SESSION,
                only=(
                    "Vigano San Martino",
                    "Casazza",
                    "Spinone al Lago",
                    "Ranzanico",
                    "Monasterolo del Castello",
                    "Bianzano",
                    "Endine Gaiano",
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Spesa a Casa Val Cavallina",
        "Spesa a domicilio in Val Cavallina: ordinate per telefono o online entro mezzogiorno e il giorno dopo la "
        "spesa arriva a casa, con i prodotti dei negozi e delle aziende agricole della valle.",
        offers=(
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Consegna della spesa a domicilio",
                "Ordine entro le 12, consegna il giorno dopo in una fascia di due ore, fino al piano. La spesa si "
                "paga alla consegna, allo stesso prezzo del negozio.",
                euro("5"),
                VAT_22,
                U.SESSION,
                kind=OfferKind.SERVICE,
            ),
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Cassetta di frutta e verdura di stagione (5 kg)",
                "Quello che c'è nei campi della valle questa settimana: mele, pere e kiwi d'inverno, pesche, "
                "pomodori e zucchine d'estate. Consegnata a casa insieme alla spesa o da sola.",
                euro("18"),
                VAT_4,
                U.PIECE,
                origin="Aziende agricole di Berzo San Fermo, Grone e Casazza (BG)",
            ),
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Spesa settimanale per anziani con telefonata",
                "Ogni settimana chiamiamo noi per fare la lista, consegniamo la spesa e la sistemiamo in dispensa e "
                "in frigorifero. Se qualcosa non va, avvisiamo un familiare.",
                euro("7"),
                VAT_22,
                U.SESSION,
                kind=OfferKind.SERVICE,
            ),
        ),
    ),
    SupplierSpec(
        "Bottega del Lago Spesa a Domicilio",
        "Alimentari di paese a Riva di Solto che porta la spesa a casa nei paesi del lago e dell'altopiano, anche "
        "nelle frazioni più alte.",
        offers=(
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Spesa a domicilio sul lago e in collina",
                "Telefonate o scrivete la lista entro le 10: il pomeriggio stesso portiamo la spesa a casa, anche a "
                "Fonteno, Bossico e nelle frazioni di Solto Collina. Si paga alla consegna.",
                euro("4.50"),
                VAT_22,
                U.SESSION,
                kind=OfferKind.SERVICE,
            ),
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Cesta di formaggi del Sebino (1,2 kg)",
                "Formaggella, stracchino, caprino fresco e uno stagionato d'alpeggio, tagliati al momento e "
                "consegnati sottovuoto.",
                euro("26"),
                VAT_4,
                U.PIECE,
                origin="Caseifici e alpeggi di Bossico, Sovere e Solto Collina (BG)",
            ),
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Pane fresco a casa ogni mattina (abbonamento mensile)",
                "Mezzo chilo di pane del forno del paese consegnato entro le 8, dal lunedì al sabato, per un mese.",
                euro("32"),
                VAT_4,
                U.MONTH,
                origin="Forno di Riva di Solto (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Cooperativa Sociale L'Innesto",
        "Cooperativa sociale di tipo B: coltiviamo ortaggi biologici a Trescore Balneario con persone in percorsi "
        "di inserimento lavorativo e li consegniamo a domicilio.",
        offers=(
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Cassetta di verdura biologica dell'orto sociale (4 kg)",
                "Sei o sette verdure raccolte il giorno prima, secondo la stagione: in inverno cavoli, porri, zucche "
                "e radicchi, in estate pomodori, zucchine e fagiolini. Consegna il giovedì.",
                euro("16"),
                VAT_4,
                U.PIECE,
                origin="Orto sociale de L'Innesto, Trescore Balneario (BG), agricoltura biologica certificata",
            ),
            OfferSpec(
                C.GROCERY_DELIVERY,
                "Spesa a domicilio per persone fragili",
                "Per anziani e persone con disabilità: raccogliamo la lista al telefono, facciamo la spesa nei "
                "negozi del paese e la portiamo in casa. Il conto della spesa si salda alla consegna.",
                euro("4"),
                VAT_5,
                U.SESSION,
                kind=OfferKind.SERVICE,
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Uova fresche di galline allevate all'aperto (6)",
                "Uova del nostro pollaio, raccolte ogni mattina e consegnate con la cassetta di verdura.",
                euro("3.50"),
                VAT_4,
                U.PIECE,
                origin="Pollaio de L'Innesto, Trescore Balneario (BG)",
            ),
        ),
    ),
)

_WELLBEING: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "Palestra Forma Lago",
        "Palestra e centro fitness sul lago di Endine: sala attrezzi, corsi in piccoli gruppi e personal trainer "
        "laureati in scienze motorie.",
        offers=(
            OfferSpec(
                C.GYM_WELLBEING,
                "Abbonamento mensile sala attrezzi e corsi",
                "Ingresso libero alla sala attrezzi dalle 6:30 alle 22:00 e a tutti i corsi di gruppo in orario "
                "(pilates, functional, spinning). Scheda personalizzata e un controllo al mese con l'istruttore.",
                euro("49"),
                VAT_22,
                U.MONTH,
            ),
            OfferSpec(
                C.GYM_WELLBEING,
                "Ginnastica posturale per la schiena (martedì 18:30)",
                "Mobilità, allungamento e rinforzo per chi passa la giornata alla scrivania, alla guida o in piedi "
                "in reparto, in gruppi di 14 persone al massimo. Si prenota la singola lezione.",
                euro("12"),
                VAT_22,
                U.SESSION,
                capacity=14,
                sessions=weekly(D(2027, 1, 12), 10, seats=14, start="18:30", end="19:30"),
            ),
            OfferSpec(
                C.COURSES,
                "Nordic walking sul lago di Endine: corso base",
                "Quattro uscite di un'ora e mezza sulla ciclopedonale del lago con un istruttore certificato: "
                "tecnica, riscaldamento e allungamento. I bastoncini li prestiamo noi.",
                euro("60"),
                VAT_22,
                U.SESSION,
                MODERATE,
                capacity=15,
                sessions=(
                    edition(
                        "Quattro sabati dal 3 al 24 aprile 2027, 9:00-10:30",
                        D(2027, 4, 3),
                        D(2027, 4, 24),
                        "09:00",
                        "10:30",
                        15,
                    ),
                    edition(
                        "Quattro sabati dall'8 al 29 maggio 2027, 9:00-10:30",
                        D(2027, 5, 8),
                        D(2027, 5, 29),
                        "09:00",
                        "10:30",
                        15,
                    ),
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Terme e Benessere Gaverina",
        "Centro benessere alle fonti di Gaverina Terme: percorso con sauna, bagno turco e vasche idromassaggio "
        "con acqua termale, massaggi e ginnastica in acqua.",
        radius_km=15,
        offers=(
            OfferSpec(
                C.GYM_WELLBEING,
                "Percorso benessere (due ore e mezza)",
                "Sauna finlandese, bagno turco, vasca idromassaggio con acqua termale e zona relax con tisane. "
                "Accappatoio, telo e ciabattine compresi; ingressi a turni per non essere mai troppi.",
                euro("28"),
                VAT_22,
                U.SESSION,
                capacity=12,
                sessions=spa_slots(D(2027, 1, 9), 8, seats=12),
            ),
            OfferSpec(
                C.GYM_WELLBEING,
                "Massaggio rilassante (50 minuti)",
                "Massaggio di tutto il corpo con oli vegetali, eseguito da massaggiatori diplomati. Si prenota per "
                "telefono il giorno e l'ora che preferite.",
                euro("55"),
                VAT_22,
                U.SESSION,
            ),
            OfferSpec(
                C.GYM_WELLBEING,
                "Ginnastica in acqua termale per la terza età",
                "Esercizi dolci in acqua a 33 gradi con un fisioterapista: sollievo per articolazioni e schiena, "
                "adatto anche a chi non sa nuotare. Il mercoledì mattina.",
                euro("10"),
                VAT_22,
                U.SESSION,
                capacity=10,
                sessions=weekly(D(2027, 1, 13), 8, seats=10, start="10:00", end="11:00"),
            ),
        ),
    ),
    SupplierSpec(
        "Yoga e Pilates Sebino",
        "Studio di yoga e pilates sulle colline di Gandosso, con insegnanti certificate e classi di dodici persone "
        "al massimo.",
        offers=(
            OfferSpec(
                C.GYM_WELLBEING,
                "Hatha yoga serale (lunedì 20:00)",
                "Un'ora e un quarto di posizioni, respirazione e rilassamento finale, per tutti i livelli. Tappetini "
                "e cuscini li trovate in studio.",
                euro("13"),
                VAT_22,
                U.SESSION,
                capacity=12,
                sessions=weekly(D(2027, 1, 11), 12, seats=12, start="20:00", end="21:15"),
            ),
            OfferSpec(
                C.GYM_WELLBEING,
                "Pilates matwork (giovedì 18:30)",
                "Rinforzo del centro del corpo, postura e flessibilità, a corpo libero e con piccoli attrezzi. "
                "Consigliato a chi soffre di mal di schiena.",
                euro("13"),
                VAT_22,
                U.SESSION,
                capacity=10,
                sessions=weekly(D(2027, 1, 14), 12, seats=10, start="18:30", end="19:30"),
            ),
            OfferSpec(
                C.GYM_WELLBEING,
                "Yoga in gravidanza (sabato 10:00)",
                "Dal secondo trimestre: respirazione, posizioni adattate e rilassamento per arrivare al parto con "
                "più consapevolezza. Serve il nulla osta del ginecologo.",
                euro("15"),
                VAT_22,
                U.SESSION,
                capacity=8,
                sessions=weekly(D(2027, 1, 16), 8, seats=8, start="10:00", end="11:00"),
            ),
        ),
    ),
    SupplierSpec(
        "Patronato San Vincenzo",
        "Ente bergamasco di formazione professionale e servizi sociali: per l'alleanza organizza corsi per adulti "
        "e lavoratori a Trescore Balneario, Sarnico e Lovere, e alcuni anche online.",
        listed=VAL_CAVALLINA_AND_SEBINO,
        offers=(
            OfferSpec(
                C.COURSES,
                "Corso di italiano per lavoratori stranieri (livello A2)",
                "Sessanta ore in aula a Trescore Balneario, il martedì e il giovedì sera, con esame finale per la "
                "certificazione A2 richiesta per il permesso di soggiorno di lungo periodo. Materiali compresi.",
                euro("90"),
                EXEMPT,
                U.SESSION,
                MODERATE,
                capacity=18,
                sessions=(
                    edition(
                        "Dal 12 gennaio al 27 maggio 2027, martedì e giovedì 18:30-20:30",
                        D(2027, 1, 12),
                        D(2027, 5, 27),
                        "18:30",
                        "20:30",
                        18,
                    ),
                ),
            ),
            OfferSpec(
                C.COURSES,
                "Corso HACCP per alimentaristi (4 ore)",
                "La formazione obbligatoria per chi lavora con gli alimenti: igiene, contaminazioni, autocontrollo e "
                "allergeni. Attestato valido in Lombardia, rilasciato a fine corso.",
                euro("60"),
                EXEMPT,
                U.SESSION,
                capacity=20,
                sessions=(
                    single(D(2027, 2, 13), "09:00", "13:00", 20, where="Sarnico"),
                    single(D(2027, 3, 13), "09:00", "13:00", 20, where="Lovere"),
                    single(D(2027, 4, 10), "09:00", "13:00", 20, where="Trescore Balneario"),
                ),
            ),
            OfferSpec(
                C.COURSES,
                "Informatica di base e servizi digitali",
                "Otto incontri per usare computer e smartphone con sicurezza: posta elettronica, SPID, fascicolo "
                "sanitario elettronico, pagamenti pagoPA e videochiamate. Per chi parte da zero.",
                euro("75"),
                EXEMPT,
                U.SESSION,
                MODERATE,
                capacity=12,
                sessions=(
                    edition(
                        "Otto lunedì dal 1 febbraio al 22 marzo 2027, 17:30-19:30",
                        D(2027, 2, 1),
                        D(2027, 3, 22),
                        "17:30",
                        "19:30",
                        12,
                    ),
                ),
            ),
            OfferSpec(
                C.COURSES,
                "Primo soccorso pediatrico per genitori e nonni",
                "Quattro ore con istruttori certificati: disostruzione delle vie aeree, rianimazione del lattante e "
                "del bambino, febbre, traumi e ustioni. Prove pratiche sui manichini.",
                euro("35"),
                EXEMPT,
                U.SESSION,
                capacity=20,
                sessions=(
                    single(D(2027, 3, 6), "09:00", "13:00", 20, where="Trescore Balneario"),
                    single(D(2027, 5, 8), "09:00", "13:00", 20, where="Lovere"),
                ),
            ),
        ),
    ),
)

_LOCAL_PRODUCTS: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "Apicoltura Monte Bronzone",
        "Apicoltori a Vigolo, sulle pendici del Monte Bronzone: 120 arnie tra i castagneti e i prati sopra il "
        "lago, miele estratto a freddo e mai pastorizzato.",
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Miele di castagno del Monte Bronzone (500 g)",
                "Miele scuro dal gusto deciso e leggermente amaro, raccolto a fine giugno nei castagneti sopra "
                "Vigolo. Estratto a freddo e non pastorizzato: con il tempo può cristallizzare, ed è naturale.",
                euro("8.50"),
                VAT_10,
                U.PIECE,
                origin="Apiari di Vigolo e Parzanica, Monte Bronzone (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Miele millefiori di montagna (1 kg)",
                "Dai prati fioriti tra i 600 e i 1.100 metri: chiaro, profumato, cremoso dopo qualche settimana. "
                "Ottimo nel latte, sulle fette biscottate e con i formaggi stagionati.",
                euro("15"),
                VAT_10,
                U.PIECE,
                origin="Apiari di Vigolo, Monte Bronzone (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Confezione regalo: tre mieli del lago (3 x 250 g)",
                "Acacia, millefiori e castagno in vasetti da 250 grammi, in una scatola di cartone riciclato con il "
                "racconto dell'annata. Adatta anche come regalo aziendale.",
                euro("16"),
                VAT_10,
                U.PIECE,
                origin="Apiari di Vigolo, Parzanica e Tavernola Bergamasca (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Frantoio del Lago Parzanica",
        "Piccolo frantoio sui terrazzamenti di Parzanica, sopra il lago d'Iseo: olivi di Leccino, Frantoio e "
        "Casaliva, olive molite entro 24 ore dalla raccolta.",
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Olio extravergine d'oliva del Sebino (0,5 l)",
                "Estratto a freddo dalle olive dei nostri terrazzamenti, raccolte a mano tra ottobre e novembre. "
                "Fruttato medio con note di mandorla e carciofo, da usare a crudo. Raccolta 2026.",
                euro("13.50"),
                VAT_4,
                U.PIECE,
                origin="Oliveti terrazzati di Parzanica e Tavernola Bergamasca (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Latta di olio extravergine (3 l)",
                "Lo stesso olio della bottiglia, in latta per la scorta di casa: al riparo dalla luce si conserva "
                "bene fino all'estate successiva.",
                euro("69"),
                VAT_4,
                U.PIECE,
                origin="Oliveti terrazzati di Parzanica (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Visita al frantoio con assaggio dell'olio nuovo",
                "Un sabato di novembre, durante la molitura: passeggiata tra gli olivi, visita al frantoio in "
                "funzione e assaggio dell'olio appena fatto sul pane abbrustolito. Bambini gratis.",
                euro("15"),
                VAT_22,
                U.SESSION,
                kind=OfferKind.SERVICE,
                capacity=20,
                sessions=(
                    single(D(2027, 11, 6), "10:00", "12:30", 20),
                    single(D(2027, 11, 13), "10:00", "12:30", 20),
                    single(D(2027, 11, 20), "10:00", "12:30", 20),
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Panificio Artigiano Fonteno",
        "Forno a legna nel centro di Fonteno: pane con lievito madre e farine macinate a pietra, dolci della "
        "tradizione bergamasca.",
        radius_km=12,
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Pane di segale e noci (500 g)",
                "Lievito madre, farina di segale integrale e noci dei nostri alberi: crosta spessa, mollica umida, "
                "si conserva quattro o cinque giorni in un sacchetto di tela.",
                euro("4.50"),
                VAT_4,
                U.PIECE,
                origin="Forno a legna di Fonteno (BG), segale lombarda macinata a pietra",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Torta di grano saraceno e mirtilli (700 g)",
                "La torta delle nonne dell'altopiano: farina di grano saraceno, burro di montagna e confettura di "
                "mirtilli. Si conserva una settimana.",
                euro("16"),
                VAT_10,
                U.PIECE,
                origin="Forno a legna di Fonteno (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Polenta e osei dolci (4 pezzi)",
                "Il dolce tipico bergamasco: pan di Spagna, crema al burro e rum, copertura di marzapane giallo e "
                "uccellini di cioccolato.",
                euro("12"),
                VAT_10,
                U.PIECE,
                origin="Forno a legna di Fonteno (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Cantina Colle dei Ciliegi",
        "Cantina di famiglia sulle colline di Viadanica, tra il Basso Sebino e la Val Calepio: sei ettari di "
        "vigneto e vini Valcalepio DOC.",
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Valcalepio Rosso DOC (0,75 l)",
                "Merlot e Cabernet Sauvignon, un anno in botti grandi di rovere. Rosso rubino, profumo di frutti "
                "rossi e spezie: per brasati, polenta e formaggi stagionati. Vendemmia 2023.",
                euro("11.50"),
                VAT_22,
                U.PIECE,
                origin="Vigneti di Viadanica e Adrara San Martino (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Valcalepio Bianco DOC (0,75 l)",
                "Pinot bianco, Chardonnay e Pinot grigio vinificati in acciaio: fresco, con sentori di mela e fiori "
                "bianchi. Con il pesce di lago e gli antipasti. Vendemmia 2025.",
                euro("9"),
                VAT_22,
                U.PIECE,
                origin="Vigneti di Viadanica (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Cassetta di sei bottiglie miste",
                "Tre rossi e tre bianchi Valcalepio DOC in una cassetta di legno, con una scheda di abbinamenti ai "
                "piatti bergamaschi.",
                euro("59"),
                VAT_22,
                U.PIECE,
                origin="Vigneti di Viadanica e Adrara San Martino (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Salumificio Lago di Endine",
        "Salumificio artigianale a Ranzanico: carne di suini nati e allevati in Lombardia, ricette di famiglia e "
        "stagionatura nelle cantine sul lago di Endine.",
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Salame nostrano bergamasco (circa 500 g)",
                "Impasto a grana media con pepe e aglio, insaccato in budello naturale e stagionato almeno 60 giorni "
                "nelle nostre cantine. Senza glutine e senza latte in polvere.",
                euro("12"),
                VAT_10,
                U.PIECE,
                origin="Salumificio di Ranzanico (BG), suini nati e allevati in Lombardia",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Pancetta arrotolata (circa 800 g)",
                "Pancetta salata a mano con spezie e arrotolata, stagionata tre mesi: a fette sottili con il pane o "
                "a cubetti nel risotto.",
                euro("15"),
                VAT_10,
                U.PIECE,
                origin="Salumificio di Ranzanico (BG), suini nati e allevati in Lombardia",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Cotechino fresco (circa 600 g)",
                "Da cuocere lentamente per due ore e mezza e servire con polenta o lenticchie. Prodotto da novembre "
                "a febbraio.",
                euro("9"),
                VAT_10,
                U.PIECE,
                origin="Salumificio di Ranzanico (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Caseificio Val Borlezza Soc. Coop. Agricola",
        "Cooperativa di allevatori della Val Borlezza: ogni mattina il latte di trenta stalle tra Sovere, Bossico "
        "e Cerete diventa formaggi freschi e stagionati.",
        offers=(
            OfferSpec(
                C.LOCAL_FOOD,
                "Formaggella della Val Borlezza (circa 1 kg)",
                "Formaggio a pasta morbida di latte vaccino intero, stagionato 40 giorni: crosta sottile, pasta "
                "bianca e dolce. Tagliata al momento e consegnata sottovuoto.",
                euro("14.50"),
                VAT_4,
                U.PIECE,
                origin="Latte delle stalle di Sovere, Bossico e Cerete (BG), lavorato a Sovere",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Stracchino fresco (250 g)",
                "Fatto ogni mattina con il latte della mungitura della sera: morbido, acidulo, da mangiare entro "
                "cinque giorni.",
                euro("3.80"),
                VAT_4,
                U.PIECE,
                origin="Caseificio di Sovere (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Burro di montagna (250 g)",
                "Burro di panna di affioramento, dal colore giallo paglierino d'estate quando le vacche sono al "
                "pascolo. Per la polenta taragna e i dolci.",
                euro("4.50"),
                VAT_4,
                U.PIECE,
                origin="Caseificio di Sovere (BG)",
            ),
            OfferSpec(
                C.LOCAL_FOOD,
                "Stagionato d'alpeggio (forma da circa 2 kg)",
                "Formaggio semigrasso prodotto in alpeggio sopra Bossico da giugno a settembre e stagionato otto "
                "mesi. Pasta compatta e sapore intenso di erba e fieno.",
                euro("34"),
                VAT_4,
                U.PIECE,
                origin="Alpeggi dell'altopiano di Bossico (BG)",
            ),
        ),
    ),
    SupplierSpec(
        "Bottega del Legno Bianzano",
        "Falegnameria artigiana nel borgo di Bianzano: oggetti in noce, castagno e ciliegio dei boschi della valle, "
        "lavorati a mano e rifiniti con olio naturale.",
        offers=(
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Tagliere in noce nostrano (40 x 25 cm)",
                "Ricavato da un'unica tavola di noce stagionata cinque anni, rifinito con olio di lino alimentare. "
                "Ogni pezzo ha venature diverse.",
                euro("38"),
                VAT_22,
                U.PIECE,
                origin="Bottega di Bianzano (BG), noce della Val Cavallina",
            ),
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Trenino in legno di faggio per bambini",
                "Locomotiva e tre vagoni a incastro, verniciati con colori all'acqua atossici conformi alla norma "
                "EN 71-3. Adatto dai 3 anni.",
                euro("45"),
                VAT_22,
                U.PIECE,
                origin="Bottega di Bianzano (BG)",
            ),
            OfferSpec(
                C.COURSES,
                "Corso di intaglio del legno (4 sabati)",
                "Quattro mattine in bottega per imparare a usare sgorbie e coltelli da intaglio e realizzare un "
                "cucchiaio e una ciotola. Legno e attrezzi compresi; per adulti e ragazzi dai 14 anni.",
                euro("140"),
                VAT_22,
                U.SESSION,
                MODERATE,
                kind=OfferKind.SERVICE,
                capacity=8,
                sessions=(
                    edition(
                        "Sabati dal 6 al 27 febbraio 2027, 9:00-12:00",
                        D(2027, 2, 6),
                        D(2027, 2, 27),
                        "09:00",
                        "12:00",
                        8,
                    ),
                    edition(
                        "Sabati dal 6 al 27 marzo 2027, 9:00-12:00", D(2027, 3, 6), D(2027, 3, 27), "09:00", "12:00", 8
                    ),
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Ceramiche Monasterolo",
        "Laboratorio di ceramica sul lago di Endine: stoviglie e oggetti torniti a mano, smaltati con i colori del "
        "lago, e corsi per adulti e bambini.",
        offers=(
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Sei tazzine da caffè dipinte a mano",
                "Tazzine in gres con piattino, decorate una a una con motivi di foglie e onde. Vanno in lavastoviglie "
                "e nel microonde.",
                euro("72"),
                VAT_22,
                U.PIECE,
                origin="Laboratorio di Monasterolo del Castello (BG)",
            ),
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Ciotola grande in gres blu lago",
                "Diametro 28 cm, per insalate e pasta al forno; smalto blu profondo fatto da noi, senza piombo.",
                euro("42"),
                VAT_22,
                U.PIECE,
                origin="Laboratorio di Monasterolo del Castello (BG)",
            ),
            OfferSpec(
                C.COURSES,
                "Corso di tornio per principianti (6 lezioni)",
                "Sei serate per centrare l'argilla, tirare su un cilindro e fare le prime ciotole, poi rifinirle e "
                "smaltarle. Argilla, cotture e grembiule compresi.",
                euro("190"),
                VAT_22,
                U.SESSION,
                MODERATE,
                kind=OfferKind.SERVICE,
                capacity=6,
                sessions=(
                    edition(
                        "Mercoledì dal 3 febbraio al 10 marzo 2027, 19:00-21:30",
                        D(2027, 2, 3),
                        D(2027, 3, 10),
                        "19:00",
                        "21:30",
                        6,
                    ),
                    edition(
                        "Mercoledì dal 7 aprile al 12 maggio 2027, 19:00-21:30",
                        D(2027, 4, 7),
                        D(2027, 5, 12),
                        "19:00",
                        "21:30",
                        6,
                    ),
                ),
            ),
            OfferSpec(
                C.COURSES,
                "Laboratorio di ceramica per bambini (6-12 anni)",
                "Un sabato pomeriggio al mese: modellare, decorare e portare a casa (dopo la cottura) il proprio "
                "oggetto. I genitori possono restare o tornare a prenderli alle 17.",
                euro("18"),
                VAT_22,
                U.SESSION,
                kind=OfferKind.SERVICE,
                ages=years(6, 12),
                capacity=10,
                sessions=tuple(
                    single(day, "15:00", "17:00", 10)
                    for day in (D(2027, 1, 23), D(2027, 2, 20), D(2027, 3, 20), D(2027, 4, 17))
                ),
            ),
        ),
    ),
    SupplierSpec(
        "Sartoria Luzzana",
        "Sartoria artigiana di Luzzana: riparazioni, abiti su misura e piccoli oggetti in tessuto, con stoffe di "
        "aziende tessili bergamasche.",
        offers=(
            OfferSpec(
                C.CONCIERGE,
                "Orli e riparazioni con ritiro in azienda",
                "Orli, cerniere, toppe e piccole riparazioni: passiamo a ritirare i capi in azienda il mercoledì e "
                "li riportiamo pronti la settimana dopo. Prezzo per capo, per le riparazioni semplici.",
                euro("12"),
                VAT_22,
                U.PIECE,
                kind=OfferKind.SERVICE,
            ),
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Grembiule da cucina in lino",
                "Lino lavato color naturale o antracite, tasca sul davanti e lacci lunghi. Ricamo delle iniziali "
                "compreso nel prezzo.",
                euro("32"),
                VAT_22,
                U.PIECE,
                origin="Sartoria di Luzzana (BG), lino tessuto in provincia di Bergamo",
            ),
            OfferSpec(
                C.CRAFT_PRODUCTS,
                "Borsa della spesa in tela cerata",
                "Robusta, impermeabile e lavabile, con manici in cotone rinforzato: porta fino a 15 kg. Tre colori.",
                euro("48"),
                VAT_22,
                U.PIECE,
                origin="Sartoria di Luzzana (BG)",
            ),
        ),
    ),
)

CATALOGUE: tuple[SupplierSpec, ...] = (*_CHILDREN, *_CARE, *_EVERYDAY, *_WELLBEING, *_LOCAL_PRODUCTS)


def supplier_kinds() -> dict[str, str]:
    """Name -> kind of every organization that the accounts demo makes a supplier."""
    kinds = {
        spec.name: spec.kind for spec in (*ALLIANCE_MEMBERS, *SUPPLIERS) if OrganizationRole.SUPPLIER in spec.roles
    }
    kinds.update({c.name: c.kind for c in COMPANIES if OrganizationRole.SUPPLIER in c.extra_roles})
    return kinds


# --- Documents and identifiers ----------------------------------------------------------------------------------


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", errors="replace")


def durc_pdf(*, title: str, lines: Iterable[str]) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi so that accented letters print) built by hand: fast and valid."""
    stream = b"BT /F1 14 Tf 56 780 Td (" + _pdf_text(title) + b") Tj ET\nBT /F1 10 Tf 56 740 Td 16 TL\n"
    stream += b"".join(b"(" + _pdf_text(line) + b") Tj T*\n" for line in lines) + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    document = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(document)


def _durc_document(
    organization: Organization, *, expires_on: datetime.date, today: datetime.date, protocol: str
) -> bytes:
    seat = organization.municipality
    postal_code = seat.postal_code.split(";")[0]
    # A DURC lasts 120 days; the demo's last longer so that the demo keeps selling, but none is requested later.
    issued_on = min(expires_on - datetime.timedelta(days=120), today - datetime.timedelta(days=7))
    return durc_pdf(
        title="Durc On Line - Documento Unico di Regolarità Contributiva",
        lines=(
            f"Numero protocollo: INAIL_{protocol}",
            f"Data richiesta: {issued_on:%d/%m/%Y}        Scadenza validità: {expires_on:%d/%m/%Y}",
            "",
            f"Denominazione/ragione sociale: {organization.name}",
            f"Codice fiscale: {organization.vat_number}",
            f"Sede legale: {organization.address} - {postal_code} {seat.name} ({seat.province})",
            "",
            "Con il presente documento si dichiara che il soggetto sopra identificato RISULTA REGOLARE",
            "nei confronti di I.N.P.S., I.N.A.I.L. e Casse Edili.",
            "",
            "Documento dimostrativo generato da Conciliare: non ha alcun valore legale.",
        ),
    )


def _iban(rng: random.Random) -> str:
    bank = rng.choice(BANK_CODES) + f"{rng.randint(11000, 54999):05d}"
    return IBAN.generate("IT", bank_code=bank, account_code=f"{rng.randint(1, 10**12 - 1):012d}").compact


# --- Writing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    mode: str
    radius_km: int | None
    served: tuple[Municipality, ...]

    @property
    def names(self) -> set[str]:
        return {municipality.name for municipality in self.served}


def _area(spec: SupplierSpec, kind: str, seat: Municipality, municipalities: dict[str, Municipality]) -> _Area:
    if spec.listed:
        served = sorted({seat, *(municipalities[name] for name in spec.listed)}, key=lambda m: m.name)
        return _Area(ServiceAreaMode.MUNICIPALITIES, None, tuple(served))
    radius = spec.radius_km or KIND_RADIUS_KM[kind]
    # As suppliers.services.municipalities_within, on the municipalities already loaded.
    within = [m for m in municipalities.values() if municipality_distance_km(seat, m) <= radius]
    return _Area(ServiceAreaMode.RADIUS, radius, tuple(sorted(within, key=lambda m: m.name)))


def _check_plan(specs: list[SupplierSpec], areas: dict[str, _Area], kinds: dict[str, str]) -> None:
    """Mistakes in the data above, caught before anything is written."""
    for spec in specs:
        area = areas[spec.name]
        if not set(spec.categories) & set(KIND_CATEGORIES[kinds[spec.name]]):
            raise ValueError(f"{spec.name}: no offer in a category of its kind {kinds[spec.name]!r}")
        for offer in spec.offers:
            if offer.only and not set(offer.only) <= area.names:
                raise ValueError(f"{spec.name}: {offer.title!r} serves places outside the supplier's area")
            served = set(offer.only) if offer.only else area.names
            if offer.category in CHILDCARE and served & set(NO_CHILDCARE):
                raise ValueError(f"{spec.name}: {offer.title!r} would serve {sorted(served & set(NO_CHILDCARE))}")


def _staff(organizations: Iterable[Organization]) -> dict[int, User]:
    """The first supplier-staff member of each organization, if any."""
    members = Membership.objects.filter(
        organization__in=list(organizations), role=MembershipRole.SUPPLIER_STAFF
    ).select_related("user")
    first: dict[int, User] = {}
    for membership in members.order_by("pk"):
        first.setdefault(membership.organization_id, membership.user)
    return first


@transaction.atomic
def seed_demo_catalogue() -> int:
    """Writes the demo suppliers and their offers once; returns how many offers (0 when it did nothing).

    Nothing happens when suppliers exist already, or before the accounts demo and the charter exist.
    """
    if Supplier.objects.exists():
        return 0
    charter = charter_current()
    operator = User.objects.filter(email=demo_login(MembershipRole.OPERATOR_ADMIN).email).first()
    organizations = {
        organization.name: organization
        for organization in Organization.objects.filter(
            name__in=[spec.name for spec in CATALOGUE], roles__role=OrganizationRole.SUPPLIER
        ).select_related("municipality")
    }
    if charter is None or operator is None or not organizations:
        return 0
    kinds = supplier_kinds()
    specs = [spec for spec in CATALOGUE if spec.name in organizations]
    municipalities = {m.name: m for m in Municipality.objects.all()}
    areas = {
        spec.name: _area(spec, kinds[spec.name], organizations[spec.name].municipality, municipalities)
        for spec in specs
    }
    _check_plan(specs, areas, kinds)

    rng = random.Random(RANDOM_SEED)
    suppliers = _save_suppliers(specs, organizations, areas, kinds, operator=operator, charter=charter, rng=rng)
    return _save_offers(specs, suppliers, areas, municipalities)


def _save_suppliers(
    specs: list[SupplierSpec],
    organizations: dict[str, Organization],
    areas: dict[str, _Area],
    kinds: dict[str, str],
    *,
    operator: User,
    charter: CharterVersion,
    rng: random.Random,
) -> dict[str, Supplier]:
    now, today = timezone.now(), timezone.localdate()
    staff = _staff(organizations.values())
    rows: list[Supplier] = []
    for index, spec in enumerate(specs):
        organization = organizations[spec.name]
        member = staff.get(organization.pk)
        area = areas[spec.name]
        submitted = now - datetime.timedelta(days=90 - index, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
        decided = submitted + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
        if spec.name == DURC_EXPIRING_SUPPLIER:
            durc_expires_on = today + datetime.timedelta(days=DURC_EXPIRING_IN_DAYS)
        else:  # in 2027, and never less than two months away, whatever the day of the seed
            in_2027 = datetime.date(2027, 2, 1) + datetime.timedelta(days=rng.randint(0, 300))
            durc_expires_on = max(in_2027, today + datetime.timedelta(days=60 + index))
        contact = (
            member.get_full_name() if member else f"{rng.choice(CONTACT_FIRST_NAMES)} {rng.choice(LOCAL_SURNAMES)}"
        )
        supplier = Supplier(
            organization=organization,
            status=SupplierStatus.APPROVED,
            description=spec.description,
            iban=_iban(rng),
            contact_name=contact,
            contact_email=member.email if member else organization.email or f"info@{slugify(spec.name)}.example",
            contact_phone=organization.phone or f"035 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            home_service=spec.home_service if spec.home_service is not None else kinds[spec.name] in HOME_SERVICE_KINDS,
            area_mode=area.mode,
            service_radius_km=area.radius_km,
            categories=spec.categories,
            durc_expires_on=durc_expires_on,
            applied_by=member or operator,
            submitted_at=submitted,
            decided_at=decided,
        )
        document = _durc_document(
            organization, expires_on=durc_expires_on, today=today, protocol=f"{rng.randint(10**7, 10**8 - 1)}"
        )
        supplier.durc_document.save(f"durc-{slugify(spec.name)}.pdf", ContentFile(document), save=False)
        supplier.full_clean(exclude=["organization", "applied_by"], validate_constraints=False)
        rows.append(supplier)
    Supplier.objects.bulk_create(rows)
    # Read back rather than trust bulk_create to set primary keys on every database.
    saved = {
        supplier.organization.name: supplier
        for supplier in Supplier.objects.filter(organization__in=[s.organization for s in rows]).select_related(
            "organization"
        )
    }
    through = Supplier.served_municipalities.through
    through.objects.bulk_create(
        through(supplier_id=saved[spec.name].pk, municipality_id=municipality.pk)
        for spec in specs
        for municipality in areas[spec.name].served
    )
    CharterSignature.objects.bulk_create(
        CharterSignature(organization=row.organization, version=charter, signed_by=row.applied_by) for row in rows
    )
    SupplierReviewEvent.objects.bulk_create(
        event
        for row in rows
        for event in (
            SupplierReviewEvent(
                supplier=saved[row.organization.name], actor=row.applied_by, decision=ReviewDecision.SUBMITTED
            ),
            SupplierReviewEvent(
                supplier=saved[row.organization.name], actor=operator, decision=ReviewDecision.APPROVED
            ),
        )
    )
    # `at` is set on insert to now; the history tells when each step happened.
    for decision, moment in ((ReviewDecision.SUBMITTED, "submitted_at"), (ReviewDecision.APPROVED, "decided_at")):
        SupplierReviewEvent.objects.filter(supplier__in=saved.values(), decision=decision).update(
            at=Subquery(Supplier.objects.filter(pk=OuterRef("supplier_id")).values(moment)[:1])
        )
    return saved


def _save_offers(
    specs: list[SupplierSpec],
    suppliers: dict[str, Supplier],
    areas: dict[str, _Area],
    municipalities: dict[str, Municipality],
) -> int:
    offers: list[Offer] = []
    for spec in specs:
        supplier = suppliers[spec.name]
        assert supplier.decided_at is not None
        for position, item in enumerate(spec.offers):
            info = CATEGORY_INFO[item.category]
            ages = item.ages or (
                (info.min_age_months, info.max_age_months) if info.max_age_months is not None else (None, None)
            )
            offer = Offer(
                supplier=supplier,
                kind=item.kind or (OfferKind.PRODUCT if info.product else OfferKind.SERVICE),
                category=item.category,
                title=item.title,
                description=item.description,
                origin=item.origin,
                price=item.price,
                vat_rate=Decimal(item.vat),
                unit=item.unit,
                min_age_months=ages[0],
                max_age_months=ages[1],
                home_service=supplier.home_service if item.home_service is None else item.home_service,
                whole_area=not item.only,
                capacity=item.capacity,
                cancellation_policy=item.cancellation,
                status=OfferStatus.PUBLISHED,
                published_at=supplier.decided_at + datetime.timedelta(days=1, hours=position),
            )
            offer.search_text = _search_text(offer)
            offer.full_clean(exclude=["supplier"], validate_constraints=False)
            offers.append(offer)
    Offer.objects.bulk_create(offers)

    by_key = {
        (supplier_id, title): pk
        for pk, supplier_id, title in Offer.objects.filter(supplier__in=suppliers.values()).values_list(
            "pk", "supplier_id", "title"
        )
    }
    items = [(suppliers[spec.name].pk, item) for spec in specs for item in spec.offers]
    OfferSession.objects.bulk_create(
        OfferSession(
            offer_id=by_key[supplier_id, item.title],
            label=session.label,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            seats=session.seats,
        )
        for supplier_id, item in items
        for session in item.sessions
    )
    through = Offer.served_municipalities.through
    through.objects.bulk_create(
        through(offer_id=by_key[supplier_id, item.title], municipality_id=municipalities[name].pk)
        for supplier_id, item in items
        for name in item.only
    )
    return len(offers)
