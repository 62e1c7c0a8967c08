"""Grow the demo store into the benchmark's data set (benchmarks/README.md).

At ``--scale 1``: 20 cooperatives, 2,000 products with photos, 30 categories,
10,000 past orders with their fulfilments and 40 stories with product cards;
``--scale 10`` makes every count ten times larger, to show how each page's cost grows
with the data. It starts from ``load_demo_data`` (the home page, the story index, the
demo users and managers) and tops every count up, so running it again adds nothing.

Cooperatives, the orders' templates and the stories go through the services, as in the
shop; products and past orders are far too many for that and are written with
``bulk_create``: products as ``product_create`` writes them (stock record, category,
photo), orders as copies of a few orders that ``order_place`` really placed, with
their addresses, lines and fulfilments, spread over the past year in every state.
Only for a database kept for benchmarking, never a real one.
"""

import contextlib
import datetime
import io
import random
import time
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from oscar.apps.partner.models import StockRecord
from oscar.apps.partner.strategy import Selector
from oscar.core.loading import get_model
from oscar.core.utils import slugify
from wagtail.images import get_image_model

from address.models import Commune
from catalogue import services as catalogue_services
from catalogue.models import Category, Product, ProductCategory, ProductImage
from cooperatives import statuses
from cooperatives.models import Cooperative, Fulfilment
from cooperatives.services.checkout import DeliveryAddress, order_place
from cooperatives.services.onboarding import cooperative_onboard
from cooperatives.services.shipping import shipping_rate_set
from order.models import Line, Order, ShippingAddress
from shop import demo_data
from shop.management.commands.load_demo_data import placeholder_image
from stories import services as story_services
from stories.models import HomePage, StoryIndexPage, StoryPage

# Whichever app holds the basket model now (oscar's, or the shop's fork of it).
Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")

COOPERATIVES, PRODUCTS, CATEGORIES, ORDERS, STORIES = 20, 2_000, 30, 10_000, 40
# Baskets left open: most visitors who add something never order. Their lines spread over
# the catalogue, as real ones do; without them the planner's statistics describe a basket
# table of a few demo lines, and it plans the basket's read as no shop would see it.
ABANDONED_BASKETS = 5_000
BENCH = "Đo tải"  # every name made here carries it; the demo's own rows do not
PROVINCE_CODE = demo_data.PROVINCE_CODE
AMPLE_STOCK = 1_000_000  # checkouts under load must never run out
PHOTOS = 8  # product photos drawn once and shared, so building 20,000 products is fast
BATCH = 2_000

# Product names read like a cooperative's price list: a kind, a place, a pack.
KINDS = [
    "Miến dong", "Gạo bao thai", "Gạo nếp", "Chè Shan tuyết", "Mật ong rừng", "Măng khô",
    "Nấm hương", "Mộc nhĩ", "Hồng sấy", "Tinh bột nghệ", "Mắc khén", "Thịt trâu gác bếp",
    "Lạp sườn", "Cá suối nướng", "Bột sắn dây", "Hạt dẻ", "Lạc đỏ", "Tương bần",
]  # fmt: skip
PLACES = ["Ba Bể", "Chợ Đồn", "Bạch Thông", "Na Rì", "Pác Nặm", "Ngân Sơn", "Chợ Mới", "Định Hóa"]
PACKS = [("gói 500 g", 500), ("túi 1 kg", 1000), ("hộp 200 g", 200), ("hũ 300 g", 300)]
FAMILY = ["Hoàng", "Nông", "Triệu", "Lường", "Ma", "Đặng", "Nguyễn", "Lý", "Hà", "Bế"]
GIVEN = ["Thị Lan", "Văn Minh", "Thị Hoa", "Văn Phú", "Thị Mai", "Văn Toàn", "Thị Thu", "Văn Sơn"]


def _copy(instance, **changes):
    """An unsaved copy of ``instance`` with every concrete field but its key, then ``changes``."""
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)


def _age_status(index: int, total: int) -> tuple[str, str]:
    """State of the ``index``-th newest of ``total`` past orders: recent ones are still open."""
    share = index / total
    if index % 33 == 7:
        return statuses.CANCELLED, statuses.PAYMENT_VOID
    if share < 0.01:
        return statuses.NEW, statuses.PAYMENT_DUE
    if share < 0.02:
        return statuses.CONFIRMED, statuses.PAYMENT_DUE
    if share < 0.03:
        return statuses.PACKED, statuses.PAYMENT_DUE
    if share < 0.05:
        return statuses.SHIPPED, statuses.PAYMENT_DUE
    return statuses.DELIVERED, statuses.PAYMENT_COLLECTED


class Command(BaseCommand):
    help = "Build the benchmark data set on top of the demo store (see benchmarks/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply every count (1)")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        self.random = random.Random(scale)  # noqa: S311  (the same data set every time)
        started = time.perf_counter()
        self.step("demo store", lambda: call_command("load_demo_data", verbosity=0))
        categories = self.step("categories", lambda: self.categories(CATEGORIES * scale))
        cooperatives = self.step("cooperatives", lambda: self.cooperatives(COOPERATIVES * scale))
        self.step("products", lambda: self.products(PRODUCTS * scale, cooperatives, categories))
        self.step("orders", lambda: self.orders(ORDERS * scale, cooperatives))
        self.step("baskets", lambda: self.baskets(ABANDONED_BASKETS * scale))
        self.step("stories", lambda: self.stories(STORIES * scale))
        self.step("statistics", self.analyze)
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark data ×{scale} ready in {time.perf_counter() - started:.0f} s: "
                f"{Cooperative.objects.count()} cooperatives, {Product.objects.count()} products, "
                f"{Category.objects.count()} categories, {Order.objects.count()} orders, "
                f"{Fulfilment.objects.count()} fulfilments, {StoryPage.objects.count()} stories."
            )
        )

    def step(self, name: str, work):
        started = time.perf_counter()
        result = work()
        self.stdout.write(f"  {name:<14} {time.perf_counter() - started:6.1f} s")
        return result

    # --- catalogue ----------------------------------------------------------------------

    @transaction.atomic
    def categories(self, total: int) -> list[Category]:
        """The demo's top-level categories, with numbered sub-categories up to ``total``."""
        roots = list(Category.get_root_nodes())
        existing = list(Category.objects.order_by("path"))
        for number in range(len(existing), total):
            parent = Category.objects.get(pk=roots[number % len(roots)].pk)  # fresh tree fields
            parent.add_child(name=f"{parent.name} {BENCH} {number + 1}")
        return list(Category.objects.order_by("path"))

    def cooperatives(self, total: int) -> list[Cooperative]:
        """The demo cooperatives plus onboarded ones, each with a delivery rate and a manager's
        logo and cover photo shared from the first demo cooperative."""
        existing = list(Cooperative.objects.order_by("pk"))
        communes = list(
            Commune.objects.filter(province_id=PROVINCE_CODE).order_by("code")[: max(total, 1)]
        )
        demo = existing[0]
        for number in range(len(existing), total):
            place = PLACES[number % len(PLACES)]
            with transaction.atomic():
                cooperative = cooperative_onboard(
                    name=f"HTX {BENCH} {place} {number + 1}",
                    slug=f"htx-do-tai-{number + 1}",
                    province_code=PROVINCE_CODE,
                    commune_code=communes[number % len(communes)].code,
                    short_description=f"Đặc sản {place} do xã viên làm ra.",
                    description=(
                        f"Hợp tác xã {place} gồm các hộ xã viên trồng, chế biến và đóng gói "
                        "đặc sản vùng cao, gửi hàng hai lần mỗi tuần."
                    ),
                    offers_pickup=number % 3 == 0,
                )
                Cooperative.objects.filter(pk=cooperative.pk).update(
                    logo=demo.logo.name, cover_photo=demo.cover_photo.name
                )
                shipping_rate_set(
                    cooperative=cooperative,
                    name=f"Giao hàng tận nơi — {cooperative.name}",
                    bands=demo_data.SHIPPING_BANDS,
                    free_above=Decimal("1000000"),
                )
        return list(Cooperative.objects.order_by("pk"))

    def photos(self) -> list[str]:
        """A handful of product photos saved once in media storage; products share them."""
        names = []
        for number in range(PHOTOS):
            name = f"images/products/bench/do-tai-{number + 1}.jpg"
            if not default_storage.exists(name):
                kind = KINDS[number % len(KINDS)]
                name = default_storage.save(name, ContentFile(placeholder_image(text=kind)))
            names.append(name)
        return names

    @transaction.atomic
    def products(self, total: int, cooperatives: list[Cooperative], categories) -> None:
        """Products as ``product_create`` writes them, in bulk: product, stock record,
        category and photo; every cooperative gets its share."""
        missing = total - Product.objects.count()
        if missing <= 0:
            return
        photos = self.photos()
        product_class = catalogue_services.product_class_default()
        start = Product.objects.filter(title__contains=BENCH).count()
        leaves = [category for category in categories if not category.is_root()] or categories
        for offset in range(0, missing, BATCH):
            numbers = range(start + offset, start + min(offset + BATCH, missing))
            products = []
            for number in numbers:
                cooperative = cooperatives[number % len(cooperatives)]
                kind = KINDS[number % len(KINDS)]
                place = PLACES[(number // len(KINDS)) % len(PLACES)]
                pack, grams = PACKS[number % len(PACKS)]
                title = f"{kind} {place} {pack} — {BENCH} {number + 1}"
                products.append(
                    Product(
                        cooperative=cooperative,
                        product_class=product_class,
                        title=title,
                        slug=slugify(title)[:128].strip("-"),
                        description=f"<p>{kind} của {cooperative.name}, làm thủ công.</p>",
                        structure=Product.STANDALONE,
                        origin_province_code=cooperative.province_code,
                        origin_province_name=cooperative.province_name,
                        origin_commune_code=cooperative.commune_code,
                        origin_commune_name=cooperative.commune_name,
                        unit_label=pack,
                        net_weight_grams=grams,
                        shelf_life_days=365,
                        harvest_months=catalogue_services.harvest_months_mask(
                            [1 + number % 12, 1 + (number + 1) % 12]
                        ),
                        is_public=True,
                    )
                )
            Product.objects.bulk_create(products)
            StockRecord.objects.bulk_create(
                StockRecord(
                    product=product,
                    partner_id=product.cooperative.partner_id,
                    partner_sku=f"do-tai-{number + 1}",
                    price=Decimal(20000 + 5000 * (number % 60)),
                    price_currency="VND",
                    num_in_stock=AMPLE_STOCK,
                )
                for number, product in zip(numbers, products, strict=True)
            )
            ProductCategory.objects.bulk_create(
                ProductCategory(product=product, category=leaves[number % len(leaves)])
                for number, product in zip(numbers, products, strict=True)
            )
            ProductImage.objects.bulk_create(
                ProductImage(
                    product=product,
                    original=photos[number % len(photos)],
                    caption=product.title,
                    display_order=0,
                )
                for number, product in zip(numbers, products, strict=True)
            )
        # Checkouts under load must not run the demo's few units out either.
        StockRecord.objects.filter(num_in_stock__lt=AMPLE_STOCK).update(num_in_stock=AMPLE_STOCK)

    # --- orders -------------------------------------------------------------------------

    def templates(self, cooperatives: list[Cooperative]) -> list[Order]:
        """One order really placed per cooperative, holding its goods and its neighbour's:
        the models of the past orders. Placed as a guest pays on delivery; the "order placed"
        messages go to the settings' backends (run with eager Celery and locmem e-mail)."""
        address = DeliveryAddress(
            full_name="Khách Đo Tải",
            phone="+84912345678",
            province_code=PROVINCE_CODE,
            province_name="Thái Nguyên",
            commune_code="01906",
            commune_name="Xã Ba Bể",
            line1="Thôn Pác Ngòi",
        )
        orders = []
        for number, cooperative in enumerate(cooperatives):
            neighbour = cooperatives[(number + 1) % len(cooperatives)]
            basket = Basket.objects.create()
            basket.strategy = Selector().strategy()
            for seller, quantity in ((cooperative, 2), (cooperative, 1), (neighbour, 1)):
                products = Product.objects.filter(cooperative=seller, is_public=True)
                product = products.order_by("pk")[quantity - 1 if seller == cooperative else 0]
                basket.add_product(product, quantity)
            orders.append(
                order_place(
                    basket=basket,
                    user=None,
                    address=address,
                    shipping_choices={},
                    payment_method="cod",
                    guest_email="khach.do.tai@example.vn",
                )
            )
        return orders

    def orders(self, total: int, cooperatives: list[Cooperative]) -> None:
        """Past orders, newest first one every ``year / total``, copied from the templates."""
        made = Order.objects.filter(number__startswith="B").count()
        if made >= total:
            return
        # The console SMS/Zalo backends print every message (on commit, so around the
        # transaction): not this command's output.
        with contextlib.redirect_stdout(io.StringIO()), transaction.atomic():
            templates = [
                (
                    order,
                    order.shipping_address,
                    list(order.lines.all()),
                    list(order.fulfilments.all()),
                )
                for order in self.templates(cooperatives)
            ]
        now = timezone.now()
        step = datetime.timedelta(days=365) / total
        for offset in range(made, total, BATCH):
            numbers = range(offset, min(offset + BATCH, total))
            with transaction.atomic():
                self.order_batch(numbers, total, templates, now, step)

    def order_batch(self, numbers, total, templates, now, step) -> None:
        chosen = [templates[number % len(templates)] for number in numbers]
        addresses = []
        for number in numbers:
            template_address = chosen[number - numbers[0]][1]
            family = FAMILY[number % len(FAMILY)]
            given = GIVEN[(number // len(FAMILY)) % len(GIVEN)]
            addresses.append(
                _copy(
                    template_address,
                    first_name=f"{family} {given}",
                    phone_number=f"+8491{number % 10_000_000:07d}",
                )
            )
        ShippingAddress.objects.bulk_create(addresses)
        orders = [
            _copy(
                template[0],
                number=f"B{number:07d}",
                basket_id=None,
                shipping_address_id=address.pk,
                date_placed=now - step * number,
            )
            for number, template, address in zip(numbers, chosen, addresses, strict=True)
        ]
        Order.objects.bulk_create(orders)
        lines, fulfilments = [], []
        for number, order, template in zip(numbers, orders, chosen, strict=True):
            status, payment = _age_status(number, total)
            lines += [_copy(line, order_id=order.pk) for line in template[2]]
            fulfilments += [
                _copy(
                    fulfilment,
                    order_id=order.pk,
                    status=status,
                    payment_status=payment,
                    transfer_note=None,
                )
                for fulfilment in template[3]
            ]
        Line.objects.bulk_create(lines)
        Fulfilment.objects.bulk_create(fulfilments)
        # created_at is set on insert; a past order's parts were created when it was placed.
        placed = Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("date_placed")[:1])
        Fulfilment.objects.filter(order__in=orders).update(created_at=placed, updated_at=placed)

    # --- baskets ------------------------------------------------------------------------

    def baskets(self, total: int) -> None:
        """Guests' open baskets, 1–3 lines of any public product each."""
        made = Basket.objects.filter(owner=None, status=Basket.OPEN).count()
        if made >= total:
            return
        stock = list(
            StockRecord.objects.filter(product__is_public=True).values_list(
                "pk", "product_id", "price"
            )
        )
        for offset in range(made, total, BATCH):
            with transaction.atomic():
                baskets = Basket.objects.bulk_create(
                    Basket(status=Basket.OPEN) for _ in range(offset, min(offset + BATCH, total))
                )
                lines = []
                for basket in baskets:
                    chosen = self.random.sample(stock, self.random.randint(1, 3))
                    for pk, product_id, price in chosen:
                        lines.append(
                            BasketLine(
                                basket=basket,
                                product_id=product_id,
                                stockrecord_id=pk,
                                line_reference=f"{product_id}_{pk}",
                                quantity=self.random.randint(1, 3),
                                price_currency="VND",
                                price_excl_tax=price,
                                price_incl_tax=price,
                            )
                        )
                BasketLine.objects.bulk_create(lines)

    # --- stories ------------------------------------------------------------------------

    def stories(self, total: int) -> None:
        """Published stories, each with a product card and a row of three products."""
        home = HomePage.objects.first()
        index = StoryIndexPage.objects.child_of(home).get(slug="cau-chuyen")
        existing = StoryPage.objects.count()
        if existing >= total:
            return
        image_model = get_image_model()
        cover = image_model.objects.filter(title=f"Ảnh {BENCH}").first()
        if cover is None:
            cover = image_model.objects.create(
                title=f"Ảnh {BENCH}",
                file=ImageFile(
                    io.BytesIO(placeholder_image(text="Chuyen HTX", size=(1200, 675))),
                    name="do-tai.jpg",
                ),
            )
        products = list(
            Product.objects.filter(title__contains=BENCH).select_related("cooperative")[:5000]
        )
        for number in range(existing, total):
            card, *row = self.random.sample(products, 4)
            place = PLACES[number % len(PLACES)]
            story_services.story_publish(
                index=index,
                title=f"Mùa {KINDS[number % len(KINDS)].lower()} ở {place} ({BENCH} {number + 1})",
                slug=f"do-tai-{number + 1}",
                intro=f"Một ngày cùng xã viên {card.cooperative.name}.",
                paragraphs=[
                    f"Ở {place}, mùa vụ bắt đầu khi sương tan. Cả thôn cùng ra nương.",
                    "Sản phẩm được đóng gói tại hợp tác xã và gửi đi trong ngày.",
                ],
                body=[
                    ("product_card", {"product": card, "blurb": ""}),
                    ("product_row", {"title": "Cùng mùa", "products": row}),
                    ("cooperative_card", {"cooperative": card.cooperative, "blurb": ""}),
                ],
                author="Đặng Minh Thu",
                tags=["đo tải"],
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=number % 300),
                cooperative=card.cooperative,
                products=[card, *row],
                cover_image=cover,
            )

    def analyze(self) -> None:
        """Fresh planner statistics, as autovacuum would have after a day of such writes."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
