from django.core.management.base import BaseCommand

from pipeline.roles import ensure_roles


class Command(BaseCommand):
    help = "Crée ou met à jour les groupes Consultants et Marketing et leurs droits."

    def handle(self, *args, **options):
        consultants, marketing = ensure_roles()
        self.stdout.write(f"Groupes à jour : {consultants.name}, {marketing.name}.")
