"""factory_boy factories for meetings and consultants' calendars."""

from datetime import timedelta

import factory
from django.utils import timezone

from calendar_sync import models
from pipeline.factories import ConsultantFactory, EngagementFactory


class ConsultantCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ConsultantCalendar
        django_get_or_create = ("consultant",)

    consultant = factory.SubFactory(ConsultantFactory)
    minimum_notice_hours = 0
    horizon_days = 30
    buffer_before_minutes = 0
    buffer_after_minutes = 0


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    engagement = factory.SubFactory(EngagementFactory)
    organiser = factory.SubFactory(ConsultantFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    end = factory.LazyAttribute(lambda m: m.start + timedelta(hours=1))
    kind = models.MeetingKind.VIDEO
    video_url = "https://visio.numerique.gouv.fr/abc-defg-hij"
