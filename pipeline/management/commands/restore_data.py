from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline import backups


class Command(BaseCommand):
    help = "Restaure la base de données et les fichiers d'une sauvegarde (remplace l'existant)."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="Ne pas demander de confirmation")

    def handle(self, *args, folder: str, yes: bool, **options):
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(f"Dossier introuvable : {path}")
        if not yes and input("Remplacer la base et les fichiers actuels ? [oui/non] ") != "oui":
            raise CommandError("Restauration annulée.")
        try:
            backups.restore(path)
        except FileNotFoundError as exc:
            raise CommandError(f"Sauvegarde incomplète : {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restauration terminée depuis {path}"))
