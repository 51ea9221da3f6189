from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("Accompagnements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Hooks of staff sign-in security live next to their views, outside wagtail_hooks.py.
        from pipeline import two_factor  # noqa: F401
