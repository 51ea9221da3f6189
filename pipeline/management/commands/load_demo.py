from django.conf import settings
from django.core.management.base import BaseCommand

from audience import demo as audience_demo
from audits import demo as audits_demo
from audits.catalogue_import import import_catalogue, load_catalogue_file
from calendar_sync import demo as calendar_demo
from cms import demo as cms_demo
from pipeline import demo as pipeline_demo


class Command(BaseCommand):
    help = "Charge le site de démonstration (pages, questionnaire, utilisateurs, organisations)."

    def handle(self, *args, **options):
        import_catalogue(load_catalogue_file())
        home = cms_demo.load()
        audit_page = audits_demo.load(home)
        audits_demo.load_english(audit_page)
        users = pipeline_demo.load_users()
        organisations = pipeline_demo.load_organisations(users["consultant"])
        calendar_demo.load(users["consultant"])
        roadmaps = pipeline_demo.load_roadmaps(users["consultant"])
        audience_demo.load(home, audit_page)
        self.stdout.write(self.style.SUCCESS("Démo prête."))
        self.stdout.write(f"  Accueil       : {settings.SITE_URL}{home.url}")
        self.stdout.write(f"  Questionnaire : {settings.SITE_URL}{audit_page.url}")
        self.stdout.write(f"  Admin         : {settings.SITE_URL}/admin/")
        self.stdout.write(f"  Organisations : {len(organisations)}")
        if roadmaps:
            self.stdout.write(f"  Feuilles de route créées : {len(roadmaps)}")
        self.stdout.write(
            "  Comptes (mot de passe : DEMO_PASSWORD, par défaut « passerelle-demo ») :"
        )
        for username in users:
            self.stdout.write(f"    - {username}")
