"""The production stack of bin/serve-production, driven over HTTP like a shopper's phone.

gunicorn, a Celery worker and beat with shop.settings.production, on PostgreSQL and
Redis (skipped, loudly, on SQLite: see conftest.py). About 30 s each.
"""

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from bs4 import BeautifulSoup
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from cooperatives import statuses
from cooperatives.models import Notification
from order.models import Order
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.production.stack import Shopper, form_data

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DELIVERY = {
    "full_name": "Hoàng Thị Lan",
    "phone": "0912345678",
    "email": "lan@example.vn",
    "province_code": "19",  # Thái Nguyên, loaded by migrations
    "commune_code": "01906",  # Xã Ba Bể
    "line1": "Thôn Pác Ngòi",
    "payment_method": "cod",
}


PHONE_ORDER = {
    "full_name": "Nông Văn Dũng",
    "phone": "0987 654 321",
    "province_code": "19",
    "commune_code": "01906",
    "line1": "Bản Nà Phòng",
    "payment_method": "cod",
    "channel": statuses.CHANNEL_PHONE,
}


def place_cod_order(shopper: Shopper, products) -> str:
    """Basket, delivery form, review, place: the order number the shopper lands on."""
    for product in products:
        page = shopper.get(product.get_absolute_url())
        assert page.status_code == 200
        added = shopper.submit(page, "#add_to_basket_form")
        assert added.status_code == 200
        # Oscar's "added to your basket": a message kept in the session or a signed
        # cookie, shown by whichever server answered the redirect.
        assert BeautifulSoup(added.text, "html.parser").select("#messages .alert")
    delivery = shopper.get("/shop/checkout/")
    assert delivery.status_code == 200
    preview = shopper.submit(delivery, "form.checkout-delivery", **DELIVERY)
    assert urlsplit(preview.url).path == reverse("checkout:preview"), page_errors(preview.text)
    placed = shopper.submit(preview, "form.place-order")
    assert placed.status_code == 200
    path = urlsplit(placed.url).path
    assert path.startswith("/don-hang/"), path
    return path.split("/")[2]


def page_errors(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = soup.select(".errorlist, .invalid-feedback, .alert-danger, .alert-error, #messages")
    return [" ".join(error.get_text().split()) for error in found] or [html[:2000]]


def wait_for(condition, *, timeout: float = 30, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_cash_on_delivery_order_is_announced_by_the_celery_worker(stack):
    manager = UserFactory(email="quanly@babexanh.vn")
    farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=farm, net_weight_grams=700)
    base_url, log = stack.start()

    number = place_cod_order(Shopper(base_url), [honey])

    order = Order.objects.get(number=number)
    assert order.lines.get().product == honey

    def all_sent():
        notifications = list(Notification.objects.filter(order=order))
        return (
            notifications
            if notifications and all(n.status == Notification.SENT for n in notifications)
            else None
        )

    notifications = wait_for(all_sent, what="the order's notifications to be sent")
    assert {n.recipient for n in notifications} >= {"lan@example.vn", "quanly@babexanh.vn"}
    mail = "".join(path.read_text() for path in (Path(stack.env["EMAIL_FILE_PATH"])).iterdir())
    assert number in mail and "To: lan@example.vn" in mail
    # Run by the worker from Redis, not eagerly in the web process.
    output = log.read_text()
    assert "Task cooperatives.tasks.order_placed_notify_task[" in output
    assert " succeeded in " in output
    # With no web server in front on one host, gunicorn serves the product photos too.
    photo = Path(stack.env["MEDIA_ROOT"]) / "images" / "mat-ong.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a photo")
    served = requests.get(f"{base_url}/media/images/mat-ong.jpg", timeout=10)
    assert served.status_code == 200 and served.content == b"\xff\xd8 a photo"
    # gunicorn's request log line for placing the order carries the order number.
    assert f'"order_number": "{number}"' in output


def test_a_shopper_alternating_between_two_web_servers_keeps_one_basket(stack):
    """Sessions, the basket, messages and CSRF all live in PostgreSQL, Redis or cookies."""
    # Hashed as production hashes (the test settings' MD5 hasher is unknown there).
    hasher = PBKDF2PasswordHasher()
    manager = UserFactory(email="quanly@bachthong.vn")
    manager.password = hasher.encode("mat-khau-quan-ly", hasher.salt())
    manager.save(update_fields=["password"])
    farm = CooperativeFactory(name="HTX Miến dong Bạch Thông", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    noodles = ProductFactory(title="Miến dong", cooperative=farm, net_weight_grams=500)
    tea = ProductFactory(title="Chè Shan tuyết", cooperative=farm, net_weight_grams=200)
    first, _log = stack.start()
    second, _log = stack.start(processes="web")
    shopper = Shopper(first, second)

    number = place_cod_order(shopper, [noodles, tea])

    assert {first, second} <= set(shopper.served_by)
    order = Order.objects.get(number=number)
    assert sorted(order.lines.values_list("title", flat=True)) == ["Chè Shan tuyết", "Miến dong"]
    assert order.basket.status == "Submitted"
    # The cache (rate limits, the phone-order submission keys, the page cache) is the
    # stack's Redis database, shared by both servers: the order moved the page cache's
    # generation there, which every server reads.
    cache = redis.Redis.from_url(stack.env["REDIS_URL"])
    assert cache.keys("*page-cache:generation")
    # The basket page after the order, on either server: empty, a new basket.
    for _ in range(2):
        basket = shopper.get("/shop/basket/")
        assert basket.status_code == 200
        assert not BeautifulSoup(basket.text, "html.parser").select(".basket-part")

    # A manager enters a phone order on one server; the retried tap reaches the other,
    # which finds the order through the submission key in the shared cache.
    console = Shopper(first, second)
    login = console.get(reverse("customer:login"))
    signed_in = console.submit(
        login,
        "#login_form",
        **{"login-username": manager.email, "login-password": "mat-khau-quan-ly"},
        login_submit="Log In",
    )
    assert signed_in.status_code == 200
    assert urlsplit(signed_in.url).path != urlsplit(login.url).path, page_errors(signed_in.text)
    page = console.get(reverse("manager:phone-order", kwargs={"cooperative_slug": farm.slug}))
    assert page.status_code == 200, page.url
    action, data = form_data(page.text, "form.phone-order")
    data.update({**PHONE_ORDER, "product_0": str(tea.pk), "quantity_0": "3"})
    placed = console.request("POST", action, data, via=first)
    retried = console.request("POST", action, data, via=second)
    assert placed.status_code == retried.status_code == 200
    assert urlsplit(placed.url).path == urlsplit(retried.url).path
    assert Order.objects.count() == 2  # the shopper's and one phone order
