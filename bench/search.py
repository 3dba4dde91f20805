"""Catalogue search under load: 10,000 offers on PostgreSQL, 50 users, gunicorn on 127.0.0.1.

    .venv/bin/python bench/search.py                  (make bench-search; about 6 minutes)
    .venv/bin/python bench/search.py --quick          # smoke run: 1,000 offers, 10 users, 15 s
    .venv/bin/python bench/search.py --strict         # exit status 1 when a target is missed
    .venv/bin/python bench/search.py --no-load        # data, EXPLAIN and the per-request CPU only

Creates its own throw-away database `conciliare_bench_search` on the server named by
DATABASE_URL (or postgres@127.0.0.1:5432), migrates it with production settings
(`bench/search_settings.py`), creates suppliers that may sell (approved, current charter
signed, DURC valid, area from `municipalities_within`) and published offers with Italian
titles, descriptions and sessions, checks with EXPLAIN that the words query can use the GIN
index `catalogue_offer_search_vector`, then serves the project with gunicorn on a free
loopback port and runs locust as its own process (never imported here: it monkey-patches
with gevent). Each locust run mixes search requests with the trivial `/health/` view, so the
two percentiles come from the same load; the HTML page `/offerte/` and the JSON API
`/api/v1/offers/` get one run each when they exist. Before the load, each search is also timed
one at a time in process, with the CPU it costs Django and PostgreSQL; during the load, the
script reports how many cores gunicorn, PostgreSQL, locust and anything else used, so that a run
disturbed by other work on the machine shows. The database, gunicorn and locust are cleaned up at
the end, also on Ctrl-C, SIGTERM or an error.

Target (issue 5): search p99 under 200 ms, and under 4x the p99 of the trivial view.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling bench module: the server, the machine.
from ledger import ROOT, Server, admin_connection, cpu_model, log, memory_gib, server_from_environment

BENCH_DIR = Path(__file__).resolve().parent

SEARCH_DB = "conciliare_bench_search"
SETTINGS_MODULE = "search_settings"  # bench/search_settings.py
INDEX = "catalogue_offer_search_vector"
TARGET_P99_MS = 200.0
TARGET_RATIO = 4.0
HEALTH_PATH = "/health/"
PAGE_PATH = "/offerte/"
API_PATH = "/api/v1/offers/"
SEED = 20261122


def fail(message: str, status: int = 2) -> NoReturn:
    print(f"bench-search: {message}", file=sys.stderr)
    raise SystemExit(status)


# --- Our own database -------------------------------------------------------------------


def recreate_database(server: Server, *, create: bool) -> None:
    from psycopg import sql

    with admin_connection(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(SEARCH_DB)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SEARCH_DB)))


def drop_quietly(server: Server) -> None:
    try:
        recreate_database(server, create=False)
    except BaseException as error:  # never hide the original failure behind a cleanup failure
        print(f"bench-search: could not drop {SEARCH_DB}: {error}", file=sys.stderr)


def django_environment(server: Server, static_root: Path) -> dict[str, str]:
    """The environment of this process (migrate, data, EXPLAIN) and of gunicorn alike."""
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": server.url(SEARCH_DB),
        # Persistent connections as in production (.env.example: 60 s); 600 s so that no backend is
        # replaced during a measured run and the CPU accounting of PostgreSQL backends stays complete.
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CONCILIARE_BENCH_STATIC_ROOT": str(static_root),
        "CONCILIARE_PRIVATE_MEDIA": str(static_root.parent / "private"),
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
    }


def setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != SEARCH_DB:
        fail(f"Django is not pointed at {SEARCH_DB} on PostgreSQL; refusing to run.", status=1)
    if settings.DEBUG:
        fail("DEBUG is on; the figures would be meaningless.", status=1)


# --- The catalogue: suppliers and offers --------------------------------------------------

SUPPLIER_KINDS = [
    ("Cooperativa Sociale", ["nursery", "micro_nursery", "early_childhood_centre", "pre_school", "after_school"]),
    ("Cooperativa Sociale", ["summer_camp", "baby_summer_camp", "youth_centre", "day_centre_minors"]),
    ("Cooperativa Sociale", ["home_care", "day_centre_elderly", "carer", "transport_frail"]),
    ("Fondazione", ["day_centre_elderly", "day_centre_disabled", "home_care"]),
    ("Associazione", ["summer_camp", "after_school", "courses", "youth_centre"]),
    ("Asilo Nido", ["nursery", "micro_nursery", "family_nursery"]),
    ("Società Sportiva Dilettantistica", ["gym_wellbeing", "summer_camp", "courses"]),
    ("Servizi", ["concierge", "grocery_delivery", "babysitter"]),
    ("Azienda Agricola", ["local_food"]),
    ("Bottega", ["craft_products", "local_food"]),
    ("Scuola", ["courses", "school_canteen", "after_school"]),
]
SUPPLIER_NAMES = [
    "Il Girasole", "L'Arcobaleno", "La Coccinella", "Il Piccolo Principe", "Sorriso", "La Fenice", "Il Sentiero",
    "Monte Isola", "Sebino", "Valle Camonica", "Il Melograno", "La Rondine", "Il Castagno", "Orizzonti",
    "Il Ponte", "La Bussola", "Il Faro", "Arca", "Insieme", "Passo dopo Passo", "Il Glicine", "La Quercia",
    "Il Mulino", "Le Api", "San Giorgio", "Santa Maria", "Borgo Antico", "Il Lago", "Val Cavallina",
    "Alto Sebino", "Il Tiglio", "Stella Alpina", "La Ginestra", "Il Gelso", "Il Nido delle Rondini",
]  # fmt: skip
FIRST_NAMES = ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Paolo", "Sara", "Andrea", "Elena", "Davide"]
LAST_NAMES = ["Bonetti", "Rota", "Cattaneo", "Belotti", "Pezzotta", "Zanotti", "Bettoni", "Ghirardelli"]

# Per category: title stems, then sentences for the description; "{m}" is the seat's municipality.
TEXTS: dict[str, tuple[list[str], list[str]]] = {
    "nursery": (
        [
            "Asilo nido {n}",
            "Nido d'infanzia {n}",
            "Asilo nido comunale di {m}",
            "Nido {n}: tempo pieno",
            "Nido {n}: part time mattino",
        ],
        [
            "Accogliamo bambini dai 3 ai 36 mesi in un ambiente sereno e stimolante.",
            "Educatrici qualificate, rapporto numerico secondo la normativa regionale.",
            "Pasti preparati nella nostra cucina interna con prodotti a km zero.",
            "Inserimento graduale concordato con la famiglia.",
            "Ampio giardino e laboratori di manipolazione, musica e lettura.",
            "Apertura dalle 7.30 alle 18.00, anche nel mese di luglio.",
        ],
    ),
    "micro_nursery": (
        ["Micronido {n}", "Micronido aziendale a {m}", "Piccolo nido {n}"],
        [
            "Un micronido per pochi bambini, con attenzione ai ritmi di ciascuno.",
            "Orari flessibili pensati per chi lavora su turni.",
            "Spazi raccolti, nanna e pappa come a casa.",
            "Colloqui periodici con le famiglie e diario giornaliero.",
        ],
    ),
    "family_nursery": (
        ["Nido famiglia {n}", "Tagesmutter a {m}", "Nido in famiglia {n}"],
        [
            "Accoglienza domiciliare per un piccolo gruppo di bambini.",
            "Educatrice formata secondo le linee guida regionali.",
            "Ritmi familiari, uscite al parco e giochi all'aperto.",
        ],
    ),
    "early_childhood_centre": (
        ["Centro prima infanzia {n}", "Spazio gioco {n}", "Centro per bambini e genitori a {m}"],
        [
            "Mattine di gioco per bambini da 1 a 3 anni con un genitore o un nonno.",
            "Laboratori sensoriali, musica e letture animate.",
            "Un luogo di incontro per le famiglie del territorio.",
        ],
    ),
    "pre_school": (
        ["Scuola dell'infanzia {n}", "Scuola materna paritaria {n}", "Sezione primavera {n}"],
        [
            "Scuola dell'infanzia paritaria per bambini dai 3 ai 6 anni.",
            "Progetto educativo con inglese, psicomotricità e orto didattico.",
            "Servizio di pre e post scuola su richiesta.",
            "Mensa interna con menù approvato dall'ATS.",
        ],
    ),
    "school_canteen": (
        ["Mensa scolastica {m}", "Servizio mensa {n}", "Pasti per la scuola primaria di {m}"],
        [
            "Pasti cucinati in giornata con ingredienti locali e biologici.",
            "Diete speciali per allergie e intolleranze.",
            "Buoni pasto mensili per la scuola primaria e secondaria.",
        ],
    ),
    "summer_camp": (
        [
            "CRE estate {n}",
            "Centro ricreativo estivo {n}",
            "CRE sportivo a {m}",
            "Campus estivo {n}",
            "CRE in oratorio a {m}",
        ],
        [
            "Settimane di centro ricreativo estivo per ragazzi dai 6 ai 14 anni.",
            "Giochi, gite, piscina e laboratori creativi tutti i giorni.",
            "Animatori formati e coordinatore educativo presente.",
            "Pranzo incluso e possibilità di orario prolungato fino alle 18.",
            "Iscrizione a settimane, da giugno a settembre.",
        ],
    ),
    "baby_summer_camp": (
        ["Baby CRE {n}", "CRE per i piccoli a {m}", "Estate bimbi {n}"],
        [
            "Centro estivo per bambini dai 3 ai 6 anni.",
            "Giochi d'acqua, laboratori e riposo pomeridiano.",
            "Piccoli gruppi seguiti da educatrici della scuola dell'infanzia.",
        ],
    ),
    "after_school": (
        ["Doposcuola {n}", "Pre e post scuola a {m}", "Aiuto compiti {n}", "Spazio compiti {n}"],
        [
            "Pre scuola dalle 7.30 e post scuola fino alle 18.00.",
            "Aiuto nei compiti con educatori e volontari.",
            "Merenda sana e giochi in cortile.",
            "Trasporto dalla scuola primaria alla sede.",
        ],
    ),
    "youth_centre": (
        ["Centro di aggregazione giovanile {n}", "CAG {n}", "Spazio giovani {m}"],
        [
            "Pomeriggi per ragazzi dagli 11 ai 18 anni: musica, sport e progetti.",
            "Educatori professionali e sala prove.",
            "Laboratori di teatro, video e cittadinanza attiva.",
        ],
    ),
    "day_centre_minors": (
        ["Centro diurno minori {n}", "Servizio educativo diurno {n}"],
        [
            "Sostegno educativo pomeridiano per minori e famiglie.",
            "Percorsi individuali concordati con i servizi sociali.",
            "Attività sportive e laboratori espressivi.",
        ],
    ),
    "babysitter": (
        ["Babysitter a domicilio {n}", "Servizio baby sitting a {m}", "Tata su chiamata {n}"],
        [
            "Babysitter referenziate con corso di primo soccorso pediatrico.",
            "Disponibili la sera, nei weekend e durante le vacanze scolastiche.",
            "Anche per bambini con bisogni speciali.",
        ],
    ),
    "home_care": (
        [
            "Assistenza domiciliare {n}",
            "Assistenza domiciliare anziani a {m}",
            "SAD e ADI {n}",
            "Assistenza infermieristica a domicilio",
        ],
        [
            "Operatori socio sanitari per igiene personale, pasti e compagnia.",
            "Assistenza domiciliare integrata con infermieri e fisioterapisti.",
            "Attivazione rapida, anche dopo una dimissione ospedaliera.",
            "Un coordinatore segue la famiglia e aggiorna il piano di assistenza.",
        ],
    ),
    "day_centre_elderly": (
        ["Centro diurno anziani {n}", "Centro diurno integrato {n}", "CDI di {m}"],
        [
            "Accoglienza diurna per anziani con animazione, fisioterapia e pasti.",
            "Trasporto andata e ritorno dal domicilio.",
            "Infermiere presente tutto il giorno.",
        ],
    ),
    "day_centre_disabled": (
        ["Centro diurno disabili {n}", "CSE {n}", "Centro socio educativo a {m}"],
        [
            "Percorsi educativi e di autonomia per persone con disabilità.",
            "Laboratori occupazionali, sport adattato e uscite sul territorio.",
            "Équipe di educatori, OSS e terapisti.",
        ],
    ),
    "carer": (
        ["Badante convivente {n}", "Ricerca e selezione badanti a {m}", "Assistente familiare {n}"],
        [
            "Selezione di assistenti familiari qualificate e sostituzioni per ferie.",
            "Gestione del contratto e dei contributi.",
            "Badanti conviventi o a ore.",
        ],
    ),
    "transport_frail": (
        ["Trasporto sociale {n}", "Accompagnamento a visite mediche da {m}", "Trasporto disabili {n}"],
        [
            "Accompagnamento a visite, terapie e centri diurni con mezzi attrezzati.",
            "Autisti volontari formati e pedana per carrozzine.",
            "Prenotazione con 48 ore di anticipo.",
        ],
    ),
    "concierge": (
        ["Maggiordomo aziendale {n}", "Servizio commissioni a {m}", "Portineria di quartiere {n}"],
        [
            "Ritiro e consegna di lavanderia, pratiche e pacchi sul luogo di lavoro.",
            "Commissioni in posta, farmacia e uffici comunali.",
            "Piccole riparazioni domestiche su appuntamento.",
        ],
    ),
    "grocery_delivery": (
        ["Spesa a domicilio {n}", "Consegna della spesa a {m}", "Cassetta di frutta e verdura {n}"],
        [
            "Spesa consegnata a casa in giornata nei comuni serviti.",
            "Prodotti del territorio e dei mercati locali.",
            "Ordine per telefono o online, pagamento alla consegna.",
        ],
    ),
    "gym_wellbeing": (
        [
            "Abbonamento palestra {n}",
            "Corso di yoga a {m}",
            "Piscina e acquagym {n}",
            "Pilates {n}",
            "Nuoto per bambini {n}",
        ],
        [
            "Sala attrezzi, corsi di gruppo e istruttori qualificati.",
            "Yoga, pilates e ginnastica posturale per tutte le età.",
            "Corsi di nuoto per bambini e acquagym per adulti.",
            "Orari anche in pausa pranzo e la sera.",
        ],
    ),
    "courses": (
        [
            "Corso di inglese {n}",
            "Corso di informatica a {m}",
            "Corso di cucina {n}",
            "Lezioni di musica {n}",
            "Corso di fotografia {n}",
        ],
        [
            "Piccoli gruppi, docenti madrelingua e materiale incluso.",
            "Corsi serali per adulti e laboratori per ragazzi.",
            "Attestato di frequenza alla fine del corso.",
            "Lezioni di chitarra, pianoforte e canto.",
        ],
    ),
    "local_food": (
        [
            "Formaggio di capra {n}",
            "Miele di castagno {n}",
            "Olio extravergine del Sebino",
            "Salame nostrano {n}",
            "Farina di mais {n}",
            "Cassetta di verdura di stagione",
        ],
        [
            "Prodotto nella nostra azienda agricola con metodi tradizionali.",
            "Dalla filiera corta del lago d'Iseo e delle valli.",
            "Ritiro in azienda o consegna nei comuni vicini.",
            "Biologico certificato.",
        ],
    ),
    "craft_products": (
        ["Ceramiche artigianali {n}", "Cesti in vimini {n}", "Saponi naturali {n}", "Borse in tessuto {n}"],
        [
            "Oggetti fatti a mano nella nostra bottega.",
            "Materiali del territorio e lavorazioni tradizionali.",
            "Pezzi unici, anche su ordinazione.",
        ],
    ),
}
ORIGINS = ["Alpeggio in Val Camonica", "Azienda agricola sul Sebino", "Colline di Lovere", "Valle di Scalve"]
# How many offers per category, relative: children's services are most of the catalogue.
CATEGORY_WEIGHTS = {
    "nursery": 8, "micro_nursery": 3, "family_nursery": 2, "early_childhood_centre": 3, "pre_school": 5,
    "school_canteen": 2, "summer_camp": 10, "baby_summer_camp": 4, "after_school": 6, "youth_centre": 3,
    "day_centre_minors": 2, "babysitter": 5, "home_care": 8, "day_centre_elderly": 4, "day_centre_disabled": 2,
    "carer": 4, "transport_frail": 3, "concierge": 3, "grocery_delivery": 4, "gym_wellbeing": 6, "courses": 6,
    "local_food": 5, "craft_products": 2,
}  # fmt: skip
UNITS = {
    "nursery": ("month", 30_000, 75_000), "micro_nursery": ("month", 30_000, 65_000),
    "family_nursery": ("month", 25_000, 55_000), "early_childhood_centre": ("session", 800, 2_500),
    "pre_school": ("month", 10_000, 30_000), "school_canteen": ("month", 6_000, 12_000),
    "summer_camp": ("week", 6_000, 18_000), "baby_summer_camp": ("week", 7_000, 17_000),
    "after_school": ("month", 4_000, 15_000), "youth_centre": ("month", 1_000, 5_000),
    "day_centre_minors": ("month", 5_000, 25_000), "babysitter": ("hour", 900, 1_600),
    "home_care": ("hour", 1_800, 3_000), "day_centre_elderly": ("day", 3_000, 7_000),
    "day_centre_disabled": ("day", 3_000, 8_000), "carer": ("month", 80_000, 160_000),
    "transport_frail": ("session", 1_000, 4_000), "concierge": ("session", 500, 3_000),
    "grocery_delivery": ("piece", 500, 3_000), "gym_wellbeing": ("month", 3_000, 8_000),
    "courses": ("session", 1_500, 6_000), "local_food": ("piece", 300, 3_000),
    "craft_products": ("piece", 1_000, 8_000),
}  # fmt: skip
WITH_SESSIONS = {"summer_camp", "baby_summer_camp", "courses", "gym_wellbeing", "early_childhood_centre"}


@dataclass
class Catalogue:
    suppliers: int = 0
    sellable_suppliers: int = 0
    offers: int = 0
    published: int = 0
    sessions: int = 0
    photos: int = 0
    municipalities: list[tuple[int, str]] = field(default_factory=list)  # alliance (id, ISTAT code), for queries
    tokens: list[str] = field(default_factory=list)


def populate(n_offers: int, n_suppliers: int, n_tokens: int) -> Catalogue:
    """Bulk inserts: the rows the services would write (search_text as `catalogue.services._search_text`)."""
    from django.db import transaction
    from django.utils import timezone, translation
    from rest_framework.authtoken.models import Token

    from conciliare.accounts.models import Organization, OrganizationRoleAssignment, User
    from conciliare.catalogue.categories import CATEGORY_INFO, category_label
    from conciliare.catalogue.models import Offer, OfferPhoto, OfferSession, OfferStatus
    from conciliare.suppliers.eligibility import charter_current
    from conciliare.suppliers.models import CharterSignature, Supplier, SupplierStatus
    from conciliare.suppliers.services import municipalities_within
    from conciliare.territory.models import Municipality

    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    charter = charter_current()
    if charter is None:
        fail("No charter version in force after migrate (suppliers/0002 should publish v1).", status=1)
    alliance = list(Municipality.objects.filter(district__isnull=False).order_by("pk"))
    # Suppliers sit where people live: weight the seats by population.
    seats = rng.choices(alliance, weights=[m.population for m in alliance], k=n_suppliers)
    catalogue = Catalogue(municipalities=[(m.pk, m.istat_code) for m in alliance])

    with transaction.atomic(), translation.override("it"):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"fornitore{i}@bench.example",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password="!",
                )
                for i in range(n_suppliers)
            ]
        )
        kinds = [SUPPLIER_KINDS[i % len(SUPPLIER_KINDS)] for i in range(n_suppliers)]
        organizations = Organization.objects.bulk_create(
            [
                Organization(
                    name=f"{kind[0]} {SUPPLIER_NAMES[i % len(SUPPLIER_NAMES)]}"
                    + (f" {i // len(SUPPLIER_NAMES) + 1}" if i >= len(SUPPLIER_NAMES) else ""),
                    municipality=seat,
                    address=f"Via Roma {i + 1}",
                )
                for i, (kind, seat) in enumerate(zip(kinds, seats, strict=True))
            ]
        )
        OrganizationRoleAssignment.objects.bulk_create(
            [OrganizationRoleAssignment(organization=o, role="supplier") for o in organizations]
        )
        # One supplier in twenty may not sell (expired DURC or still under review): hidden by the search.
        statuses = [
            (SupplierStatus.SUBMITTED if i % 40 == 7 else SupplierStatus.APPROVED, i % 40 == 27)
            for i in range(n_suppliers)
        ]
        suppliers = Supplier.objects.bulk_create(
            [
                Supplier(
                    organization=organization,
                    status=status,
                    description=f"{organization.name}: servizi per le famiglie a {seat.name} e dintorni.",
                    iban="IT60X0542811101000000123456",
                    contact_name=f"{user.first_name} {user.last_name}",
                    contact_email=user.email,
                    contact_phone="035 000000",
                    home_service=rng.random() < 0.3,
                    area_mode="radius",
                    service_radius_km=rng.choice([5, 10, 15, 20, 30]),
                    categories=kind[1],
                    durc_expires_on=today - datetime.timedelta(days=3)
                    if expired
                    else today + datetime.timedelta(days=rng.randint(30, 300)),
                    durc_document="suppliers/durc/2026/durc.pdf",
                    applied_by=user,
                    submitted_at=now - datetime.timedelta(days=60),
                    decided_at=now - datetime.timedelta(days=50) if status == SupplierStatus.APPROVED else None,
                )
                for organization, user, seat, kind, (status, expired) in zip(
                    organizations, users, seats, kinds, statuses, strict=True
                )
            ]
        )
        CharterSignature.objects.bulk_create(
            [
                CharterSignature(organization=o, version=charter, signed_by=u)
                for o, u in zip(organizations, users, strict=True)
            ]
        )
        served: dict[int, list[Municipality]] = {}
        through = Supplier.served_municipalities.through
        rows = []
        for supplier, seat in zip(suppliers, seats, strict=True):
            served[supplier.pk] = municipalities_within(seat, supplier.service_radius_km or 10)
            rows += [through(supplier_id=supplier.pk, municipality_id=m.pk) for m in served[supplier.pk]]
        through.objects.bulk_create(rows)
        catalogue.suppliers = len(suppliers)
        catalogue.sellable_suppliers = sum(1 for s, e in statuses if s == SupplierStatus.APPROVED and not e)

        # As `catalogue.services._search_text`: the category's name in both languages.
        labels: dict[str, list[str]] = {code: [] for code in CATEGORY_WEIGHTS}
        for language in ("it", "en"):
            with translation.override(language):
                for code in labels:
                    labels[code].append(str(category_label(code)))
        offers: list[Offer] = []
        own_areas: list[list[Municipality]] = []
        codes = list(CATEGORY_WEIGHTS)
        by_category: dict[str, list[int]] = {code: [] for code in codes}
        for index, (_, categories) in enumerate(kinds):
            for code in categories:
                by_category[code].append(index)
        for i in range(n_offers):
            code = rng.choices(codes, weights=[CATEGORY_WEIGHTS[c] for c in codes])[0]
            s = rng.choice(by_category[code])
            supplier, organization, seat = suppliers[s], organizations[s], seats[s]
            titles, sentences = TEXTS[code]
            name = SUPPLIER_NAMES[rng.randrange(len(SUPPLIER_NAMES))]
            title = rng.choice(titles).format(n=name, m=seat.name)[:140]
            description = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(2, 4))))
            description += f" Sede a {seat.name}."
            info = CATEGORY_INFO[code]
            unit, low, high = UNITS[code]
            minimum, maximum = info.min_age_months, info.max_age_months
            if maximum is not None and rng.random() < 0.3:  # some narrow the usual range
                minimum = (minimum or 0) + 12 * rng.randint(0, max(0, (maximum - (minimum or 0)) // 24))
            whole_area = rng.random() >= 0.1
            status = OfferStatus.PUBLISHED
            if i % 50 == 3:
                status = OfferStatus.DRAFT
            elif i % 50 == 4:
                status = OfferStatus.WITHDRAWN
            origin = rng.choice(ORIGINS) if info.product else ""
            offer = Offer(
                supplier=supplier,
                kind="product" if info.product else "service",
                category=code,
                title=title,
                description=description,
                origin=origin,
                price=rng.randrange(low, high, 50),
                vat_rate=rng.choice(["0.00", "5.00", "22.00"]),
                unit=unit,
                min_age_months=minimum,
                max_age_months=maximum,
                home_service=code in {"home_care", "babysitter", "carer", "grocery_delivery"},
                whole_area=whole_area,
                capacity=rng.choice([None, 10, 20, 40]),
                status=status,
                published_at=now - datetime.timedelta(days=rng.randint(1, 90))
                if status == OfferStatus.PUBLISHED
                else None,
            )
            parts = [title, description, origin, organization.name, *labels[code]]
            offer.search_text = "\n".join(part for part in parts if part)
            offers.append(offer)
            area = served[supplier.pk]
            own_areas.append([] if whole_area else rng.sample(area, k=max(1, len(area) // 3)))
        offers = Offer.objects.bulk_create(offers, batch_size=2_000)
        offer_through = Offer.served_municipalities.through
        offer_through.objects.bulk_create(
            [
                offer_through(offer_id=o.pk, municipality_id=m.pk)
                for o, area in zip(offers, own_areas, strict=True)
                for m in area
            ],
            batch_size=5_000,
        )
        sessions = []
        photos = []
        for offer in offers:
            if offer.category in WITH_SESSIONS:
                start = now.replace(hour=8, minute=30, second=0, microsecond=0) + datetime.timedelta(
                    days=rng.randint(7, 60)
                )
                weekly = offer.category in {"summer_camp", "baby_summer_camp"}
                for k in range(rng.randint(2, 8)):
                    starts = start + datetime.timedelta(days=7 * k)
                    seats_n = rng.choice([10, 15, 20, 30, 40])
                    sessions.append(
                        OfferSession(
                            offer=offer,
                            label=f"Settimana {k + 1}" if weekly else f"Lezione {k + 1}",
                            starts_at=starts,
                            ends_at=starts
                            + (datetime.timedelta(days=4, hours=9) if weekly else datetime.timedelta(hours=1)),
                            seats=seats_n,
                            seats_taken=seats_n if rng.random() < 0.15 else rng.randint(0, seats_n - 1),
                        )
                    )
            for position in range(rng.choice([0, 0, 1, 1, 2])):
                photos.append(
                    OfferPhoto(
                        offer=offer,
                        image=f"catalogue/photos/2026/bench-{offer.pk}-{position}.webp",
                        thumbnail=f"catalogue/thumbnails/2026/bench-{offer.pk}-{position}.webp",
                        alt_text=f"{offer.title}, foto {position + 1}",
                        width=1200,
                        height=800,
                        position=position,
                    )
                )
        OfferSession.objects.bulk_create(sessions, batch_size=5_000)
        OfferPhoto.objects.bulk_create(photos, batch_size=5_000)
        catalogue.offers = len(offers)
        catalogue.published = sum(1 for o in offers if o.status == OfferStatus.PUBLISHED)
        catalogue.sessions = len(sessions)
        catalogue.photos = len(photos)

        # People searching through the API (used only if it refuses anonymous calls): plain citizens.
        people = User.objects.bulk_create(
            [User(email=f"cittadino{i}@bench.example", password="!") for i in range(n_tokens)]
        )
        catalogue.tokens = [Token.objects.create(user=u).key for u in people]
    return catalogue


def analyze() -> None:
    """What autovacuum would have done after such a load: statistics for the planner."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- EXPLAIN: the words query can use the GIN index ---------------------------------------


@dataclass
class Explained:
    label: str
    sql_ms: float
    plan: str


def _plan_summary(plan: str) -> str:
    keep = ("Scan", "Join", "Loop", "Sort", "Limit", "Aggregate", "Execution Time", "Planning Time")
    lines = [line.rstrip() for line in plan.splitlines() if any(word in line for word in keep)]
    shorten = [line if len(line) <= 150 else line[:146] + " ..." for line in lines if "Sort Key" not in line]
    return "\n".join("    " + line for line in shorten)


def explain_words(sample_municipality: int) -> list[Explained]:  # an id
    """Asserts the index is usable for the filter; returns plans of representative searches."""
    from django.db import connection, transaction

    from conciliare.catalogue.search import SearchCriteria, offer_search
    from conciliare.territory.models import Municipality

    origin = Municipality.objects.get(pk=sample_municipality)
    words_only = offer_search(SearchCriteria(words="asilo nido"))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        forced = words_only.explain()
    if INDEX not in forced:
        print(forced, file=sys.stderr)
        fail(f"The words query cannot use the GIN index {INDEX}: the filter does not read its column.", 1)

    cases = [
        ("words 'asilo nido', no origin", SearchCriteria(words="asilo nido")),
        ("words 'CRE estate', origin, 20 km", SearchCriteria(words="CRE estate", origin=origin, max_km=Decimal(20))),
        ("category home_care, origin, serves", SearchCriteria(category="home_care", origin=origin, serves=origin)),
        ("no filter, origin (nearest first)", SearchCriteria(origin=origin)),
    ]
    results = []
    for label, criteria in cases:
        queryset = offer_search(criteria)
        page = queryset[:20]
        plan = page.explain(analyze=True)
        started = time.perf_counter()
        list(page)
        queryset.count()
        results.append(Explained(label, (time.perf_counter() - started) * 1000, plan))
    return results


# --- In process: where a request's time goes ---------------------------------------------


@dataclass
class Profiled:
    label: str
    status: int
    median_ms: float  # wall clock, one request at a time
    queries: int
    sql_ms: float  # as seen by Django (wall clock, round trips included)
    django_cpu_ms: float  # CPU of the Django process per request
    postgres_cpu_ms: float  # CPU of its PostgreSQL backend per request (nan when unreadable)
    results: str

    @property
    def cpu_ms(self) -> float:
        return self.django_cpu_ms + (0.0 if self.postgres_cpu_ms != self.postgres_cpu_ms else self.postgres_cpu_ms)


SAMPLE_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("words 'asilo nido', 20 km", {"q": "asilo nido", "origin": True, "km": "20"}),
    ("words 'CRE estate'", {"q": "CRE estate"}),
    ("category home_care, nearest", {"category": "home_care", "origin": True}),
    ("child 4 years, nearest", {"age": "4", "origin": True}),
    ("everything, nearest", {"origin": True}),
]


def _sample_params(kind: str, sample: dict[str, Any], origin: tuple[int, str]) -> dict[str, str]:
    names = {
        "page": {"q": "q", "category": "categoria", "origin": "da", "km": "km", "age": "eta"},
        "api": {"q": "q", "category": "category", "origin": "origin", "km": "max_km", "age": "child_age"},
    }[kind]
    params = {}
    for key, value in sample.items():
        if key == "origin":
            params[names[key]] = str(origin[0] if kind == "page" else origin[1])
        else:
            params[names[key]] = str(value)
    return params


def _cpu_ns(pid: int) -> int | None:
    """Time a process has run on a CPU, in ns (Linux schedstat); unlike wall time, not inflated by load."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def profile_in_process(origin: tuple[int, str], repeat: int = 9) -> list[Profiled]:
    """Each sample search through Django's test client, one at a time: wall time, SQL, and CPU.

    The CPU of both the Django process and its PostgreSQL backend is what a request costs the
    machine, whatever else runs on it: two cores serve at most 2,000 / cpu_ms requests per second.
    """
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1", HTTP_ACCEPT_LANGUAGE="it", REMOTE_ADDR="10.9.9.9")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    samples: list[tuple[str, str, str, dict[str, str]]] = [("trivial", HEALTH_PATH, "health", {})]
    for kind, path in (("page", PAGE_PATH), ("api", API_PATH)):
        samples += [(kind, path, label, _sample_params(kind, sample, origin)) for label, sample in SAMPLE_QUERIES]
    missing = set()
    results = []
    for kind, path, label, params in samples:
        if kind in missing:
            continue
        response = client.get(path, params)
        if response.status_code == 404:  # this checkout has no such endpoint
            missing.add(kind)
            continue
        times = []
        django_cpu = postgres_cpu = 0
        postgres_readable = True
        for _ in range(repeat):
            started_pg = _cpu_ns(backend)
            started_cpu = time.process_time_ns()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            django_cpu += time.process_time_ns() - started_cpu
            ended_pg = _cpu_ns(backend)
            if started_pg is None or ended_pg is None:
                postgres_readable = False
            else:
                postgres_cpu += ended_pg - started_pg
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        found = ""
        if response.status_code == 200 and kind == "api":
            found = f"{response.json().get('count', '?')} found"
        results.append(
            Profiled(
                f"{kind}: {label}",
                response.status_code,
                statistics.median(times),
                len(queries.captured_queries),
                sql_ms,
                django_cpu / repeat / 1e6,
                postgres_cpu / repeat / 1e6 if postgres_readable else float("nan"),
                found,
            )
        )
    return results


# --- gunicorn and locust ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bin_path(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        fail(f"`{name}` is not installed (make bench-search installs the dev dependencies).")
    return found


def stop(process: subprocess.Popen[bytes] | None, name: str) -> None:
    """Ends a process we started (and its children) by its own process group."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        print(f"bench-search: {name} did not stop in 15 s; killing it", file=sys.stderr)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def fetch(url: str, *, token: str = "", timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": "it"})  # noqa: S310 - our own http URL
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own http URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def gunicorn(
    environment: dict[str, str], port: int, workers: int, threads: int, log_path: Path, access_log: str = ""
) -> Iterator[tuple[str, int]]:
    """Yields the base URL and the master's pid."""
    command = [
        bin_path("gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    if access_log:  # the server's own time per request (ms), to tell server time from client and network time
        command += ["--access-logfile", access_log, "--access-logformat", "%(M)s %(s)s %(U)s"]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            command,
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: stopped by id, not by name
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-3000:]}", 1)
                try:
                    if fetch(base + HEALTH_PATH, timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    fail(f"gunicorn did not answer in 60 s:\n{log_path.read_text()[-3000:]}", 1)
                time.sleep(0.2)
            yield base, process.pid
        finally:
            stop(process, "gunicorn")


@dataclass
class Target:
    name: str  # the locust request name; also the table label
    path: str
    kind: str  # "page" or "api"
    token_required: bool = False


def probe(base: str, catalogue: Catalogue, only: str) -> list[Target]:
    """The search endpoints that exist on this checkout, checked with one real query each."""
    targets = []
    pk, istat_code = catalogue.municipalities[0]
    if only in ("page", "both"):
        status, _ = fetch(f"{base}{PAGE_PATH}?q=asilo&da={pk}&km=20")
        if status == 200:
            targets.append(Target("search page /offerte/", PAGE_PATH, "page"))
        else:
            log(f"bench-search: {PAGE_PATH} answers {status}; the HTML page is not benchmarked")
    if only in ("api", "both"):
        url = f"{base}{API_PATH}?q=asilo&origin={istat_code}&max_km=20"
        status, _ = fetch(url)
        token_required = status in (401, 403)
        if token_required:
            status, _ = fetch(url, token=catalogue.tokens[0])
        if status == 200:
            targets.append(Target("search api /api/v1/offers/", API_PATH, "api", token_required))
        else:
            log(f"bench-search: {API_PATH} answers {status}; the API is not benchmarked")
    return targets


# One of each kind of search the load sends (words, category, place served, price, age, dates, sort,
# page 2), so that every worker has run each code path once before the measured run: what a worker
# does only on its first request of a kind is start-up, not latency under load. Page names, then API.
WARM_UP_SHAPES: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"q": "asilo", "da": "{pk}", "km": "20"}, {"q": "asilo", "origin": "{istat}", "max_km": "20"}),
    ({"categoria": "home_care", "da": "{pk}"}, {"category": "home_care", "origin": "{istat}"}),
    (
        {"q": "assistenza", "da": "{pk}", "comune": "{pk}", "prezzo_max": "500"},
        {"q": "assistenza", "origin": "{istat}", "municipality": "{istat}", "max_price": "500"},
    ),
    ({"eta": "4", "da": "{pk}", "ordine": "price"}, {"child_age": "4", "origin": "{istat}", "sort": "price"}),
    ({"q": "CRE", "ordine": "relevance", "pagina": "2"}, {"q": "CRE", "sort": "relevance", "page": "2"}),
    (
        {"q": "yoga", "dal": "{start}", "al": "{end}"},
        {"q": "yoga", "available_from": "{start}", "available_to": "{end}"},
    ),
]


def warm_up(base: str, targets: list[Target], catalogue: Catalogue, seconds: float) -> int:
    """Sequential requests of every kind, so that every worker has imported, compiled and connected."""
    import urllib.parse

    rng = random.Random(SEED + 1)
    start = datetime.date.today() + datetime.timedelta(days=10)
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for target in targets:
            for page_shape, api_shape in WARM_UP_SHAPES:
                pk, istat_code = rng.choice(catalogue.municipalities)
                values = {"pk": pk, "istat": istat_code, "start": start, "end": start + datetime.timedelta(days=13)}
                shape = page_shape if target.kind == "page" else api_shape
                query = urllib.parse.urlencode({key: value.format(**values) for key, value in shape.items()})
                token = catalogue.tokens[0] if target.token_required else ""
                fetch(f"{base}{target.path}?{query}", token=token)
                fetch(base + HEALTH_PATH)
                done += 2
    return done


@dataclass
class Stats:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    average: float
    maximum: float


def read_stats(path: Path) -> dict[str, Stats]:
    result = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue

            def number(key: str, row: dict[str, str] = row) -> float:
                value = row.get(key) or "0"
                return float(value) if value != "N/A" else float("nan")

            result[row["Name"]] = Stats(
                name=row["Name"],
                requests=int(number("Request Count")),
                failures=int(number("Failure Count")),
                rps=number("Requests/s"),
                p50=number("50%"),
                p95=number("95%"),
                p99=number("99%"),
                average=number("Average Response Time"),
                maximum=number("Max Response Time"),
            )
    return result


@dataclass
class RunResult:
    target: Target
    search: Stats
    health: Stats
    locust_status: int
    load_before: str
    load_after: str
    cpu: CpuUse

    @property
    def ratio(self) -> float:
        return self.search.p99 / self.health.p99 if self.health.p99 > 0 else float("inf")

    @property
    def passed(self) -> bool:
        failures = self.search.failures + self.health.failures
        return failures == 0 and self.search.p99 < TARGET_P99_MS and self.ratio < TARGET_RATIO


@dataclass
class CpuUse:
    """Cores in use on average during a locust run (ramp-up included)."""

    machine: float
    gunicorn: float
    postgres: float
    locust: float
    cores: int

    def __str__(self) -> str:
        other = max(0.0, self.machine - self.gunicorn - self.postgres - self.locust)
        return (
            f"cores busy during the run: {self.machine:.2f} of {self.cores}: gunicorn {self.gunicorn:.2f}, "
            f"PostgreSQL {self.postgres:.2f}, locust {self.locust:.2f}, anything else on the machine {other:.2f}"
        )


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, elapsed) CPU seconds summed over all cores, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - values[3] - values[4]) / ticks, sum(values) / ticks


def _process_cpu(match: Callable[[int, list[str], bytes], bool]) -> dict[int, float]:
    """CPU seconds (all threads) of the processes `match(pid, stat fields, cmdline)` selects."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if match(pid, fields, (stat.parent / "cmdline").read_bytes()):
                found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return found


def server_cpu(gunicorn_pid: int) -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds of gunicorn (master and workers) and of the PostgreSQL backends of our database."""
    return (
        _process_cpu(lambda pid, fields, _: pid == gunicorn_pid or fields[1] == str(gunicorn_pid)),
        _process_cpu(lambda pid, fields, cmdline: cmdline.startswith(b"postgres:") and SEARCH_DB.encode() in cmdline),
    )


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples; a process that ended in between is missed, one that started counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def run_locust(
    base: str, server_pid: int, target: Target, catalogue: Catalogue, args: argparse.Namespace, workdir: Path
) -> RunResult:
    config = workdir / f"locust-{target.kind}.json"
    config.write_text(
        json.dumps(
            {
                "search_name": target.name,
                "search_path": target.path,
                "kind": target.kind,
                "tokens": catalogue.tokens if target.token_required else [],
                "municipalities": catalogue.municipalities,
                "wait": [args.wait_min, args.wait_max],
                "seed": SEED,
            }
        )
    )
    prefix = workdir / f"locust-{target.kind}"
    command = [
        bin_path("locust"),
        "-f",
        str(BENCH_DIR / "locustfile_search.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.seconds}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--reset-stats",  # the percentiles leave out the ramp-up
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    log(f"bench-search: locust, {args.users} users against {target.path} + {HEALTH_PATH} for {args.seconds} s")
    load_before = load_average()
    busy_before, elapsed_before = machine_cpu_seconds()
    server_before, postgres_before = server_cpu(server_pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(workdir / f"locust-{target.kind}.log", "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            command,
            cwd=ROOT,
            env={**os.environ, "CONCILIARE_BENCH_SEARCH_CONFIG": str(config)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            status = process.wait(timeout=args.seconds + 120)
        finally:
            stop(process, "locust")
    load_after = load_average()
    busy_after, elapsed_after = machine_cpu_seconds()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cores = os.cpu_count() or 1
    wall = (elapsed_after - elapsed_before) / cores
    locust_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    server_after, postgres_after = server_cpu(server_pid)
    cpu = CpuUse(
        machine=(busy_after - busy_before) / wall,
        gunicorn=_used(server_before, server_after) / wall,
        postgres=_used(postgres_before, postgres_after) / wall,
        locust=locust_cpu / wall,
        cores=cores,
    )
    stats_path = Path(f"{prefix}_stats.csv")
    if not stats_path.exists():
        fail(f"locust wrote no statistics:\n{(workdir / f'locust-{target.kind}.log').read_text()[-3000:]}", 1)
    stats = read_stats(stats_path)
    health_name = f"trivial {HEALTH_PATH}"
    if target.name not in stats or health_name not in stats:
        fail(f"locust statistics lack {target.name!r} or {health_name!r}: {sorted(stats)}", 1)
    failures_path = Path(f"{prefix}_failures.csv")
    if failures_path.exists() and failures_path.stat().st_size > 0:
        with open(failures_path, newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows[:5]:
            log(f"bench-search: failure {row.get('Name')}: {row.get('Error')} x{row.get('Occurrences')}")
    return RunResult(target, stats[target.name], stats[health_name], status, load_before, load_after, cpu)


# --- Report -------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    catalogue: Catalogue,
    explained: list[Explained],
    profiled: list[Profiled],
    results: list[RunResult],
    timings: dict[str, float],
) -> None:
    import django
    import psycopg
    from django.db import connection

    version = connection.cursor().connection.info.server_version
    print()
    print(f"Conciliare catalogue search under load — {datetime.datetime.now():%Y-%m-%d %H:%M}")
    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()}")
    print(
        f"PostgreSQL {version // 10000}.{version % 10000}, Python "
        f"{sys.version.split()[0]}, Django {django.get_version()}, psycopg {psycopg.__version__}"
    )
    print(
        f"Data: {catalogue.offers:,} offers ({catalogue.published:,} published), {catalogue.suppliers} suppliers "
        f"({catalogue.sellable_suppliers} may sell), {catalogue.sessions:,} sessions, {catalogue.photos:,} photos "
        f"(created in {timings['populate']:.1f} s, not timed below)"
    )
    worker_class = "gthread" if args.threads > 1 else "sync"
    print(
        f"Server: gunicorn {args.workers} workers x {args.threads} threads ({worker_class}), production settings, "
        f"DEBUG off, persistent connections; locust {args.users} users, spawn {args.spawn_rate}/s, {args.seconds} s "
        f"after ramp-up, wait {args.wait_min}-{args.wait_max} s, 3 searches : 1 health"
    )
    print()
    print(f"EXPLAIN: the words filter can use {INDEX} (checked with enable_seqscan off).")
    for item in explained:
        print(f"  {item.label}: {item.sql_ms:.1f} ms for the first 20 rows + count, in process")
        print(_plan_summary(item.plan))
    print()
    print("In process, one request at a time (Django test client; wall: median of 9, CPU: mean):")
    print(f"  {'request':<40} {'status':>6} {'wall ms':>8} {'SQL':>4} {'SQL ms':>7} {'CPU ms':>7} {'of which PG':>11}")
    for run in profiled:
        print(
            f"  {run.label:<40} {run.status:>6} {run.median_ms:>8.1f} {run.queries:>4} {run.sql_ms:>7.1f} "
            f"{run.cpu_ms:>7.1f} {run.postgres_cpu_ms:>11.1f}  {run.results}"
        )
    for kind in ("page", "api"):
        runs = [run for run in profiled if run.label.startswith(f"{kind}:")]
        if runs:
            cpu = sum(run.cpu_ms for run in runs) / len(runs)
            print(
                f"  {kind}: {cpu:.1f} ms of CPU per search on average: {os.cpu_count()} cores serve at most "
                f"~{1000 * (os.cpu_count() or 1) / cpu:.0f} such searches/s"
            )
    if not results:
        return
    print()
    header = f"{'endpoint':<28} {'requests':>8} {'fail':>4} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header)
    print("-" * len(header))
    for result in results:
        for stats in (result.search, result.health):
            print(
                f"{stats.name:<28} {stats.requests:>8,} {stats.failures:>4} {stats.rps:>6.1f} "
                f"{stats.p50:>7.0f} {stats.p95:>7.0f} {stats.p99:>7.0f}"
            )
    print()
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        print(
            f"{verdict} {result.target.name}: p99 {result.search.p99:.0f} ms (target < {TARGET_P99_MS:.0f}), "
            f"trivial p99 {result.health.p99:.0f} ms, ratio {result.ratio:.1f}x (target < {TARGET_RATIO:.0f}x); "
            f"load average {result.load_before} -> {result.load_after}"
        )
        print(f"  {result.cpu}")


# --- Main ---------------------------------------------------------------------------------


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--suppliers", type=int, default=200)
    parser.add_argument("--users", type=int, default=50, help="concurrent locust users")
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=120, help="measured seconds per endpoint, after ramp-up")
    parser.add_argument("--wait-min", type=float, default=1.0, help="a user's think time between requests, from")
    parser.add_argument("--wait-max", type=float, default=5.0, help="... to (seconds)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 cores: see the report)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1, else sync)")
    parser.add_argument("--endpoint", choices=["page", "api", "both"], default="both")
    parser.add_argument(
        "--access-log",
        default="",
        help="write gunicorn's access log here: the server's ms, status and path per request",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 offers, 10 users, 15 s")
    parser.add_argument("--strict", action="store_true", help="exit status 1 when a target is missed")
    parser.add_argument(
        "--no-load", action="store_true", help="data, EXPLAIN and the in-process profile only: no gunicorn, no locust"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.offers, args.suppliers, args.users, args.seconds = 1_000, 40, 10, 15
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)

    server = server_from_environment()
    workdir = Path(tempfile.mkdtemp(prefix="conciliare-bench-search-"))
    (workdir / "static").mkdir()
    environment = django_environment(server, workdir / "static")
    timings: dict[str, float] = {}
    results: list[RunResult] = []
    try:
        log(f"bench-search: database {SEARCH_DB}, load average {load_average()}")
        recreate_database(server, create=True)
        setup_django(environment)
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        timings["migrate"] = time.perf_counter() - started
        log(f"bench-search: migrated in {timings['migrate']:.1f} s; creating {args.offers:,} offers")
        started = time.perf_counter()
        catalogue = populate(args.offers, args.suppliers, n_tokens=max(args.users, 1))
        analyze()
        timings["populate"] = time.perf_counter() - started
        explained = explain_words(catalogue.municipalities[0][0])
        profiled = profile_in_process(catalogue.municipalities[0])
        connections.close_all()

        if args.no_load:
            report(args, catalogue, explained, profiled, results, timings)
            return 0
        with gunicorn(
            environment, free_port(), args.workers, args.threads, workdir / "gunicorn.log", args.access_log
        ) as (base, pid):
            targets = probe(base, catalogue, args.endpoint)
            if not targets:
                fail(f"Neither {PAGE_PATH} nor {API_PATH} answers 200 on this checkout: nothing to measure.", 1)
            log(f"bench-search: warming up ({warm_up(base, targets, catalogue, 5.0)} requests)")
            for target in targets:
                results.append(run_locust(base, pid, target, catalogue, args, workdir))
        report(args, catalogue, explained, profiled, results, timings)
        connections.close_all()
    except KeyboardInterrupt:
        print("\nbench-search: interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        drop_quietly(server)
        shutil.rmtree(workdir, ignore_errors=True)
    if args.strict and not all(result.passed for result in results):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
