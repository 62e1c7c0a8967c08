"""Anonymous pages served from the cache (shop/page_cache.py): served, correct, thrown away.

Changes are saved inside ``django_capture_on_commit_callbacks(execute=True)`` because
the cache is invalidated once the change commits, as it would in production.
"""

import gzip
import re
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils.text import compress_string
from oscar.apps.analytics.models import ProductRecord
from wagtail.models import PageViewRestriction

from basket.models import Basket
from catalogue.view_counts import product_views_flush
from shop import page_cache
from tests.budgets import session_queries
from tests.factories import (
    CategoryFactory,
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    basket_with,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def asks_to_redis(monkeypatch):
    """How many times the page cache asked the shared cache for pages."""
    asked = []
    get_many = page_cache.cache.get_many

    def counted(keys, *args, **kwargs):
        asked.append(keys)
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "get_many", counted)
    return asked


@pytest.fixture
def product():
    category = CategoryFactory()
    return ProductFactory(categories__category=category, stockrecords__num_in_stock=20)


def cached(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def csrf_token_in(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page)[1].decode()


def anonymous_urls(product, story):
    return [
        "/",
        story.url,
        "/shop/catalogue/",
        "/shop/catalogue/?sort_by=price-asc&page=1",
        product.categories.get().get_absolute_url(),
        product.get_absolute_url(),
        product.cooperative.get_absolute_url(),
        reverse("cooperatives:list"),
    ]


def test_anonymous_pages_are_rendered_once_then_served_without_queries(
    client, product, make_story, django_assert_num_queries, settings
):
    story = make_story(cooperative=product.cooperative)
    for url in anonymous_urls(product, story):
        first = client.get(url)
        assert (first.status_code, cached(first)) == (200, "miss"), url
        # A product page's view is counted: in the database without Redis, else in Redis.
        counted_in_db = url == product.get_absolute_url() and not settings.REDIS_URL
        hit_queries = 1 if counted_in_db else 0
        with django_assert_num_queries(hit_queries):
            again = client.get(url)
        assert (again.status_code, cached(again)) == (200, "hit"), url
        assert again.content.count(b"<html") == 1


def test_a_page_first_rendered_for_b_lets_a_add_to_the_basket(product):
    b = Client(enforce_csrf_checks=True)
    a = Client(enforce_csrf_checks=True)
    url = product.get_absolute_url()
    for_b = b.get(url)
    assert cached(for_b) == "miss"
    for_a = a.get(url)
    assert cached(for_a) == "hit"
    assert csrf_token_in(for_a.content) != csrf_token_in(for_b.content)
    assert "csrftoken" in for_a.cookies  # A had none: the served page sets A's own
    added = a.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": csrf_token_in(for_a.content)},
    )
    assert added.status_code == 302
    assert a.get(reverse("basket:summary")).context["basket"].num_items == 1
    # B's token, baked into the page, would not have done for A.
    refused = a.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": csrf_token_in(for_b.content)},
    )
    assert refused.status_code == 403


def test_the_csp_nonce_of_a_served_page_is_its_own(client, product):
    url = product.get_absolute_url()
    nonces = []
    for _ in range(2):
        response = client.get(url)
        header = response.headers.get("Content-Security-Policy", "")
        if "nonce-" not in header:
            pytest.skip("no nonce in this project's Content Security Policy")
        nonce = re.search(r"'nonce-([^']+)'", header)[1]
        assert f'nonce="{nonce}"'.encode() in response.content
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_stock_change_shows_at_once_on_the_cached_product_page(
    client, product, django_capture_on_commit_callbacks
):
    url = product.get_absolute_url()
    client.get(url)
    assert cached(client.get(url)) == "hit"
    stockrecord = product.stockrecords.get()
    with django_capture_on_commit_callbacks(execute=True):
        stockrecord.price = Decimal("99000")
        stockrecord.num_in_stock = 0
        stockrecord.save()
    page = client.get(url)
    assert cached(page) == "miss"
    assert page.context["product"].stockrecords.get().price == Decimal("99000")
    assert "99.000" in page.content.decode()
    assert not page.context["session"].availability.is_available_to_buy


def test_the_price_in_a_basket_is_live_even_while_a_page_is_cached(client, product):
    """No invalidation here at all (the change never commits): the basket reads live."""
    client.get(product.get_absolute_url())
    stockrecord = product.stockrecords.get()
    stockrecord.price = Decimal("131000")
    stockrecord.save()  # inside the test's transaction: the cached page stays
    assert cached(client.get(product.get_absolute_url())) == "hit"
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.total_incl_tax == Decimal("131000")


def _change_product(product):
    product.title = "Miến dong mới"
    product.save()


def _change_category(product):
    category = product.categories.get()
    category.name = "Đặc sản mới"
    category.save()


def _change_product_categories(product):
    product.categories.add(CategoryFactory())


def _change_cooperative(product):
    product.cooperative.short_description = "Giới thiệu mới"
    product.cooperative.save()


def _delete_product(product):
    ProductFactory(cooperative=product.cooperative).delete()


def _change_image(product):
    from tests.stories.conftest import wagtail_image

    wagtail_image()


def _change_stock(product):
    stockrecord = product.stockrecords.get()
    stockrecord.allocate(1)  # oscar's own update(), which sends post_save itself


@pytest.mark.parametrize(
    "change",
    [
        _change_product,
        _change_category,
        _change_product_categories,
        _change_cooperative,
        _delete_product,
        _change_image,
        _change_stock,
    ],
)
def test_each_change_throws_the_kept_pages_away(
    client, product, change, django_capture_on_commit_callbacks
):
    urls = [product.get_absolute_url(), product.cooperative.get_absolute_url(), "/"]
    for url in urls:
        client.get(url)
    before = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        change(product)
    assert page_cache.generation() != before
    for url in urls:
        assert cached(client.get(url)) == "miss", url


def test_publishing_a_story_shows_at_once(
    client, product, make_story, django_capture_on_commit_callbacks
):
    story = make_story(cooperative=product.cooperative)
    client.get(story.url)
    assert cached(client.get(story.url)) == "hit"
    story.title = "Tên mới của câu chuyện"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    page = client.get(story.url)
    assert cached(page) == "miss"
    assert "Tên mới của câu chuyện" in page.content.decode()


def test_making_a_story_private_stops_its_kept_copy_at_once(
    client, product, make_story, django_capture_on_commit_callbacks
):
    story = make_story(cooperative=product.cooperative)
    client.get(story.url)
    assert cached(client.get(story.url)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=story, restriction_type=PageViewRestriction.PASSWORD, password="ba-be"
        )
    page = client.get(story.url)
    assert cached(page) is None
    assert b'name="password"' in page.content  # Wagtail's password form, not the story


def test_an_uncommitted_change_is_not_yet_shown(client, product):
    client.get(product.get_absolute_url())
    product.title = "Chưa lưu xong"
    product.save()  # the test's transaction never commits: no invalidation
    assert cached(client.get(product.get_absolute_url())) == "hit"


def signed_in(user) -> Client:
    shopper = Client()
    shopper.force_login(user)
    return shopper


def test_signed_in_shoppers_share_a_signed_in_version_of_each_page(
    client, product, make_story, django_assert_num_queries, settings
):
    story = make_story(cooperative=product.cooperative)
    with_basket = UserFactory()
    basket_with((product, 2), user=with_basket)
    first, second = signed_in(UserFactory()), signed_in(with_basket)
    for number, url in enumerate(anonymous_urls(product, story)):
        guest = client.get(url)
        assert cached(guest) == "miss", url
        mine = first.get(url)
        assert (mine.status_code, cached(mine)) == (200, "miss"), url  # not the guests' page
        # Who is asking: the user, and the session unless Redis holds it; whether they
        # share: the cache, after one query on their first page. A product view is
        # counted in Redis, or without it in the database (4 writes).
        counted_in_db = url == product.get_absolute_url() and not settings.REDIS_URL
        who = 1 + session_queries()
        with django_assert_num_queries(who + (number == 0) + (4 if counted_in_db else 0)):
            theirs = second.get(url)
        assert (theirs.status_code, cached(theirs)) == (200, "hit"), url
        assert b"Login or register" not in theirs.content
        assert reverse("customer:summary").encode() in theirs.content
        assert reverse("customer:login").encode() not in theirs.content
        assert cached(client.get(url)) == "hit"
        assert reverse("customer:login").encode() in client.get(url).content


def test_a_signed_in_shopper_can_add_to_the_basket_from_a_shared_page(product):
    signed_in(UserFactory()).get(product.get_absolute_url())
    shopper = UserFactory()
    browser = signed_in(shopper)
    page = browser.get(product.get_absolute_url())
    assert cached(page) == "hit"
    added = browser.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": csrf_token_in(page.content)},
    )
    assert added.status_code == 302
    assert Basket.objects.get(owner=shopper).num_items == 1


def _staff(user):
    user.is_staff = True
    user.save()


def _manager(user):
    CooperativeFactory().partner.users.add(user)


def _editor(user):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name="Editors")[0])


def _wish_list(user):
    user.wishlists.create(name="Tết")


def _stock_alert(user):
    from oscar.apps.customer.models import ProductAlert

    ProductAlert.objects.create(user=user, product=ProductFactory(), status=ProductAlert.ACTIVE)


def _unread_notification(user):
    from oscar.apps.communication.models import Notification

    Notification.objects.create(recipient=user, subject="Hàng về", body="…")


@pytest.mark.parametrize(
    "make_different",
    [_staff, _manager, _editor, _wish_list, _stock_alert, _unread_notification],
)
def test_users_whose_pages_differ_get_their_own(product, make_different):
    url = product.get_absolute_url()
    signed_in(UserFactory()).get(url)  # the shared page is kept
    user = UserFactory()
    make_different(user)
    browser = signed_in(user)
    for _ in range(2):
        response = browser.get(url)
        assert response.status_code == 200
        assert cached(response) is None


def test_a_session_holding_more_than_who_they_are_gets_its_own_page(product):
    url = product.get_absolute_url()
    signed_in(UserFactory()).get(url)
    browser = signed_in(UserFactory())
    session = browser.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = [7]
    session.save()
    assert cached(browser.get(url)) is None


def test_a_shopper_who_has_ordered_still_shares_pages(product):
    url = product.get_absolute_url()
    signed_in(UserFactory()).get(url)
    browser = signed_in(UserFactory())
    session = browser.session
    session["checkout_order_id"] = 42  # only their order's page reads it
    session["checkout_data"] = {"shipping": {}, "payment": {}}  # flushed after the order
    session.save()
    assert cached(browser.get(url)) == "hit"
    session["checkout_data"] = {"shipping": {"method_code": "giao-hang"}}  # in checkout
    session.save()
    assert cached(browser.get(url)) is None


def test_a_page_showing_who_the_shopper_is_is_not_kept(product):
    url = product.get_absolute_url()
    product.title = "Quà của chi.lan@example.vn"
    product.save()
    assert cached(signed_in(UserFactory(email="chi.lan@example.vn")).get(url)) is None
    assert cached(signed_in(UserFactory()).get(url)) == "miss"


def test_a_page_with_a_message_is_never_kept_nor_served(client, product):
    response = client.get("/shop/catalogue/?page=999")  # "invalid page" message, redirect
    assert response.status_code == 302
    page = client.get(response["Location"])  # shows the message: rendered for this visitor
    assert cached(page) is None
    assert "messages" not in client.cookies or not client.cookies["messages"].value
    assert cached(client.get("/shop/catalogue/")) == "miss"  # kept only now


def test_vietnamese_and_english_pages_are_kept_apart(client, product):
    url = product.get_absolute_url()
    vietnamese = client.get(url)
    client.cookies["django_language"] = "en"
    english = client.get(url)
    assert cached(english) == "miss"
    assert english.content != vietnamese.content
    assert b'lang="en"' in english.content
    assert cached(client.get(url)) == "hit"
    assert english.headers["Content-Language"] == "en"


def test_unknown_query_parameters_and_searches_are_rendered_afresh(client, product):
    for url in ("/shop/catalogue/?q=mien", "/shop/catalogue/?utm_source=zalo"):
        client.get(url)
        assert cached(client.get(url)) is None


def test_a_basket_does_not_make_pages_personal(client, product):
    url = product.get_absolute_url()
    client.get(url)
    added = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    assert added.cookies["basket_count"].value == "2"
    assert cached(client.get(url)) is None  # shows "added to your basket" to this shopper
    page = client.get(url)
    assert cached(page) == "hit"  # the count is the browser's to show, from the cookie
    assert b"data-basket-count hidden" in page.content


def test_the_basket_count_cookie_goes_with_the_basket(client, product):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert client.cookies["basket_count"].value == "1"
    basket_page = client.get(reverse("basket:summary"))
    line = basket_page.context["formset"].forms[0]
    client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "form-0-id": line.instance.pk,
            "form-0-quantity": 3,
        },
    )
    assert client.cookies["basket_count"].value == "3"
    del client.cookies["oscar_open_basket"]  # the basket is gone (e.g. signed out)
    client.get("/")
    assert client.cookies["basket_count"].value == ""  # deleted


def test_signing_in_shows_the_accounts_basket(client, product):
    shopper = UserFactory()
    basket_with((product, 4), user=shopper)
    client.get("/")
    response = client.post(
        reverse("customer:login"),
        {"login-username": shopper.email, "login-password": "secret-password", "login_submit": "1"},
    )
    assert response.status_code == 302
    assert client.cookies["basket_count"].value == "4"


def test_an_anonymous_visit_writes_no_session(client, product, make_story):
    story = make_story(cooperative=product.cooperative)
    for url in anonymous_urls(product, story):
        client.get(url)
        client.get(url)
    assert Session.objects.count() == 0
    assert settings_session_cookie() not in client.cookies
    assert not Basket.objects.exists()  # oscar makes one only when something is added


def settings_session_cookie() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def test_a_view_served_from_the_cache_is_still_counted(client, product):
    url = product.get_absolute_url()
    client.get(url)
    client.get(url)
    assert cached(client.get(url)) == "hit"
    product_views_flush()  # with Redis, views are counted there and written in batches
    assert ProductRecord.objects.get(product=product).num_views == 3


def test_a_kept_page_is_sent_gzipped_with_this_visitors_token(client, product):
    url = product.get_absolute_url()
    client.get(url)
    phone = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    squeezed = phone.get(url)
    assert cached(squeezed) == "hit"
    assert squeezed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in squeezed["Vary"]
    page = gzip.decompress(squeezed.content)
    # About as small as compressing the whole page at once (GZipMiddleware's way): each
    # token and nonce is compressed on its own (a few bytes more each).
    assert len(squeezed.content) < len(compress_string(page)) * 1.1
    plain = Client().get(url)  # no Accept-Encoding: the same page, uncompressed
    assert cached(plain) == "hit" and not plain.has_header("Content-Encoding")
    # Each visitor's own CSRF token and nonce; everything around them identical.
    token, nonce = csrf_token_in(page), squeezed.wsgi_request.csp_nonce
    assert _unmask_cipher_token(token) == phone.cookies["csrftoken"].value
    assert f'nonce="{nonce}"'.encode() in page
    assert re.sub(rb"[A-Za-z0-9_\-+/=]{20,}", b"~", page) == re.sub(
        rb"[A-Za-z0-9_\-+/=]{20,}", b"~", plain.content
    )
    added = phone.post(
        reverse("basket:add", kwargs={"pk": product.pk}),
        {"quantity": 1, "csrfmiddlewaretoken": token},
    )
    assert added.status_code == 302


def test_a_process_serves_guests_pages_it_holds_without_asking_redis(
    client, product, settings, asks_to_redis, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    url = product.get_absolute_url()
    assert cached(client.get(url)) == "miss"
    asked = len(asks_to_redis)
    for _ in range(3):
        assert cached(Client().get(url)) == "hit"
    assert len(asks_to_redis) == asked  # held here
    # A change made in this process shows at once.
    with django_capture_on_commit_callbacks(execute=True):
        product.title = "Miến dong mùa mới"
        product.save()
    page = Client().get(url)
    assert cached(page) == "miss"
    assert "Miến dong mùa mới" in page.content.decode()


def test_a_change_made_elsewhere_shows_once_the_process_asks_again(
    client, product, settings, monkeypatch
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    url = product.get_absolute_url()
    client.get(url)
    cache.incr(page_cache.GENERATION_KEY)  # another process's change, not seen here yet
    assert cached(Client().get(url)) == "hit"  # within the second
    later = page_cache.time.monotonic() + 1.5
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert cached(Client().get(url)) == "miss"  # asked Redis: a new generation


def test_whether_a_shopper_shares_pages_is_held_only_as_long_as_the_pages(
    product, settings, asks_to_redis, monkeypatch
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    url = product.get_absolute_url()
    signed_in(UserFactory()).get(url)
    shopper = UserFactory()
    browser = signed_in(shopper)
    assert cached(browser.get(url)) == "hit"  # asked Redis: they share
    asked = len(asks_to_redis)
    assert cached(browser.get(url)) == "hit"
    assert len(asks_to_redis) == asked  # held here
    shopper.wishlists.create(name="Tết")  # their pages differ from now on
    page_cache.cache.delete(page_cache.SHOPPER_KEY.format(shopper.pk))
    later = page_cache.time.monotonic() + 1.5
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert cached(browser.get(url)) is None  # asked again: their own page
