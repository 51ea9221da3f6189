"""factory_boy factories for the pipeline (tests and `create_random_data`)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pipeline import models
from pipeline.services import CONSULTANTS_GROUP, MARKETING_GROUP
from pipeline.stages import Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@passerelle.test")
    password = factory.PostGenerationMethodCall("set_password", "passerelle-demo")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ConsultantFactory(UserFactory):
    @factory.post_generation
    def consultants_group(obj, create, extracted, **kwargs):
        if create:
            from pipeline.roles import ensure_roles

            ensure_roles()
            obj.groups.add(Group.objects.get(name=CONSULTANTS_GROUP))


class MarketingFactory(UserFactory):
    @factory.post_generation
    def marketing_group(obj, create, extracted, **kwargs):
        if create:
            from pipeline.roles import ensure_roles

            ensure_roles()
            obj.groups.add(Group.objects.get(name=MARKETING_GROUP))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Faker("company", locale="fr_FR")
    kind = models.OrganisationType.ASSOCIATION
    domain = factory.Sequence(lambda n: f"structure{n}.fr")
    postcode = "69007"
    territory = "69"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Direction"
    email = factory.LazyAttributeSequence(lambda c, n: f"contact{n}@{c.organisation.domain}")
    consent_contact = True


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Engagement

    organisation = factory.SubFactory(OrganisationFactory)
    stage = Stage.NEW
    source = "Questionnaire"


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Roadmap

    engagement = factory.SubFactory(EngagementFactory, stage=Stage.ROADMAP_DRAFT)
    summary = "Une feuille de route de test."


class RoadmapItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoadmapItem

    roadmap = factory.SubFactory(RoadmapFactory)
    title = factory.Sequence(lambda n: f"Étape {n}")
    phase = 1
    target_month = factory.LazyAttribute(lambda item: item.roadmap.start_date)
    sort_order = factory.Sequence(lambda n: n)
