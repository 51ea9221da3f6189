from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagesConfig(AppConfig):
    """The site's image model (required alt text). A separate app so that its first migration
    creates the model: other apps' swappable dependencies point at `images.__first__`."""

    name = "cms.images"
    label = "images"
    verbose_name = _("Images")
    default_auto_field = "django.db.models.BigAutoField"
