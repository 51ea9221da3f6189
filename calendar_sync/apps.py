from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarSyncConfig(AppConfig):
    name = "calendar_sync"
    verbose_name = _("Rendez-vous et agendas")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calendar_sync.caldav_sync import send_caldav_notification
        from pipeline import outbox
        from pipeline.models import NotificationChannel

        outbox.register_sender(NotificationChannel.CALDAV, send_caldav_notification)

        from calendar_sync import placeholders

        placeholders.register()
