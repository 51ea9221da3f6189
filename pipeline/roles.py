"""The two staff roles of design.md §5 and what each may do. Safe to run again."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from pipeline.services import CONSULTANTS_GROUP, MARKETING_GROUP

ADMIN_ACCESS = ("wagtailadmin", "access_admin")

CONSULTANT_PERMISSIONS = [
    ADMIN_ACCESS,
    *(
        ("pipeline", f"{action}_{model}")
        for model in ("organisation", "contact", "engagement", "task")
        for action in ("add", "change", "view")
    ),
    ("pipeline", "view_notification"),
    ("pipeline", "view_privacylog"),
    ("pipeline", "export_personal_data"),
    ("pipeline", "erase_personal_data"),
    ("pipeline", "view_territoryrule"),
    ("audits", "view_auditsubmission"),
    *(
        ("audits", f"{action}_{model}")
        for model in ("tool", "alternative", "usage", "host", "phase")
        for action in ("add", "change", "view")
    ),
]

CONSULTANT_EXCLUDED_PERMISSIONS = [("pipeline", "view_all_engagements")]

MARKETING_PERMISSIONS = [ADMIN_ACCESS]
# Drafts and submits for moderation; publishing is a reviewer's job.
MARKETING_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
MARKETING_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def _permissions(pairs) -> list[Permission]:
    permissions = []
    for app_label, codename in pairs:
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return permissions


@transaction.atomic
def ensure_roles() -> tuple[Group, Group]:
    consultants, _ = Group.objects.get_or_create(name=CONSULTANTS_GROUP)
    consultants.permissions.add(*_permissions(CONSULTANT_PERMISSIONS))
    # Seeing every engagement is what PIPELINE_CONSULTANTS_SEE_OWN_ONLY takes away from
    # consultants; give it to a person or another group (coordination) when needed.
    consultants.permissions.remove(*_permissions(CONSULTANT_EXCLUDED_PERMISSIONS))

    marketing, _ = Group.objects.get_or_create(name=MARKETING_GROUP)
    marketing.permissions.add(*_permissions(MARKETING_PERMISSIONS))
    from cms.demo import ensure_tree_roots

    root_page = ensure_tree_roots()
    for codename in MARKETING_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=marketing,
            page=root_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    root_collection = Collection.get_first_root_node()  # created by ensure_tree_roots()
    for app_label, codenames in MARKETING_COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=marketing,
                collection=root_collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
    return consultants, marketing
