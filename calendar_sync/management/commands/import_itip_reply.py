from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from calendar_sync import ical, services


class Command(BaseCommand):
    help = (
        "Lit des réponses iTIP (METHOD:REPLY), fichiers .ics ou e-mails bruts (.eml), "
        "et enregistre la réponse de chaque participant·e."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="fichiers .ics ou .eml")

    def handle(self, *args, files, **options):
        failed = False
        for name in files:
            try:
                outcomes = services.apply_reply(Path(name).read_bytes())
            except (OSError, ical.ReplyError) as exc:
                self.stderr.write(f"{name} : {exc}")
                failed = True
                continue
            for outcome in outcomes:
                mark = "✓" if outcome.applied else "·"
                meeting = outcome.meeting.uid if outcome.meeting else "—"
                self.stdout.write(
                    f"{mark} {name} : {outcome.email} → {outcome.partstat} ({meeting}) "
                    f"{outcome.message}"
                )
        if failed:
            raise CommandError("Certains fichiers n'ont pas pu être lus.")
