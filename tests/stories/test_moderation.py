"""Editors write and submit; Moderators approve and publish; scheduled publishing runs."""

from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from stories import services
from stories.models import StoryPage
from stories.tasks import publish_scheduled_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(story_index, campaign_index):
    services.editorial_roles_setup(sections=[story_index, campaign_index])

    def member(group):
        user = UserFactory()
        user.groups.add(Group.objects.get(name=group))
        return user

    return member


def story_form(**extra):
    return nested_form_data(
        {
            "title": "Chè mới hái",
            "slug": "che-moi-hai",
            "date": "2026-03-01",
            "author": "Thu",
            "intro": "Búp chè đầu mùa.",
            "body": streamfield([("paragraph", rich_text("<p>Chè xanh.</p>"))]),
            "tags": "",
            "comments": inline_formset([]),
            "product_links": inline_formset([]),
            **extra,
        }
    )


def test_roles_setup_is_idempotent_and_puts_stories_and_campaigns_under_review(
    story_index, campaign_index
):
    first = services.editorial_roles_setup(sections=[story_index, campaign_index])
    again = services.editorial_roles_setup(sections=[story_index, campaign_index])
    assert first == again
    assert set(WorkflowPage.objects.filter(workflow=first).values_list("page", flat=True)) == {
        story_index.pk,
        campaign_index.pk,
    }
    (task,) = [workflow_task.task.specific for workflow_task in first.workflow_tasks.all()]
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]


def test_an_editor_cannot_publish_and_a_moderator_approval_puts_the_story_live(
    client, story_index, roles
):
    editor, moderator = roles("Editors"), roles("Moderators")
    story_index_page = Page.objects.get(pk=story_index.pk)
    assert not story_index_page.permissions_for_user(editor).can_publish_subpage()
    client.force_login(editor)
    add_url = reverse("wagtailadmin_pages:add", args=("stories", "storypage", story_index.pk))

    response = client.post(add_url, story_form(**{"action-publish": "action-publish"}))
    assert response.status_code == 302
    story = StoryPage.objects.get(slug="che-moi-hai")
    assert not story.live  # the publish button did nothing more than save a draft
    assert client.get("/cau-chuyen/che-moi-hai/").status_code == 404

    edit_url = reverse("wagtailadmin_pages:edit", args=(story.pk,))
    response = client.post(edit_url, story_form(**{"action-submit": "action-submit"}))
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live
    state = story.current_workflow_state
    assert state is not None and state.status == "in_progress"

    client.force_login(moderator)
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(story.pk, "approve", task_state.pk)
    )
    response = client.post(approve_url, {"comment": ""})
    assert response.status_code in (200, 302)
    story.refresh_from_db()
    assert story.live
    assert client.get("/cau-chuyen/che-moi-hai/").status_code == 200


def test_the_scheduled_publishing_task_runs_wagtails_command():
    with mock.patch("stories.tasks.call_command") as command:
        publish_scheduled_task.delay()
    command.assert_called_once_with("publish_scheduled")


def refused(response) -> bool:
    """A 403, or a redirect to a login page: anything but the page itself."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and "login" in response["Location"]


def test_an_editor_reaches_neither_the_shop_dashboard_nor_the_manager_console(client, roles):
    editor = roles("Editors")
    assert not editor.is_staff
    client.force_login(editor)
    assert client.get("/cms/").status_code == 200  # the CMS is where an editor works
    for path in ("/dashboard/", "/quan-ly/"):
        response = client.get(path)
        assert response.status_code != 200, path
        assert refused(response), (path, response.status_code)


def test_a_cooperative_manager_cannot_open_the_cms_or_publish_a_story(
    client, roles, story_index, make_story
):
    from tests.factories import CooperativeFactory

    manager = UserFactory()
    CooperativeFactory(managers=[manager])
    story = make_story()
    client.force_login(manager)

    response = client.get("/cms/")
    assert response.status_code != 200
    assert refused(response), response.status_code
    assert not story.permissions_for_user(manager).can_publish()
    assert not story.permissions_for_user(manager).can_edit()

    edit_url = reverse("wagtailadmin_pages:edit", args=(story.pk,))
    response = client.post(edit_url, story_form(**{"action-publish": "action-publish"}))
    assert response.status_code != 200 and refused(response)
    story.refresh_from_db()
    assert story.title != "Chè mới hái" and story.live
