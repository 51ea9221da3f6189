from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline import dsn, services


class Command(BaseCommand):
    help = (
        "Lit des avis de non-distribution (DSN, RFC 3464, e-mails .eml) : signale les adresses "
        "refusées définitivement sur les contacts et marque les messages concernés abandonnés."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="e-mails d'erreur (.eml)")

    def handle(self, *args, files, **options):
        failed = False
        for name in files:
            try:
                data = Path(name).read_bytes()
                outcomes = services.apply_bounce_report(data, user=None)
            except (OSError, dsn.ReportError) as exc:
                self.stderr.write(f"{name} : {exc}")
                failed = True
                continue
            for outcome in outcomes:
                mark = "✓" if outcome.applied else "·"
                self.stdout.write(
                    f"{mark} {name} : {outcome.recipient} {outcome.status or '—'} {outcome.message}"
                )
        if failed:
            raise CommandError("Certains fichiers n'ont pas pu être lus.")
