"""Locust users for `bench/search.py`: catalogue searches mixed with the trivial `/health/` view.

Run only by `bench/search.py`, as its own process (locust monkey-patches with gevent: never
import this module with Django). The script passes, through the JSON file named by
CONCILIARE_BENCH_SEARCH_CONFIG, the search endpoint ("page": `/offerte/`, "api":
`/api/v1/offers/`), municipalities (id for the page, ISTAT code for the API), API tokens when
the API wants them, and the think time. Each user sends its own X-Forwarded-For, as the
reverse proxy in front of production does for distinct people: the API's per-client throttle
(600/min) then counts each user apart instead of all of them as 127.0.0.1.

All searches are reported under one name and the trivial view under "trivial /health/", so
that the stats CSV gives one line for each.
"""

import datetime
import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

CONFIG = json.loads(open(os.environ["CONCILIARE_BENCH_SEARCH_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
HEALTH_NAME = "trivial /health/"

# What people type: single words, two words, with or without accents, plus the empty box.
WORDS = [
    "asilo", "asilo nido", "nido", "micronido", "CRE estate", "CRE", "centro estivo", "baby CRE",
    "assistenza domiciliare", "assistenza anziani", "badante", "centro diurno", "doposcuola",
    "pre scuola", "aiuto compiti", "babysitter", "piscina", "nuoto bambini", "yoga", "palestra",
    "corso inglese", "corso di cucina", "musica", "spesa a domicilio", "trasporto", "lavanderia",
    "formaggio", "miele", "ceramiche", "scuola materna", "mensa", "giovani", "disabili", "infermiere",
]  # fmt: skip
CATEGORIES = [
    "nursery", "micro_nursery", "pre_school", "summer_camp", "baby_summer_camp", "after_school",
    "babysitter", "home_care", "day_centre_elderly", "carer", "gym_wellbeing", "courses", "local_food",
]  # fmt: skip
KM = [5, 10, 15, 20, 30]
PAGE_PARAMS = {
    "words": "q",
    "category": "categoria",
    "serves": "comune",
    "origin": "da",
    "km": "km",
    "price": "prezzo_max",
    "age": "eta",
    "from": "dal",
    "to": "al",
}
API_PARAMS = {  # the API names municipalities by ISTAT code
    "words": "q",
    "category": "category",
    "serves": "municipality",
    "origin": "origin",
    "km": "max_km",
    "price": "max_price",
    "age": "child_age",
    "from": "available_from",
    "to": "available_to",
}
_tokens = itertools.cycle(CONFIG["tokens"] or [""])
_seeds = itertools.count(CONFIG["seed"])


def search_query(rng: random.Random, kind: str) -> dict[str, str]:
    """One search as a person makes it: mostly words and/or a category, often from home."""
    names = PAGE_PARAMS if kind == "page" else API_PARAMS
    query: dict[str, str] = {}
    if rng.random() < 0.6:
        query[names["words"]] = rng.choice(WORDS)
    if rng.random() < 0.35 or not query:
        query[names["category"]] = rng.choice(CATEGORIES)
    if rng.random() < 0.7:
        pk, istat_code = rng.choice(CONFIG["municipalities"])
        home = str(pk) if kind == "page" else istat_code
        query[names["origin"]] = home
        if rng.random() < 0.5:
            query[names["km"]] = str(rng.choice(KM))
        if rng.random() < 0.2:
            query[names["serves"]] = home
    if rng.random() < 0.2:
        query[names["age"]] = str(rng.randint(0, 14))
    if rng.random() < 0.1:
        query[names["price"]] = str(rng.choice([50, 100, 200, 500]))  # euro, on both
    if rng.random() < 0.1:
        query["ordine" if kind == "page" else "sort"] = rng.choice(["price", "relevance"])
    if kind == "page" and rng.random() < 0.1:
        query["pagina"] = "2"  # past the last page, the page shows the last one
    if rng.random() < 0.08:
        start = datetime.date.today() + datetime.timedelta(days=rng.randint(7, 40))
        query[names["from"]] = start.isoformat()
        query[names["to"]] = (start + datetime.timedelta(days=rng.choice([6, 13, 30]))).isoformat()
    return query


class Searcher(FastHttpUser):
    wait_time = between(*CONFIG["wait"])

    def on_start(self) -> None:
        seed = next(_seeds)
        self.rng = random.Random(seed)
        token = next(_tokens)
        self.headers = {"Accept-Language": "it-IT,it;q=0.9", "X-Forwarded-For": f"10.1.{seed % 250}.{seed % 199 + 1}"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    @task(3)
    def search(self) -> None:
        response = self.client.get(
            CONFIG["search_path"],
            params=search_query(self.rng, CONFIG["kind"]),
            headers=self.headers,
            name=CONFIG["search_name"],
        )
        # The API answers 404 past the last page: a client follows "next" (one in ten does here).
        if CONFIG["kind"] == "api" and response.status_code == 200 and self.rng.random() < 0.1:
            following = response.json().get("next")
            if following:
                self.client.get(following, headers=self.headers, name=CONFIG["search_name"])

    @task(1)
    def trivial(self) -> None:
        self.client.get("/health/", name=HEALTH_NAME)
