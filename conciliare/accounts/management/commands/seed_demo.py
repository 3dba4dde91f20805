"""`manage.py seed_demo`: fills an empty database with the demo and prints the demo logins.

Safe to run at every start: once the demo exists it only prints the logins. The work is in accounts/demo.py.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from conciliare.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD, SeedResult, seed_demo


class Command(BaseCommand):
    help = (
        "Loads the demo data (alliance, companies, suppliers and their offers, employees and families) once; "
        "prints the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the demo logins; do not touch the database."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            started = time.monotonic()
            result = seed_demo()
            # The demo is a composition of every context: the plans demo comes after the people.
            from conciliare.plans.demo import seed_demo_plans

            if seed_demo_plans():
                self.stdout.write("Piano welfare 2026 attivato per l'impresa del login HR.")
            # Then the catalogue: the suppliers among the organizations, their offers and schedules.
            from conciliare.catalogue.demo import seed_demo_catalogue

            offers = seed_demo_catalogue()
            if offers:
                self.stdout.write(f"Catalogo: {offers} offerte pubblicate dai fornitori dell'alleanza.")
            # Then a few reimbursement requests of the demo employee, in several states.
            from conciliare.reimbursements.demo import seed_demo_reimbursements

            if seed_demo_reimbursements():
                self.stdout.write("Rimborsi: alcune richieste del dipendente dimostrativo, in stati diversi.")
            # Last, orders bought with that credit from those offers (through the services: a real ledger).
            from conciliare.orders.demo import seed_demo_orders

            orders = seed_demo_orders()
            if orders:
                self.stdout.write(f"Ordini: {orders} ordini dimostrativi, dai buoni usati ai bonifici da confermare.")
            # And the Solidarity Fund: what it collected, its past grants, applications waiting for the committee.
            from conciliare.fund.demo import seed_demo_fund

            grants = seed_demo_fund()
            if grants:
                self.stdout.write(
                    f"Fondo di Solidarietà: {grants} contributi concessi, 3 domande in attesa del comitato."
                )
            # Last, the needs survey and everyone's "per te" list (computed from all of the above).
            from conciliare.needs.demo import seed_demo_needs

            answered = seed_demo_needs()
            if answered:
                self.stdout.write(f"Bisogni: {answered} risposte al questionario dell'alleanza; liste «per te» pronte.")
            self._report(result, time.monotonic() - started)
        self._print_logins()

    def _report(self, result: SeedResult, seconds: float) -> None:
        if not result.created:
            self.stdout.write("Dati dimostrativi già presenti: nulla da fare.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Dati dimostrativi caricati in {seconds:.1f} s: {result.organizations} organizzazioni, "
                f"{result.people} persone ({result.employees} dipendenti), {result.family_members} familiari."
            )
        )

    def _print_logins(self) -> None:
        rows = [("Ruolo", "E-mail", "Password", "Cosa vede")]
        rows += [(login.label, login.email, DEMO_PASSWORD, login.sees) for login in DEMO_LOGINS]
        from conciliare.fund.demo import SECOND_COMMITTEE_EMAIL

        rows.append(
            (
                "Comitato del Fondo (secondo membro)",
                SECOND_COMMITTEE_EMAIL,
                DEMO_PASSWORD,
                "La seconda approvazione che ogni contributo del Fondo richiede.",
            )
        )
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Accessi dimostrativi"))
        for index, (label, email, password, sees) in enumerate(rows):
            line = f"{label:<{widths[0]}}  {email:<{widths[1]}}  {password:<{widths[2]}}  {sees}"
            self.stdout.write(self.style.MIGRATE_LABEL(line) if index == 0 else line)
