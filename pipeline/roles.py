"""The staff roles of design.md §5 and what each may do. Safe to run again.

Campaign site (issue 3): Marketing drafts pages and submits them to the "Relecture" workflow;
the Relecteurs group (or an administrator) approves, which publishes.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

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
    # Transition roadmaps (issue 7): draft, edit, publish, follow.
    *(
        ("pipeline", f"{action}_{model}")
        for model in ("roadmap", "roadmapitem")
        for action in ("add", "change", "view")
    ),
    ("pipeline", "view_privacylog"),
    ("pipeline", "export_personal_data"),
    ("pipeline", "erase_personal_data"),
    ("pipeline", "view_territoryrule"),
    ("audits", "view_auditsubmission"),
    ("audits", "view_statistics"),
    *(
        ("audits", f"{action}_{model}")
        for model in ("tool", "alternative", "usage", "host", "phase")
        for action in ("add", "change", "view")
    ),
    # Meetings and their own calendar settings (calendar_sync).
    *(("calendar_sync", f"{action}_meeting") for action in ("add", "change", "view")),
    *(("calendar_sync", f"{action}_consultantcalendar") for action in ("add", "change", "view")),
    # Their e-mail templates (issue 10).
    *(("pipeline", f"{action}_emailtemplate") for action in ("add", "change", "delete", "view")),
]

REVIEWERS_GROUP = "Relecteurs"
REVIEW_WORKFLOW = "Relecture du site de campagne"
REVIEW_TASK = "Relecture"

# The campaign site's snippets and settings, and copying a page for translation.
CAMPAIGN_SITE_PERMISSIONS = [
    *(
        ("cms", f"{action}_{model}")
        for model in ("navigationmenu", "articlecategory", "author")
        for action in ("add", "change", "delete")
    ),
    ("cms", "change_sitesettings"),
    ("simple_translation", "submit_translation"),
]
# Questionnaire statistics (aggregates), never the individual submissions.
MARKETING_PERMISSIONS = [ADMIN_ACCESS, ("audits", "view_statistics"), *CAMPAIGN_SITE_PERMISSIONS]
REVIEWER_PERMISSIONS = [ADMIN_ACCESS, *CAMPAIGN_SITE_PERMISSIONS]
CONSULTANT_EXCLUDED_PERMISSIONS = [("pipeline", "view_all_engagements")]
# Drafts and submits for moderation; publishing is a reviewer's job.
MARKETING_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
REVIEWER_PAGE_PERMISSIONS = [*MARKETING_PAGE_PERMISSIONS, "publish_page"]


# Wagtail checks image permissions on wagtailimages.Image even with a custom image model.
COLLECTION_PERMISSIONS = {
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
    from pipeline.two_factor import require_permission

    require_permission()  # offered in the group editor; not switched on by default
    consultants, _ = Group.objects.get_or_create(name=CONSULTANTS_GROUP)
    consultants.permissions.add(*_permissions(CONSULTANT_PERMISSIONS))
    # Seeing every engagement is what PIPELINE_CONSULTANTS_SEE_OWN_ONLY takes away from
    # consultants; give it to a person or another group (coordination) when needed.
    consultants.permissions.remove(*_permissions(CONSULTANT_EXCLUDED_PERMISSIONS))

    marketing, _ = Group.objects.get_or_create(name=MARKETING_GROUP)
    marketing.permissions.add(*_permissions(MARKETING_PERMISSIONS))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    reviewers.permissions.add(*_permissions(REVIEWER_PERMISSIONS))
    from cms.demo import ensure_tree_roots

    root_page = ensure_tree_roots()
    root_collection = Collection.get_first_root_node()  # created by ensure_tree_roots()
    for group, page_permissions in (
        (marketing, MARKETING_PAGE_PERMISSIONS),
        (reviewers, REVIEWER_PAGE_PERMISSIONS),
    ):
        for codename in page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root_page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )
    ensure_review_workflow(root_page, reviewers)
    return consultants, marketing


def ensure_review_workflow(root_page, reviewers: Group) -> Workflow:
    """Every page goes through one review task, approved by Relecteurs (or an admin)."""
    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
    task.groups.add(reviewers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
    return workflow
