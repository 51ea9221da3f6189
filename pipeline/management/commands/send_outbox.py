from django.core.management.base import BaseCommand

from pipeline import outbox
from pipeline.models import Notification


class Command(BaseCommand):
    help = "Envoie maintenant tous les messages en attente ou en échec, sans attendre le délai."

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-dead",
            action="store_true",
            help="Réessaie aussi les messages abandonnés (dead).",
        )

    def handle(self, *args, include_dead: bool = False, **options):
        outcomes = outbox.send_all_now(include_dead=include_dead)
        notifications = Notification.objects.in_bulk([o.notification_id for o in outcomes])
        for outcome in outcomes:
            notification = notifications[outcome.notification_id]
            self.stdout.write(
                f"{outcome.status:<8} #{notification.pk} {notification.kind} "
                f"→ {', '.join(notification.recipients)} "
                f"(essai {notification.attempts}) {notification.subject}"
            )
        sent = sum(1 for o in outcomes if o.status == "sent")
        self.stdout.write(f"{sent}/{len(outcomes)} envoyé(s).")
