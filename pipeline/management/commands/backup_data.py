from pathlib import Path

from django.core.management.base import BaseCommand

from pipeline import backups


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers téléversés dans un dossier daté."

    def add_arguments(self, parser):
        parser.add_argument("destination", nargs="?", default="var/backups")

    def handle(self, *args, destination: str, **options):
        folder = backups.backup(Path(destination))
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite dans {folder}"))
