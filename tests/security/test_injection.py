"""Script typed into the shop's fields never runs in anyone's browser.

Product names and descriptions (entered by managers), cooperative profiles (staff),
delivery addresses and notes (shoppers), story text (editors) all reach other people's
pages: the catalogue, the manager's order card and packing slip, the shopper's order
page. Each page is parsed and must hold no script, event handler or injected tag
that came from the data; plain-text fields must show the text itself, escaped.
"""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from catalogue.models import Product
from cooperatives.selectors import order_page_path
from tests.factories import (
    CooperativeFactory,
    UserFactory,
    WeightBasedFactory,
    delivery_address,
    place_order,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


class Inert(HTMLParser):
    """Records every way ``alert(1)`` could run from a parsed page.

    ``rich``: the page shows rich text, whose whitelist allows a plain ``<img>`` (its
    handlers stripped); otherwise an ``<img src=x>`` means a field was not escaped.
    """

    def __init__(self, *, rich=False):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script: str | None = None
        self.rich = rich

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attributes.get("src") == "x" and not self.rich:
            self.problems.append("<img src=x> injected")
        if tag == "script":
            self.in_script = attributes.get("type") or "text/javascript"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = None

    def handle_data(self, data):
        if self.in_script is None or "alert(1)" not in data:
            return
        # JSON in a data script is inert as long as it cannot close the tag.
        if "json" in self.in_script and "<" not in data:
            return
        self.problems.append(f"script ({self.in_script}) holding {data.strip()[:80]!r}")


def assert_inert(response, *, shows_text=True, rich=False):
    assert response.status_code == 200, response
    page = response.content.decode()
    parser = Inert(rich=rich)
    parser.feed(page)
    assert parser.problems == [], response.request["PATH_INFO"]
    assert SCRIPT not in page and BREAKOUT not in page
    if shows_text:
        assert SCRIPT_ESCAPED in page or BREAKOUT_ESCAPED in page, "the text itself is shown"


@pytest.fixture
def tainted(client, django_capture_on_commit_callbacks):
    """Everything a manager, staff member and shopper can type, carrying script."""
    manager = UserFactory(first_name=SCRIPT, last_name=BREAKOUT)
    farm = CooperativeFactory(
        name=f"HTX {SCRIPT}",
        short_description=BREAKOUT,
        description=f"<p>Chè {SCRIPT}</p><p>{BREAKOUT}</p>",
        address_line=BREAKOUT,
        managers=[manager],
        bank_bin="970405",
        bank_account_number="8300205123456",
        bank_account_holder="HTX THU NGHIEM",
    )
    WeightBasedFactory(cooperative=farm, name=f"Giao {BREAKOUT}")
    client.force_login(manager)
    response = client.post(
        reverse("manager:product-create", kwargs={"cooperative_slug": farm.slug}),
        {
            "title": f"Mật ong {SCRIPT}",
            "description": f"Ngon {SCRIPT}\n\n{BREAKOUT}",
            "price": "150000",
            "num_in_stock": "20",
            "unit_label": BREAKOUT,
            "net_weight_grams": "500",
            "origin_province_code": "19",
            "origin_commune_code": "01906",
        },
    )
    assert response.status_code == 302, "the console stores the text as typed"
    product = Product.objects.get()
    assert SCRIPT in product.title
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):  # the notifications too
        order = place_order(
            (product, 1),
            payment_method="transfer",
            address=delivery_address(full_name=f"Lan {SCRIPT}", line1=BREAKOUT, notes=SCRIPT),
            guest_email="lan@example.vn",
        )
    return {"manager": manager, "farm": farm, "product": product, "order": order}


def test_catalogue_pages(client, tainted):
    product, farm = tainted["product"], tainted["farm"]
    for url in [
        product.get_absolute_url(),
        "/shop/catalogue/",
        "/tim-kiem/?q=mat+ong",
        "/shop/search/?q=mat+ong",
        farm.get_absolute_url(),
        "/hop-tac-xa/",
    ]:
        assert_inert(client.get(url))
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert_inert(client.get("/shop/basket/"))
    assert_inert(client.get("/shop/checkout/"))


def test_search_query_is_echoed_escaped(client):
    for url in ["/tim-kiem/", "/shop/search/", "/shop/catalogue/"]:
        assert_inert(client.get(url, {"q": SCRIPT}))
        assert_inert(client.get(url, {"q": BREAKOUT}))


def test_shopper_order_page(client, tainted):
    assert_inert(client.get(order_page_path(tainted["order"])))


def test_manager_order_card_inbox_and_packing_slip(client, tainted):
    farm, order = tainted["farm"], tainted["order"]
    fulfilment = order.fulfilments.get()
    client.force_login(tainted["manager"])
    slug = farm.slug
    for name, kwargs in [
        ("manager:orders", {}),
        ("manager:order-detail", {"pk": fulfilment.pk}),
        ("manager:packing-slip", {"pk": fulfilment.pk}),
        ("manager:pick-list", {}),
        ("manager:product-list", {}),
        ("manager:product-update", {"pk": tainted["product"].pk}),
    ]:
        response = client.get(reverse(name, kwargs={"cooperative_slug": slug, **kwargs}))
        assert_inert(response)
    assert_inert(client.get(reverse("manager:home"), follow=True))


def test_emails_are_plain_text(tainted):
    assert mail.outbox, "order notifications were sent"
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None), "no HTML part to run script in"


def test_csv_export_neutralises_formulas(client):
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    WeightBasedFactory(cooperative=farm)
    from tests.factories import ProductFactory

    product = ProductFactory(cooperative=farm, net_weight_grams=500)
    place_order(
        (product, 1),
        address=delivery_address(full_name='=HYPERLINK("http://evil.example","Bấm")'),
    )
    client.force_login(manager)
    response = client.get(reverse("manager:orders-csv", kwargs={"cooperative_slug": farm.slug}))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Bấm")' in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_story_intro_and_body_are_cleaned(client):
    import datetime

    from stories import services
    from stories.models import HomePage

    index = services.story_index_create(home=HomePage.objects.get(), title="Câu chuyện", slug="cc")
    story = services.story_publish(
        index=index,
        title="Chuyện làng",
        slug="chuyen-lang",
        intro=f"<p>Mở đầu {SCRIPT}</p><p>{BREAKOUT}</p>",
        date=datetime.date(2026, 1, 1),
        body=[("paragraph", f"<p>Thân bài {SCRIPT}{BREAKOUT}</p>")],
    )
    # Rich-text fields are filtered by the editor, but not when written by an import,
    # the API or a database edit: the page cleans them again.
    index.intro = f"<p>Mở đầu {SCRIPT}</p><p>{BREAKOUT}</p>"
    index.save()
    home = HomePage.objects.get()
    home.intro = f"<p>Chào {SCRIPT}</p><p>{BREAKOUT}</p>"
    home.save()
    for url in [story.url, index.url, home.url]:
        assert_inert(client.get(url), shows_text=False, rich=True)
