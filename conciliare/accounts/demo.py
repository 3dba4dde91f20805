"""Demo data: the alliance, its companies and suppliers, ~300 employees with their families, one login per role.

Two steps, so that determinism can be tested without a database:

* `build_demo_plan(places)` decides everything. It is pure: the same territory gives the same plan, whatever
  the date or the global random state (Faker and `random.Random` are seeded here, dates hang on REFERENCE_DATE).
* `seed_demo()` writes the plan once. When the demo logins already exist it writes nothing, so it can run at
  every start of a demo container.

Every organization, company and person below is fictional, except the alliance's real members (districts, ATS,
unions, associations, cooperatives), whose identifiers (partita IVA, addresses, phones) are made up.
"""

import datetime
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from allauth.account.models import EmailAddress
from codicefiscale import codicefiscale
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from faker import Faker
from stdnum import luhn

from conciliare.territory.distance import distance_km
from conciliare.territory.models import Municipality

from .models import (
    ContractCategory,
    EmployeeProfile,
    FamilyMember,
    Membership,
    MembershipRole,
    Organization,
    OrganizationRole,
    Relationship,
    User,
)
from .services import membership_add, organization_create

# Everything is computed from these, never from today: two runs a year apart give the same rows.
REFERENCE_DATE = datetime.date(2026, 1, 1)
RANDOM_SEED = 2026
DEMO_PASSWORD = "Conciliare2026!"
DEMO_DOMAIN = "demo.conciliare.it"
JOINED_AT = datetime.datetime.combine(REFERENCE_DATE, datetime.time(9, 0), tzinfo=datetime.UTC)
CITIZEN_ROLE = "citizen"

Gender = Literal["M", "F"]
GENDERS: tuple[Gender, ...] = ("M", "F")

# Where people are born, for the codice fiscale: the hospitals of the area, or the home municipality.
FALLBACK_BIRTHPLACE = "Bergamo"
# The office code of the partita IVA (digits 8-10): 016 is the province of Bergamo.
BERGAMO_VAT_OFFICE = "016"
MOBILE_PREFIXES = ("20", "28", "33", "35", "39", "40", "47", "49")

# Faker's Italian surnames are national; these make the valleys sound like the valleys.
LOCAL_SURNAMES = (
    "Rota",
    "Locatelli",
    "Pesenti",
    "Cortinovis",
    "Bonetti",
    "Belotti",
    "Carminati",
    "Ghilardi",
    "Zanga",
    "Bettoni",
    "Foresti",
    "Cadei",
    "Trapletti",
    "Zambetti",
    "Bertoli",
    "Plebani",
    "Bonomelli",
    "Tengattini",
    "Pezzotti",
    "Sigorini",
    "Zenti",
    "Bellini",
    "Cocchetti",
    "Facchinetti",
    "Bonassi",
    "Martinelli",
    "Consoli",
    "Capitanio",
    "Cattaneo",
    "Mazzucchelli",
    "Ziboni",
    "Rinaldi",
    "Patelli",
    "Gualeni",
    "Bana",
)
STREETS = (
    "Via Roma",
    "Via Nazionale",
    "Via Papa Giovanni XXIII",
    "Via Marconi",
    "Via Dante Alighieri",
    "Via Garibaldi",
    "Via Mazzini",
    "Piazza Vittorio Emanuele",
    "Via Provinciale",
    "Via San Rocco",
    "Via Don Bosco",
    "Via Kennedy",
    "Via dei Mille",
    "Via Locatelli",
    "Via Volta",
    "Via Cavour",
    "Via Fermi",
    "Viale Europa",
)


# --- Who signs in ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """One ready-made login. End-to-end tests import DEMO_LOGINS; the command prints it."""

    role: str  # a MembershipRole value, or CITIZEN_ROLE
    email: str
    label: str  # Italian, as shown to the people trying the demo
    organization: str  # "" for the citizen
    sees: str  # Italian: what this login is for

    @property
    def password(self) -> str:
        return DEMO_PASSWORD


OPERATOR_NAME = "Filo Comune Cooperativa Sociale (demo)"
FIRST_COMPANY = "Officine Meccaniche Cavallina S.r.l."
DEMO_NURSERY = "Asilo Nido Il Girotondo"
VAL_CAVALLINA_DISTRICT = "Ambito Distrettuale Val Cavallina"
CONFCOOPERATIVE = "Confcooperative Bergamo"
CISL = "CISL Bergamo"

DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(
        role=MembershipRole.EMPLOYEE.value,
        email=f"dipendente@{DEMO_DOMAIN}",
        label="Dipendente",
        organization=FIRST_COMPANY,
        sees="Credito welfare 2026, profilo e famiglia: due figli (2 e 8 anni), il padre non autosufficiente.",
    ),
    DemoLogin(
        role=MembershipRole.HR_MANAGER.value,
        email=f"hr@{DEMO_DOMAIN}",
        label="Responsabile del personale",
        organization=FIRST_COMPANY,
        sees=f"I circa 30 dipendenti di {FIRST_COMPANY}, l'importazione da CSV/XLSX e i piani welfare.",
    ),
    DemoLogin(
        role=MembershipRole.SUPPLIER_STAFF.value,
        email=f"fornitore@{DEMO_DOMAIN}",
        label="Fornitore",
        organization=DEMO_NURSERY,
        sees=f"La scheda di {DEMO_NURSERY}.",
    ),
    DemoLogin(
        role=MembershipRole.OPERATOR_ADMIN.value,
        email=f"gestore@{DEMO_DOMAIN}",
        label="Gestore della piattaforma",
        organization=OPERATOR_NAME,
        sees="I numeri della piattaforma e la console di gestione (/gestione/).",
    ),
    DemoLogin(
        role=MembershipRole.FUND_COMMITTEE.value,
        email=f"comitato@{DEMO_DOMAIN}",
        label="Comitato del Fondo di Solidarietà",
        organization=CISL,
        sees="Le domande al Fondo di Solidarietà da decidere (serve anche comitato2@ per la seconda approvazione).",
    ),
    DemoLogin(
        role=MembershipRole.CONSULTANT.value,
        email=f"consulente@{DEMO_DOMAIN}",
        label="Consulente welfare",
        organization=CONFCOOPERATIVE,
        sees="Le imprese clienti dell'alleanza e i lavoratori raggiunti per ambito.",
    ),
    DemoLogin(
        role=MembershipRole.MONITORING.value,
        email=f"ambito@{DEMO_DOMAIN}",
        label="Ente pubblico (monitoraggio)",
        organization=VAL_CAVALLINA_DISTRICT,
        sees="Lavoratori raggiunti e organizzazioni aderenti per ambito (dati aggregati).",
    ),
    DemoLogin(
        role=CITIZEN_ROLE,
        email=f"cittadino@{DEMO_DOMAIN}",
        label="Cittadino",
        organization="",
        sees="Il proprio profilo e la famiglia, senza datore di lavoro.",
    ),
]

# Its presence means "already seeded": it is created in the same transaction as everything else.
SEEDED_MARKER_EMAIL = f"gestore@{DEMO_DOMAIN}"


def demo_login(role: str) -> DemoLogin:
    return next(login for login in DEMO_LOGINS if login.role == role)


# --- The organizations ------------------------------------------------------------------------------------------

Role = OrganizationRole


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    municipality: str
    roles: tuple[str, ...]
    kind: str = ""  # what a supplier offers; not stored, for seeders of catalogues that come later


@dataclass(frozen=True)
class CompanySpec:
    name: str
    domain: str  # employees' e-mails are name.surname@<domain>
    municipality: str
    size: int
    shifts: bool  # manufacturing with shifts: more blue-collar workers, more men
    second_site: str | None = None
    extra_roles: tuple[str, ...] = ()
    kind: str = ""  # what it sells, when it is a supplier too


ALLIANCE_MEMBERS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(VAL_CAVALLINA_DISTRICT, "Trescore Balneario", (Role.PUBLIC_BODY,)),
    OrganizationSpec("Ambito Distrettuale Basso Sebino", "Sarnico", (Role.PUBLIC_BODY,)),
    OrganizationSpec("Ambito Distrettuale Alto Sebino", "Lovere", (Role.PUBLIC_BODY,)),
    OrganizationSpec("ATS Bergamo", "Bergamo", (Role.PUBLIC_BODY,)),
    OrganizationSpec("CGIL Bergamo", "Bergamo", (Role.UNION,)),
    OrganizationSpec(CISL, "Bergamo", (Role.UNION,)),
    OrganizationSpec("UIL Bergamo", "Bergamo", (Role.UNION,)),
    OrganizationSpec(CONFCOOPERATIVE, "Bergamo", (Role.TRADE_ASSOCIATION,)),
    OrganizationSpec("Legacoop Bergamo", "Bergamo", (Role.TRADE_ASSOCIATION,)),
    OrganizationSpec("Confartigianato Imprese Bergamo", "Bergamo", (Role.TRADE_ASSOCIATION,)),
    OrganizationSpec("Cooperativa Sociale Il Cantiere", "Casazza", (Role.COOPERATIVE, Role.SUPPLIER), "home_care"),
    OrganizationSpec("Cooperativa Sociale Il Battello", "Sarnico", (Role.COOPERATIVE, Role.SUPPLIER), "day_centre"),
    OrganizationSpec("Cooperativa Sociale Dolce", "Costa Volpino", (Role.COOPERATIVE, Role.SUPPLIER), "nursery"),
    OrganizationSpec("Cooperativa Sociale Aliante", "Villongo", (Role.COOPERATIVE,)),
    OrganizationSpec(
        "Cooperativa Sociale L'Innesto", "Trescore Balneario", (Role.COOPERATIVE, Role.SUPPLIER), "grocery"
    ),
    # A charitable foundation, not a cooperative: it takes part as a provider of training and social services.
    OrganizationSpec("Patronato San Vincenzo", "Bergamo", (Role.SUPPLIER,), "training"),
    OrganizationSpec(OPERATOR_NAME, "Endine Gaiano", (Role.OPERATOR, Role.COOPERATIVE)),
)

COMPANIES: tuple[CompanySpec, ...] = (
    # The first company is the demo employee's and the demo HR manager's: 29 here + the demo employee = 30.
    CompanySpec(FIRST_COMPANY, "officinecavallina.example", "Trescore Balneario", 29, shifts=True),
    CompanySpec(
        "Guarnizioni Sebine S.p.A.", "guarnizionisebine.example", "Villongo", 52, shifts=True, second_site="Credaro"
    ),
    CompanySpec("Stampaggio Gomma Adrara S.r.l.", "gommaadrara.example", "Adrara San Martino", 30, shifts=True),
    CompanySpec(
        "Laminati Alto Sebino S.p.A.",
        "laminatialtosebino.example",
        "Costa Volpino",
        45,
        shifts=True,
        second_site="Rogno",
    ),
    CompanySpec("Nautica Predore S.r.l.", "nauticapredore.example", "Predore", 18, shifts=False),
    # Also a supplier (its cheese is on the platform): one organization, several roles.
    CompanySpec(
        "Caseificio Val Borlezza Soc. Coop. Agricola",
        "caseificiovalborlezza.example",
        "Sovere",
        16,
        shifts=False,
        extra_roles=(Role.SUPPLIER,),
        kind="food",
    ),
    CompanySpec("Logistica San Paolo S.r.l.", "logisticasanpaolo.example", "San Paolo d'Argon", 28, shifts=True),
    CompanySpec(
        "Elettronica Gorlago S.r.l.",
        "elettronicagorlago.example",
        "Gorlago",
        34,
        shifts=False,
        second_site="Carobbio degli Angeli",
    ),
    CompanySpec("Tessitura Endine S.p.A.", "tessituraendine.example", "Endine Gaiano", 24, shifts=True),
    CompanySpec("Servizi Informatici Lago S.r.l.", "servizilago.example", "Sarnico", 23, shifts=False),
)

_SUPPLIER_ROWS: tuple[tuple[str, str, str], ...] = (
    ("nursery", DEMO_NURSERY, "Trescore Balneario"),
    ("nursery", "Asilo Nido Primi Passi", "Sarnico"),
    ("nursery", "Asilo Nido L'Aquilone", "Lovere"),
    ("micro_nursery", "Micronido Le Coccinelle", "Casazza"),
    ("micro_nursery", "Micronido Il Bruco Verde", "Villongo"),
    ("family_nursery", "Nido Famiglia La Casa sul Lago", "Predore"),
    ("family_nursery", "Nido Famiglia Il Melograno", "Gorlago"),
    ("preschool", "Scuola dell'Infanzia Il Girasole", "Costa Volpino"),
    ("preschool", "Scuola dell'Infanzia Arcobaleno", "San Paolo d'Argon"),
    ("summer_camp", "CRE Estate Insieme", "Entratico"),
    ("summer_camp", "Baby CRE Il Sole", "Credaro"),
    ("summer_camp", "CRE Montagna Amica", "Bossico"),
    ("after_school", "Doposcuola Compiti Insieme", "Sovere"),
    ("home_care", "Mani Amiche Assistenza Domiciliare", "Zandobbio"),
    ("home_care", "Casa e Cura Servizi alla Persona", "Pianico"),
    ("home_care", "Assistenza Domiciliare Sebina", "Tavernola Bergamasca"),
    ("day_centre", "Centro Diurno Anziani Il Glicine", "Cenate Sotto"),
    ("day_centre", "Centro Diurno Disabili La Fenice", "Rogno"),
    ("day_centre", "Centro Diurno Minori Il Faro", "Foresto Sparso"),
    ("babysitting", "Tata Sebina Baby Sitting", "Castro"),
    ("babysitting", "Coccole a Domicilio Baby Sitter", "Cenate Sopra"),
    ("carers", "Assistenti Familiari Val Cavallina", "Carobbio degli Angeli"),
    ("carers", "Badanti e Famiglie Alto Sebino", "Solto Collina"),
    ("transport", "Trasporto Amico Val Cavallina", "Grone"),
    ("transport", "Accompagnamento Sicuro Basso Sebino", "Adrara San Rocco"),
    ("concierge", "Maggiordomo Aziendale Facile", "Borgo di Terzo"),
    ("concierge", "Lavanderia Ecologica del Lago", "Vigano San Martino"),
    ("grocery", "Spesa a Casa Val Cavallina", "Berzo San Fermo"),
    ("grocery", "Bottega del Lago Spesa a Domicilio", "Riva di Solto"),
    ("gym", "Palestra Forma Lago", "Spinone al Lago"),
    ("gym", "Terme e Benessere Gaverina", "Gaverina Terme"),
    ("gym", "Yoga e Pilates Sebino", "Gandosso"),
    ("food", "Apicoltura Monte Bronzone", "Vigolo"),
    ("food", "Frantoio del Lago Parzanica", "Parzanica"),
    ("food", "Panificio Artigiano Fonteno", "Fonteno"),
    ("food", "Cantina Colle dei Ciliegi", "Viadanica"),
    ("food", "Salumificio Lago di Endine", "Ranzanico"),
    ("crafts", "Bottega del Legno Bianzano", "Bianzano"),
    ("crafts", "Ceramiche Monasterolo", "Monasterolo del Castello"),
    ("crafts", "Sartoria Luzzana", "Luzzana"),
)
SUPPLIERS: tuple[OrganizationSpec, ...] = tuple(
    OrganizationSpec(name, municipality, (Role.SUPPLIER,), kind) for kind, name, municipality in _SUPPLIER_ROWS
)


# --- The plan ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The part of a Municipality the plan needs; a plain value so that planning needs no database."""

    name: str
    district_code: int | None
    latitude: float
    longitude: float
    population: int

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class OrganizationPlan:
    name: str
    municipality: str
    roles: tuple[str, ...]
    vat_number: str
    address: str
    email: str
    phone: str
    kind: str = ""


@dataclass(frozen=True)
class FamilyMemberPlan:
    relationship: str
    first_name: str
    last_name: str
    gender: Gender
    birth_date: datetime.date
    fiscal_code: str
    fiscally_dependent: bool = False
    non_self_sufficient: bool = False
    disability: bool = False


@dataclass(frozen=True)
class EmploymentPlan:
    company: str  # organization name
    workplace: str  # municipality name
    contract_category: str
    hire_date: datetime.date
    shift_worker: bool


@dataclass(frozen=True)
class PersonPlan:
    email: str
    first_name: str
    last_name: str
    gender: Gender
    birth_date: datetime.date
    fiscal_code: str
    residence: str  # municipality name
    phone: str
    can_log_in: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    memberships: tuple[tuple[str, str], ...] = ()  # (organization name, MembershipRole value)
    employment: EmploymentPlan | None = None
    family: tuple[FamilyMemberPlan, ...] = ()


@dataclass(frozen=True)
class DemoPlan:
    organizations: tuple[OrganizationPlan, ...]
    people: tuple[PersonPlan, ...]

    @property
    def employees(self) -> tuple[PersonPlan, ...]:
        return tuple(person for person in self.people if person.employment is not None)

    @property
    def family_members(self) -> tuple[FamilyMemberPlan, ...]:
        return tuple(member for person in self.people for member in person.family)


def age_on(born: datetime.date, day: datetime.date = REFERENCE_DATE) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _ascii_slug(value: str) -> str:
    """'D'Amico' -> 'damico', 'Gian Marco' -> 'gianmarco': for the local part of e-mail addresses."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def vat_number_from_prefix(prefix: str) -> str:
    """Completes 10 digits (7 of serial number + 3 of office) with the Luhn check digit."""
    return prefix + luhn.calc_check_digit(prefix)


@dataclass
class _Planner:
    """The random choices of one plan. Only build_demo_plan makes one; state is per plan, never global."""

    places: dict[str, Place]
    rng: random.Random = field(default_factory=lambda: random.Random(RANDOM_SEED))
    fake: Faker = field(default_factory=lambda: Faker("it_IT"))
    used_codes: set[str] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)
    used_vat_numbers: set[str] = field(default_factory=set)
    district_places: list[Place] = field(init=False)
    _nearest: dict[str, list[Place]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fake.seed_instance(RANDOM_SEED)
        self.district_places = sorted(
            (place for place in self.places.values() if place.district_code is not None), key=lambda p: p.name
        )

    # -- dates and places --

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def nearest(self, workplace: str) -> list[Place]:
        """The 8 district municipalities closest to a workplace (itself included): where most staff live."""
        if workplace not in self._nearest:
            origin = self.places[workplace].point
            ranked = sorted(self.district_places, key=lambda p: (distance_km(origin, p.point), p.name))
            self._nearest[workplace] = ranked[:8]
        return self._nearest[workplace]

    def residence_near(self, workplace: str) -> str:
        # Most people live a few kilometres from work; some commute across the three districts.
        candidates = self.district_places if self.rng.random() < 0.15 else self.nearest(workplace)
        return self.rng.choices(candidates, weights=[p.population for p in candidates])[0].name

    def birthplace(self, residence: str) -> str:
        """People are born where the maternity wards are: Lovere for the Alto Sebino, Bergamo elsewhere."""
        draw = self.rng.random()
        if self.places[residence].district_code == 7 and draw < 0.5:
            return "Lovere"
        return FALLBACK_BIRTHPLACE if draw < 0.8 else residence

    # -- identifiers --

    def fiscal_code(self, *, first: str, last: str, gender: Gender, born: datetime.date, birthplace: str) -> str | None:
        """A new valid codice fiscale, or None if this person already exists (then the caller draws another)."""
        birthdate = born.strftime("%d/%m/%Y")
        try:
            code = codicefiscale.encode(
                lastname=last, firstname=first, gender=gender, birthdate=birthdate, birthplace=birthplace
            )
        except ValueError:  # a municipality that did not exist on that date, or a name the library refuses
            code = codicefiscale.encode(
                lastname=last, firstname=first, gender=gender, birthdate=birthdate, birthplace=FALLBACK_BIRTHPLACE
            )
        if code in self.used_codes:
            return None
        self.used_codes.add(code)
        return code

    def email(self, first: str, last: str, domain: str) -> str:
        local = f"{_ascii_slug(first)}.{_ascii_slug(last)}"
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.used_emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def vat_number(self) -> str:
        while True:
            prefix = f"{self.rng.randint(1_000_000, 9_999_999):07d}{BERGAMO_VAT_OFFICE}"
            number = vat_number_from_prefix(prefix)
            if number not in self.used_vat_numbers:
                self.used_vat_numbers.add(number)
                return number

    def landline(self) -> str:
        return f"035 {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"

    def mobile(self) -> str:
        return f"3{self.rng.choice(MOBILE_PREFIXES)} {self.rng.randint(1_000_000, 9_999_999)}"

    def address(self) -> str:
        return f"{self.rng.choice(STREETS)}, {self.rng.randint(1, 120)}"

    # -- names --

    def first_name(self, gender: Gender) -> str:
        return str(self.fake.first_name_male() if gender == "M" else self.fake.first_name_female())

    def last_name(self) -> str:
        return self.rng.choice(LOCAL_SURNAMES) if self.rng.random() < 0.5 else str(self.fake.last_name())


def _organization(planner: _Planner, spec: OrganizationSpec, domain: str | None = None) -> OrganizationPlan:
    if spec.municipality not in planner.places:
        raise ValueError(f"Unknown municipality for {spec.name}: {spec.municipality}")
    return OrganizationPlan(
        name=spec.name,
        municipality=spec.municipality,
        roles=tuple(sorted(set(spec.roles))),
        vat_number=planner.vat_number(),
        address=planner.address(),
        email=f"info@{domain or slugify(spec.name) + '.example'}",
        phone=planner.landline(),
        kind=spec.kind,
    )


def _organizations(planner: _Planner) -> tuple[OrganizationPlan, ...]:
    companies = [
        OrganizationSpec(c.name, c.municipality, (Role.CLIENT_COMPANY, *c.extra_roles), c.kind) for c in COMPANIES
    ]
    domains = {c.name: c.domain for c in COMPANIES}
    return tuple(
        _organization(planner, spec, domains.get(spec.name)) for spec in (*ALLIANCE_MEMBERS, *companies, *SUPPLIERS)
    )


# --- People -----------------------------------------------------------------------------------------------------


def _relative(
    planner: _Planner,
    *,
    relationship: str,
    gender: Gender,
    born: datetime.date,
    residence: str,
    last: str | None = None,
    taken_names: set[str],
    **flags: bool,
) -> FamilyMemberPlan:
    """A family member with a codice fiscale of their own; `last` fixed for children (the family's surname)."""
    while True:
        first = planner.first_name(gender)
        surname = last or planner.last_name()
        if first in taken_names:  # two children of the same parents are not both called Marco
            continue
        code = planner.fiscal_code(
            first=first, last=surname, gender=gender, born=born, birthplace=planner.birthplace(residence)
        )
        if code:
            taken_names.add(first)
            return FamilyMemberPlan(relationship, first, surname, gender, born, code, **flags)


def _partner(
    planner: _Planner, *, gender: Gender, born: datetime.date, residence: str, taken: set[str]
) -> FamilyMemberPlan:
    opposite: Gender = "F" if gender == "M" else "M"
    partner_gender = opposite if planner.rng.random() < 0.96 else gender
    partner_born = planner.date_between(
        years_before(born, 6), min(years_before(born, -6), years_before(REFERENCE_DATE, 20))
    )
    relationship = Relationship.SPOUSE if planner.rng.random() < 0.75 else Relationship.PARTNER
    return _relative(
        planner,
        relationship=relationship,
        gender=partner_gender,
        born=partner_born,
        residence=residence,
        taken_names=taken,
        fiscally_dependent=planner.rng.random() < 0.12,
    )


def _children(
    planner: _Planner, *, last: str, born: datetime.date, residence: str, taken: set[str]
) -> list[FamilyMemberPlan]:
    age = age_on(born)
    weights = (70, 30, 0, 0) if age < 30 else (28, 32, 30, 10)
    count = planner.rng.choices((0, 1, 2, 3), weights=weights)[0]
    # Children come when the parent is 24 to 44; those over 25 have left the family's welfare.
    first_possible = max(years_before(born, -24), years_before(REFERENCE_DATE, 25))
    last_possible = min(years_before(born, -44), REFERENCE_DATE - datetime.timedelta(days=60))
    if first_possible > last_possible:
        return []
    children = []
    for child_born in sorted(planner.date_between(first_possible, last_possible) for _ in range(count)):
        child_age = age_on(child_born)
        dependent = planner.rng.random() < (0.9 if child_age < 21 else 0.45)
        children.append(
            _relative(
                planner,
                relationship=Relationship.CHILD,
                gender=planner.rng.choice(GENDERS),
                born=child_born,
                residence=residence,
                last=last,
                taken_names=taken,
                fiscally_dependent=dependent,
                disability=planner.rng.random() < 0.03,
            )
        )
    return children


def _elderly_parent(
    planner: _Planner, *, last: str, born: datetime.date, residence: str, taken: set[str]
) -> FamilyMemberPlan | None:
    # 75 or older, born 20 to 45 years before the employee; not before 1931, because a codice fiscale keeps
    # only two digits of the year and the validator reads "26" as 2026, not 1926.
    first_possible = max(years_before(born, 45), datetime.date(1931, 1, 1))
    last_possible = min(years_before(born, 20), years_before(REFERENCE_DATE, 75))
    if first_possible > last_possible:
        return None
    in_law = planner.rng.random() < 0.3
    gender: Gender = "F" if planner.rng.random() < 0.6 else "M"
    non_self_sufficient = planner.rng.random() < 0.45
    return _relative(
        planner,
        relationship=Relationship.PARENT_IN_LAW if in_law else Relationship.PARENT,
        gender=gender,
        born=planner.date_between(first_possible, last_possible),
        residence=residence,
        last=last if gender == "M" and not in_law else None,
        taken_names=taken,
        fiscally_dependent=planner.rng.random() < 0.1,
        non_self_sufficient=non_self_sufficient,
        disability=non_self_sufficient and planner.rng.random() < 0.4,
    )


def _family(
    planner: _Planner, *, last: str, gender: Gender, born: datetime.date, residence: str
) -> tuple[FamilyMemberPlan, ...]:
    age = age_on(born)
    taken: set[str] = set()
    members: list[FamilyMemberPlan] = []
    if age >= 26 and planner.rng.random() < 0.68:
        members.append(_partner(planner, gender=gender, born=born, residence=residence, taken=taken))
    if age >= 25:
        members.extend(_children(planner, last=last, born=born, residence=residence, taken=taken))
    if age >= 45 and planner.rng.random() < 0.22:
        parent = _elderly_parent(planner, last=last, born=born, residence=residence, taken=taken)
        if parent:
            members.append(parent)
    return tuple(members)


def _contract_category(planner: _Planner, *, company: CompanySpec, age: int) -> str:
    # Apprenticeship contracts are for people under 30; executives are not in their twenties.
    if age < 30 and planner.rng.random() < 0.3:
        return ContractCategory.APPRENTICES
    categories = (
        ContractCategory.WORKERS,
        ContractCategory.CLERKS,
        ContractCategory.MIDDLE_MANAGERS,
        ContractCategory.EXECUTIVES,
    )
    weights = (62, 28, 8, 2) if company.shifts else (25, 60, 12, 3)
    chosen = planner.rng.choices(categories, weights=weights)[0]
    return ContractCategory.CLERKS if chosen == ContractCategory.EXECUTIVES and age < 38 else chosen


def _employment(planner: _Planner, *, company: CompanySpec, workplace: str, born: datetime.date) -> EmploymentPlan:
    category = _contract_category(planner, company=company, age=age_on(born))
    earliest = max(years_before(born, -18), datetime.date(1990, 1, 1))
    if category == ContractCategory.APPRENTICES:
        earliest = max(earliest, years_before(REFERENCE_DATE, 3))
    hired = planner.date_between(earliest, REFERENCE_DATE - datetime.timedelta(days=30))
    shifts = company.shifts and category == ContractCategory.WORKERS and planner.rng.random() < 0.6
    return EmploymentPlan(company.name, workplace, category, hired, shifts)


def _employee(planner: _Planner, company: CompanySpec) -> PersonPlan:
    workplace = company.second_site if company.second_site and planner.rng.random() < 0.3 else company.municipality
    residence = planner.residence_near(workplace)
    gender: Gender = "M" if planner.rng.random() < (0.65 if company.shifts else 0.45) else "F"
    born = planner.date_between(datetime.date(1960, 1, 1), datetime.date(2003, 12, 31))
    while True:  # a homonym born the same day in the same place: draw another person
        first, last = planner.first_name(gender), planner.last_name()
        code = planner.fiscal_code(
            first=first, last=last, gender=gender, born=born, birthplace=planner.birthplace(residence)
        )
        if code:
            break
    return PersonPlan(
        email=planner.email(first, last, company.domain),
        first_name=first,
        last_name=last,
        gender=gender,
        birth_date=born,
        fiscal_code=code,
        residence=residence,
        phone=planner.mobile(),
        memberships=((company.name, MembershipRole.EMPLOYEE.value),),
        employment=_employment(planner, company=company, workplace=workplace, born=born),
        family=_family(planner, last=last, gender=gender, born=born, residence=residence),
    )


@dataclass(frozen=True)
class _LoginPerson:
    role: str
    first_name: str
    last_name: str
    gender: Gender
    birth_date: datetime.date
    residence: str


# Fixed people behind the demo logins, so that screenshots and end-to-end tests can name them.
_LOGIN_PEOPLE: tuple[_LoginPerson, ...] = (
    _LoginPerson(MembershipRole.EMPLOYEE, "Giulia", "Bonetti", "F", datetime.date(1988, 5, 14), "Casazza"),
    _LoginPerson(MembershipRole.HR_MANAGER, "Paolo", "Rota", "M", datetime.date(1975, 2, 3), "Trescore Balneario"),
    _LoginPerson(MembershipRole.SUPPLIER_STAFF, "Elena", "Cortinovis", "F", datetime.date(1983, 9, 21), "Zandobbio"),
    _LoginPerson(
        MembershipRole.OPERATOR_ADMIN, "Stefano", "Locatelli", "M", datetime.date(1979, 11, 8), "Endine Gaiano"
    ),
    _LoginPerson(MembershipRole.FUND_COMMITTEE, "Anna", "Belotti", "F", datetime.date(1968, 7, 30), "Sarnico"),
    _LoginPerson(MembershipRole.CONSULTANT, "Luca", "Carminati", "M", datetime.date(1985, 4, 12), "Gorlago"),
    _LoginPerson(
        MembershipRole.MONITORING, "Francesca", "Zanga", "F", datetime.date(1972, 1, 19), "Trescore Balneario"
    ),
    _LoginPerson(CITIZEN_ROLE, "Roberto", "Ghilardi", "M", datetime.date(1964, 10, 2), "Lovere"),
)


def _fixed_relative(
    planner: _Planner, relationship: str, first: str, last: str, gender: Gender, born: datetime.date, **flags: bool
) -> FamilyMemberPlan:
    code = planner.fiscal_code(first=first, last=last, gender=gender, born=born, birthplace=FALLBACK_BIRTHPLACE)
    assert code, "the demo family is planned before anyone else, so its codes are free"
    return FamilyMemberPlan(relationship, first, last, gender, born, code, **flags)


def _demo_employee_family(planner: _Planner, person: _LoginPerson) -> tuple[FamilyMemberPlan, ...]:
    """The family the employee walkthrough relies on: a child of ~2 (a nursery takes him until
    September 2027, at 36 months), a child of ~9, a father of ~80 needing care."""
    last, date = person.last_name, datetime.date
    return (
        _fixed_relative(planner, Relationship.SPOUSE, "Marco", "Pesenti", "M", date(1986, 3, 2)),
        _fixed_relative(planner, Relationship.CHILD, "Tommaso", last, "M", date(2024, 9, 9), fiscally_dependent=True),
        _fixed_relative(planner, Relationship.CHILD, "Sofia", last, "F", date(2017, 6, 24), fiscally_dependent=True),
        _fixed_relative(planner, Relationship.PARENT, "Angelo", last, "M", date(1945, 8, 16), non_self_sufficient=True),
    )


def _login_person(planner: _Planner, person: _LoginPerson) -> PersonPlan:
    login = demo_login(person.role)
    code = planner.fiscal_code(
        first=person.first_name,
        last=person.last_name,
        gender=person.gender,
        born=person.birth_date,
        birthplace=FALLBACK_BIRTHPLACE,
    )
    assert code, "the demo logins are planned first, so their codes are free"
    planner.used_emails.add(login.email)
    is_employee = person.role == MembershipRole.EMPLOYEE
    is_operator = person.role == MembershipRole.OPERATOR_ADMIN
    return PersonPlan(
        email=login.email,
        first_name=person.first_name,
        last_name=person.last_name,
        gender=person.gender,
        birth_date=person.birth_date,
        fiscal_code=code,
        residence=person.residence,
        phone=planner.mobile(),
        can_log_in=True,
        is_staff=is_operator,
        is_superuser=is_operator,
        memberships=((login.organization, login.role),) if login.organization else (),
        employment=EmploymentPlan(
            FIRST_COMPANY, COMPANIES[0].municipality, ContractCategory.CLERKS, datetime.date(2014, 9, 1), False
        )
        if is_employee
        else None,
        family=_demo_employee_family(planner, person) if is_employee else (),
    )


def build_demo_plan(places: Sequence[Place]) -> DemoPlan:
    """Everything the demo will contain. Pure and deterministic: call it twice, get equal plans."""
    planner = _Planner(places={place.name: place for place in places})
    organizations = _organizations(planner)
    people = [_login_person(planner, person) for person in _LOGIN_PEOPLE]
    for company in COMPANIES:
        people.extend(_employee(planner, company) for _ in range(company.size))
    return DemoPlan(organizations=organizations, people=tuple(people))


def territory_places() -> list[Place]:
    return [
        Place(m.name, m.district.code if m.district else None, float(m.latitude), float(m.longitude), m.population)
        for m in Municipality.objects.select_related("district").order_by("name")
    ]


# --- Writing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    created: bool
    organizations: int = 0
    people: int = 0
    employees: int = 0
    family_members: int = 0


def demo_already_seeded() -> bool:
    return User.objects.filter(email=SEEDED_MARKER_EMAIL).exists()


def seed_demo(plan: DemoPlan | None = None) -> SeedResult:
    """Writes the demo once, all or nothing; afterwards does nothing."""
    if demo_already_seeded():
        return SeedResult(created=False)
    plan = plan or build_demo_plan(territory_places())
    with transaction.atomic():
        municipalities = {m.name: m for m in Municipality.objects.all()}
        organizations = _save_organizations(plan, municipalities)
        users = _save_people(plan, municipalities)
        _save_memberships(plan, users, organizations)
        _save_employee_profiles(plan, users, organizations, municipalities)
        _save_family_members(plan, users)
    return SeedResult(
        created=True,
        organizations=len(plan.organizations),
        people=len(plan.people),
        employees=len(plan.employees),
        family_members=len(plan.family_members),
    )


def _save_organizations(plan: DemoPlan, municipalities: dict[str, Municipality]) -> dict[str, Organization]:
    # Through the service: few rows, and it validates the partita IVA and the roles.
    return {
        item.name: organization_create(
            name=item.name,
            municipality=municipalities[item.municipality],
            roles=list(item.roles),
            vat_number=item.vat_number,
            address=item.address,
            email=item.email,
            phone=item.phone,
            alliance_member=True,
        )
        for item in plan.organizations
    }


def _save_people(plan: DemoPlan, municipalities: dict[str, Municipality]) -> dict[str, User]:
    # Hashing is the slow part of creating users: one hash for all demo logins, none for the others.
    login_password = make_password(DEMO_PASSWORD)
    no_password = make_password(None)
    User.objects.bulk_create(
        User(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            fiscal_code=person.fiscal_code,
            birth_date=person.birth_date,
            residence_municipality=municipalities[person.residence],
            phone=person.phone,
            password=login_password if person.can_log_in else no_password,
            is_staff=person.is_staff,
            is_superuser=person.is_superuser,
            date_joined=JOINED_AT,
        )
        for person in plan.people
    )
    # Read back rather than trust bulk_create to set primary keys on every database.
    users = {user.email: user for user in User.objects.filter(email__in=[p.email for p in plan.people])}
    # allauth signs in only with a verified address; these are demo addresses nobody can confirm.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=users[person.email], email=person.email, verified=True, primary=True)
        for person in plan.people
    )
    return users


def _save_memberships(plan: DemoPlan, users: dict[str, User], organizations: dict[str, Organization]) -> None:
    bulk: list[Membership] = []
    for person in plan.people:
        for organization_name, role in person.memberships:
            user, organization = users[person.email], organizations[organization_name]
            if person.can_log_in:  # the service checks that the organization plays a role fit for the membership
                membership_add(user=user, organization=organization, role=role)
            else:
                bulk.append(Membership(user=user, organization=organization, role=role))
    Membership.objects.bulk_create(bulk)


def _save_employee_profiles(
    plan: DemoPlan,
    users: dict[str, User],
    organizations: dict[str, Organization],
    municipalities: dict[str, Municipality],
) -> None:
    EmployeeProfile.objects.bulk_create(
        EmployeeProfile(
            user=users[person.email],
            company=organizations[job.company],
            workplace_municipality=municipalities[job.workplace],
            contract_category=job.contract_category,
            hire_date=job.hire_date,
            shift_worker=job.shift_worker,
        )
        for person in plan.people
        if (job := person.employment) is not None
    )


def _save_family_members(plan: DemoPlan, users: dict[str, User]) -> None:
    # Written directly, not through family_member_save: nobody reads health data here, so no access log.
    FamilyMember.objects.bulk_create(
        FamilyMember(
            user=users[person.email],
            relationship=member.relationship,
            first_name=member.first_name,
            last_name=member.last_name,
            fiscal_code=member.fiscal_code,
            birth_date=member.birth_date,
            fiscally_dependent=member.fiscally_dependent,
            non_self_sufficient=member.non_self_sufficient,
            disability=member.disability,
        )
        for person in plan.people
        for member in person.family
    )
