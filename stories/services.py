"""Writes of the content layer: pages (used by demo data and imports) and editorial roles."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.html import format_html
from wagtail.images.models import Image
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from catalogue.models import Product
from cooperatives.models import Cooperative
from stories.models import (
    CampaignIndexPage,
    CampaignPage,
    CampaignPageProduct,
    HomePage,
    StoryIndexPage,
    StoryPage,
    StoryPageProduct,
)

EDITORS = "Editors"
MODERATORS = "Moderators"
WORKFLOW_NAME = "Moderators approve"

# Wagtail's own groups (made by its first migration); these are the rights they need here.
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
IMAGE_PERMISSIONS = ["add_image", "choose_image", "change_image"]


@transaction.atomic
def story_index_create(*, home: HomePage, title: str, slug: str, intro: str = "") -> StoryIndexPage:
    """Add a published story index under the home page."""
    index = StoryIndexPage(title=title, slug=slug, intro=intro)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def story_publish(
    *,
    index: StoryIndexPage,
    title: str,
    slug: str,
    intro: str,
    date: datetime.date,
    paragraphs: list[str] | None = None,
    body: list | None = None,
    author: str = "",
    tags: list[str] | None = None,
    cooperative: Cooperative | None = None,
    cooperatives: list[Cooperative] | None = None,
    products: list[Product] | None = None,
    cover_image: Image | None = None,
) -> StoryPage:
    """Add a story under ``index`` and publish it at once (no review: trusted sources only).

    ``body`` is StreamField data (``[("paragraph", "<p>…</p>"), ("product_card", {...})]``);
    ``paragraphs`` is a shortcut for plain text paragraphs placed before it.
    """
    stream = [("paragraph", format_html("<p>{}</p>", text)) for text in paragraphs or ()]
    story = StoryPage(
        title=title,
        slug=slug,
        intro=intro,
        date=date,
        author=author,
        cooperative=cooperative,
        cover_image=cover_image,
        body=[*stream, *(body or ())],
    )
    story.cooperatives.set(cooperatives or [])
    story.product_links = [
        StoryPageProduct(product=product, sort_order=order)
        for order, product in enumerate(dict.fromkeys(products or ()))
    ]
    story.tags.set(tags or [])
    index.add_child(instance=story)
    story.save_revision().publish()
    return story


@transaction.atomic
def campaign_index_create(
    *, home: HomePage, title: str, slug: str, intro: str = ""
) -> CampaignIndexPage:
    """Add a published campaign index under the home page."""
    index = CampaignIndexPage(title=title, slug=slug, intro=intro)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def campaign_publish(
    *,
    index: CampaignIndexPage,
    title: str,
    slug: str,
    start_date: datetime.date,
    end_date: datetime.date,
    intro: str = "",
    body: list | None = None,
    products: list[Product] | None = None,
    offer=None,
    voucher=None,
    cover_image: Image | None = None,
) -> CampaignPage:
    """Add a campaign under ``index`` and publish it (it shows only between its dates)."""
    campaign = CampaignPage(
        title=title,
        slug=slug,
        start_date=start_date,
        end_date=end_date,
        intro=intro,
        body=body or [],
        offer=offer,
        voucher=voucher,
        cover_image=cover_image,
    )
    campaign.product_links = [
        CampaignPageProduct(product=product, sort_order=order)
        for order, product in enumerate(dict.fromkeys(products or ()))
    ]
    campaign.full_clean(exclude=["path", "depth", "url_path"])
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    return campaign


def _page_permissions(codenames: list[str]) -> list[Permission]:
    return list(
        Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames)
    )


@transaction.atomic
def editorial_roles_setup(*, sections: list[Page]) -> Workflow:
    """Editors write and submit, Moderators approve and publish; safe to run again.

    Both groups come from Wagtail's first migration (made again here if deleted).
    Editors get no publish right anywhere; ``sections`` (the story index, the
    campaign index) go through the "Moderators approve" workflow, whose only task
    is an approval by the Moderators group.
    """
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    image_permissions = list(
        Permission.objects.filter(
            content_type__app_label="wagtailimages", codename__in=IMAGE_PERMISSIONS
        )
    )
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups = {}
    for name, codenames in (
        (EDITORS, EDITOR_PAGE_PERMISSIONS),
        (MODERATORS, MODERATOR_PAGE_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(admin_access)
        for permission in _page_permissions(codenames):
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=permission
            )
        for permission in image_permissions:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
        groups[name] = group
    # An editor must never publish, wherever Wagtail's defaults put the right.
    GroupPagePermission.objects.filter(
        group=groups[EDITORS], permission__codename="publish_page"
    ).delete()

    task = GroupApprovalTask.objects.filter(name=f"{MODERATORS} approval", active=True).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=f"{MODERATORS} approval")
    task.groups.add(groups[MODERATORS])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for section in sections:
        WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    return workflow
