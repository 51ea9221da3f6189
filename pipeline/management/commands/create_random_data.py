from django.core.management.base import BaseCommand, CommandError

from pipeline import random_data


class Command(BaseCommand):
    help = "Crée des organisations, contacts et accompagnements aléatoires (mesures de charge)."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, required=True)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--clear", action="store_true", help="Supprime d'abord les données aléatoires."
        )
        parser.add_argument(
            "--without-extras",
            action="store_true",
            help="Sans activités, tâches, rendez-vous ni feuilles de route (deux fois plus "
            "rapide ; suffit pour la liste, le tableau et les rapports).",
        )

    def handle(
        self, *args, organisations: int, seed: int, clear: bool, without_extras: bool, **options
    ):
        if organisations < 0:
            raise CommandError("--organisations doit être positif.")
        if clear:
            self.stdout.write(f"{random_data.clear()} lignes supprimées.")
        summary = random_data.create(organisations, seed=seed, extras=not without_extras)
        self.stdout.write(
            f"{summary.organisations} organisations, {summary.contacts} contacts, "
            f"{summary.engagements} accompagnements, {summary.stage_changes} changements "
            f"d'étape, {summary.activities} activités, {summary.meetings} rendez-vous, "
            f"{summary.roadmaps} feuilles de route."
        )
