"""Journey 4: an editor writes a story on a phone, a moderator publishes it, shoppers see it.

Everything between the log-ins and the shopper's visit goes through Wagtail's own admin
in the browser (360 px wide: Wagtail 8's admin is usable on a phone, sidebar folded).
The admin speaks each user's preferred language; both are set to Vietnamese so labels are
the same on every machine. Wagtail's Vietnamese catalogue leaves some strings in English
("Add child page", "Confirm selection"), so those controls are found by their markup.
"""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from stories import services
from stories.models import HomePage, StoryPage
from tests.factories import CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "Mùa mật ong trên núi"
INTRO = "Những người nuôi ong ở Ba Bể kể về mùa hoa rừng."
BLURB = "Mật ong hoa rừng, quay ngay tại bản."


def member(group: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "vi"
    profile.save()
    return user


def log_in_to_cms(page, user) -> None:
    page.goto("/cms/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url("/cms/")


def test_editor_writes_a_story_a_moderator_publishes_it_and_shoppers_see_it(open_page):
    farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh")
    honey = ProductFactory(title="Mật ong rừng", cooperative=farm, net_weight_grams=700)
    ProductFactory(title="Miến dong", net_weight_grams=500)  # the chooser must tell them apart
    index = services.story_index_create(
        home=HomePage.objects.get(), title="Câu chuyện", slug="cau-chuyen"
    )
    services.editorial_roles_setup(sections=[index])
    editor, moderator = member(services.EDITORS), member(services.MODERATORS)

    # The editor writes.
    page = open_page()
    log_in_to_cms(page, editor)
    page.goto(f"/cms/pages/{index.pk}/")
    # A story index takes stories only, so "Add child page" opens the story form at once.
    page.locator(f"a[href$='/pages/{index.pk}/add_subpage/']").first.click()
    expect(page).to_have_url(f"/cms/pages/add/stories/storypage/{index.pk}/")
    page.fill("#id_title", TITLE)

    # "Products" is what links a story to a product's page ("The story behind it").
    page.locator("#id_product_links-OPEN_MODAL").click()
    modal = page.locator(".modal")
    modal.get_by_label("Từ khóa tìm kiếm").fill("Mật ong")
    expect(modal.get_by_role("checkbox", name="Miến dong")).to_have_count(0)
    modal.get_by_role("checkbox", name="Mật ong rừng").check()
    modal.locator("[data-multiple-choice-submit]").click()
    expect(modal).to_be_hidden()

    page.fill("#id_intro", INTRO)
    body = page.locator("#body-root")
    body.locator("button[title='Insert a block']").first.click()
    page.get_by_role("option", name="Thẻ sản phẩm").click()
    body.get_by_role("button", name="Chọn sản phẩm").click()
    modal.get_by_label("Từ khóa tìm kiếm").fill("Mật ong")
    expect(modal.get_by_role("link", name="Miến dong")).to_have_count(0)
    modal.get_by_role("link", name="Mật ong rừng").click()
    expect(modal).to_be_hidden()
    expect(body).to_contain_text("Mật ong rừng")
    body.get_by_label("Vì sao chọn sản phẩm này").fill(BLURB)

    # Wagtail autosaves a draft half a second after an edit and sends back the ids of new
    # rows. A submit that overtakes an autosave carrying the product row saves that row
    # twice (a server error), so the editor's last edits must be saved first.
    saved = {"timeout": 15_000}  # a draft save can be slow on a busy CI machine
    expect(page.locator("input[name='product_links-0-id']")).not_to_have_value("", **saved)
    expect(page.locator("#page-edit-form")).to_have_attribute(
        "data-w-unsaved-has-edits-value", "false", **saved
    )
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved", **saved
    )

    page.locator("footer .w-dropdown__toggle").first.click()
    submit = page.locator("button[name=action-submit]")
    expect(submit).to_have_text("Thực hiện Moderators approve")
    submit.click()
    expect(page.locator(".messages")).to_contain_text(TITLE)

    story = StoryPage.objects.get(title=TITLE)
    assert not story.live
    assert story.current_workflow_state.status == "in_progress"
    shopper = open_page()
    assert shopper.goto(story.url).status == 404  # nothing public before the review

    # The moderator reviews it from the dashboard and approves, which publishes it.
    page = open_page()
    log_in_to_cms(page, moderator)
    review = page.locator("#awaiting-review-content tr", has_text=TITLE)
    expect(review).to_have_count(1)
    review.locator(".w-dropdown__toggle").click()
    review.get_by_role("button", name="Phê chuẩn", exact=True).click()
    expect(page.locator("#awaiting-review-content tr", has_text=TITLE)).to_have_count(0)

    story.refresh_from_db()
    assert story.live
    assert story.intro == INTRO
    [card] = story.body
    assert (card.block_type, card.value["product"], card.value["blurb"]) == (
        "product_card",
        honey,
        BLURB,
    )

    # Shoppers see it on the home page and on the product's page.
    shopper.goto("/")
    latest = shopper.locator("section[aria-labelledby=latest-stories]")
    expect(latest.get_by_role("link", name=TITLE)).to_be_visible()
    latest.get_by_role("link", name=TITLE).click()
    expect(shopper.get_by_role("heading", name=TITLE).first).to_be_visible()
    expect(shopper.locator(".story-product-card")).to_contain_text("Mật ong rừng")
    expect(shopper.locator(".story-product-card")).to_contain_text(BLURB)

    shopper.goto(honey.get_absolute_url())
    behind = shopper.get_by_role("region", name="Câu chuyện đằng sau sản phẩm")
    expect(behind.get_by_role("link", name=TITLE)).to_be_visible()
