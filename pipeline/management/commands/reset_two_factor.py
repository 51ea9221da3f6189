from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pipeline.two_factor import is_required_for, reset_devices


class Command(BaseCommand):
    help = (
        "Supprime la double authentification d'un compte (téléphone perdu) : la personne en "
        "active une nouvelle à sa prochaine connexion si son groupe l'exige."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="identifiant du compte")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Aucun compte « {username} ».")
        removed = reset_devices(user)
        if not removed:
            self.stdout.write(f"« {username} » n'avait aucune double authentification.")
            return
        then = (
            "elle en activera une nouvelle à sa prochaine connexion"
            if is_required_for(user)
            else "son groupe ne l'exige pas"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Double authentification de « {username} » supprimée ; {then}.")
        )
