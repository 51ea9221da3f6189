from django.core.management.base import BaseCommand, CommandError

from audits.catalogue_import import DEFAULT_CATALOGUE, import_catalogue, load_catalogue_file


class Command(BaseCommand):
    help = (
        "Importe le catalogue d'outils (usages, outils, alternatives, hébergeurs, phases) depuis "
        "un fichier YAML. Relançable : met à jour sans doublon et garde les fiches modifiées ici."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_CATALOGUE), help="Fichier YAML")

    def handle(self, *args, file: str, **options):
        try:
            data = load_catalogue_file(file)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Lecture impossible de {file} : {exc}") from exc
        report = import_catalogue(data)
        for (label, outcome), count in sorted(report.counts.items()):
            self.stdout.write(f"  {label:<14} {outcome:<10} {count}")
        for entry in report.kept_local:
            self.stdout.write(self.style.WARNING(f"  conservé (modifié localement) : {entry}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue importé : {report.total('created')} créés, "
                f"{report.total('updated')} mis à jour, {report.total('kept_local')} conservés."
            )
        )
