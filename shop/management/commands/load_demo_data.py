"""Fill an empty database with the demo store; running it again changes nothing."""

import colorsys
import datetime
import hashlib
import io
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from oscar.apps.partner.models import StockRecord
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont
from wagtail.embeds.blocks import EmbedValue
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model

from address.models import Commune
from catalogue import services as catalogue_services
from catalogue.models import Category, Product
from cooperatives.models import Cooperative
from cooperatives.services.onboarding import cooperative_manager_add, cooperative_onboard
from cooperatives.services.shipping import shipping_rate_set
from shop import demo_data
from shop.text import fold
from stories import services as story_services
from stories.blocks import VIDEO_MAX_WIDTH
from stories.models import CampaignIndexPage, CampaignPage, HomePage, StoryIndexPage, StoryPage

User = get_user_model()

UNIT = re.compile(r"(gói|túi|hộp|chai|hũ) (\d+) (kg|g|ml|chiếc)$")


def unit_and_weight(title: str) -> tuple[str, int | None]:
    """ "Gạo bao thai túi 5 kg" -> ("túi 5 kg", 5000): the unit is the end of the title.

    Liquids are weighed with their bottle (about 1.4 g a millilitre for honey and glass).
    """
    match = UNIT.search(title)
    if not match:
        return "", None
    amount, measure = int(match.group(2)), match.group(3)
    grams = {"kg": amount * 1000, "g": amount, "ml": round(amount * 1.4)}.get(measure)
    return match.group(0), grams


def season(title: str) -> list[int]:
    return next((months for start, months in demo_data.SEASONS if title.startswith(start)), [])


def ocop(title: str, today: datetime.date) -> dict:
    if title not in demo_data.OCOP:
        return {}
    stars, number, years_ago, days_left = demo_data.OCOP[title]
    return {
        "ocop_stars": stars,
        "ocop_certificate_number": number,
        "ocop_issued_on": today.replace(year=today.year - years_ago, day=1),
        "ocop_expires_on": today + datetime.timedelta(days=days_left),
    }


def placeholder_image(*, text: str, size: tuple[int, int] = (800, 800)) -> bytes:
    """A JPEG of one soft colour with ``text`` on it, drawn locally (no network)."""
    digest = hashlib.sha256(text.encode()).digest()
    red, green, blue = colorsys.hls_to_rgb(digest[0] / 255, 0.82, 0.45)
    image = PillowImage.new("RGB", size, (int(red * 255), int(green * 255), int(blue * 255)))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size[0] // 16)
    # The bundled font has no Vietnamese marks, so the picture shows the folded title.
    words, lines = fold(text).split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=font) > size[0] * 0.8 and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = candidate
    draw.multiline_text(
        (size[0] / 2, size[1] / 2),
        "\n".join(lines),
        font=font,
        fill=(40, 40, 40),
        anchor="mm",
        align="center",
        spacing=size[0] // 40,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load the demo store: cooperatives, products, stories and demo users."

    @transaction.atomic
    def handle(self, *args, **options):
        product_class = catalogue_services.product_class_default()
        categories = {name: self.category(name) for name in demo_data.CATEGORIES}
        cooperatives = {spec["slug"]: self.cooperative(spec) for spec in demo_data.COOPERATIVES}
        for spec in demo_data.COOPERATIVES:
            self.shipping(cooperatives[spec["slug"]], free_above=spec.get("free_above"))
        today = timezone.localdate()
        for slug, products in demo_data.PRODUCTS.items():
            cooperative = cooperatives[slug]
            for number, (title, category, price, stock, description) in enumerate(products, 1):
                sku = f"{slug}-{number:03d}"
                if StockRecord.objects.filter(
                    partner=cooperative.partner, partner_sku=sku
                ).exists():
                    continue
                unit_label, grams = unit_and_weight(title)
                catalogue_services.product_create(
                    cooperative=cooperative,
                    product_class=product_class,
                    title=title,
                    description=f"<p>{description}</p>",
                    price=price,
                    num_in_stock=stock,
                    sku=sku,
                    categories=[categories[category]],
                    image=ContentFile(placeholder_image(text=title), name=f"{sku}.jpg"),
                    unit_label=unit_label,
                    net_weight_grams=grams,
                    shelf_life_days=365 if grams else 180,
                    harvest_months=season(title),
                    certifications=[
                        {"kind": kind, "certificate_number": number, "issued_by": issuer}
                        for kind, number, issuer in demo_data.CERTIFICATIONS.get(title, [])
                    ],
                    **ocop(title, today),
                )
        self.users(cooperatives)
        self.stories(cooperatives)
        self.print_summary()

    def category(self, name: str) -> Category:
        return Category.objects.filter(name=name, depth=1).first() or Category.add_root(name=name)

    def cooperative(self, spec: dict) -> Cooperative:
        existing = Cooperative.objects.filter(slug=spec["slug"]).first()
        if existing:
            return existing
        fields = {
            key: value
            for key, value in spec.items()
            if key not in ("manager", "commune", "free_above")
        }
        commune = Commune.objects.get(
            province_id=demo_data.PROVINCE_CODE, full_name=spec["commune"]
        )
        initials = "".join(word[0] for word in fold(spec["name"]).split()[1:4]).upper()
        return cooperative_onboard(
            province_code=demo_data.PROVINCE_CODE,
            commune_code=commune.code,
            logo=ContentFile(
                placeholder_image(text=initials, size=(400, 400)), name=f"{spec['slug']}.jpg"
            ),
            cover_photo=ContentFile(
                placeholder_image(text=spec["name"], size=(1600, 600)),
                name=f"{spec['slug']}-cover.jpg",
            ),
            **fields,
        )

    def shipping(self, cooperative: Cooperative, *, free_above) -> None:
        name = f"Giao hàng tận nơi — {cooperative.name}"
        if not cooperative.shipping_methods.filter(name=name).exists():
            shipping_rate_set(
                cooperative=cooperative,
                name=name,
                bands=demo_data.SHIPPING_BANDS,
                free_above=free_above,
                description="Gửi qua bưu điện hoặc Viettel Post, 2–4 ngày.",
            )

    def user(self, email: str, full_name: str, **flags) -> User:
        user = User.objects.filter(email=email).first()
        if user:
            return user
        family, _, given = full_name.rpartition(" ")
        return User.objects.create_user(
            username=email.split("@")[0],
            email=email,
            password=demo_data.DEMO_PASSWORD,
            first_name=given,
            last_name=family,
            **flags,
        )

    def users(self, cooperatives: dict[str, Cooperative]) -> None:
        for spec in demo_data.COOPERATIVES:
            email, name = spec["manager"]
            cooperative_manager_add(
                cooperative=cooperatives[spec["slug"]], user=self.user(email, name)
            )
        for email, name, role in demo_data.USERS:
            if role == "staff":
                self.user(email, name, is_staff=True, is_superuser=True)
            elif role in ("editor", "moderator"):
                # Wagtail's own groups: Editors write and submit, Moderators approve and publish.
                group = "Editors" if role == "editor" else "Moderators"
                self.user(email, name).groups.add(Group.objects.get(name=group))
            else:
                self.user(email, name)

    def stories(self, cooperatives: dict[str, Cooperative]) -> None:
        """The home page, a story index whose stories use every block, and a running campaign."""
        home = HomePage.objects.first()
        if home is None:
            raise RuntimeError("No HomePage: run `manage.py migrate` first.")
        products = {product.title: product for product in Product.objects.all()}
        index = StoryIndexPage.objects.child_of(home).filter(slug="cau-chuyen").first()
        if index is None:
            index = story_services.story_index_create(
                home=home,
                title="Câu chuyện",
                slug="cau-chuyen",
                intro="<p>Chuyện về những người làm ra sản phẩm bạn mua.</p>",
            )
        for number, spec in enumerate(demo_data.STORIES):
            if StoryPage.objects.child_of(index).filter(slug=spec["slug"]).exists():
                continue
            cover = self.wagtail_image(spec["title"], f"{spec['slug']}.jpg")
            photo = self.wagtail_image(spec["image_caption"], f"{spec['slug']}-2.jpg")
            body = [
                (
                    "image",
                    {
                        "image": photo,
                        "alt_text": spec["image_caption"],
                        "caption": spec["image_caption"],
                    },
                ),
                ("quote", {"text": spec["quote"][0], "attribution": spec["quote"][1]}),
                ("product_card", {"product": products[spec["product_card"]], "blurb": ""}),
                (
                    "product_row",
                    {
                        "title": "Cùng hợp tác xã",
                        "products": [products[title] for title in spec["product_row"]],
                    },
                ),
                (
                    "cooperative_card",
                    {"cooperative": cooperatives[spec["cooperative"]], "blurb": ""},
                ),
            ]
            if spec.get("video"):
                self.demo_video(spec["video"])
                body.insert(2, ("video", {"video": EmbedValue(spec["video"]), "caption": ""}))
            date = datetime.date(2026, 10, 1) + datetime.timedelta(days=number * 14)
            story_services.story_publish(
                index=index,
                title=spec["title"],
                slug=spec["slug"],
                intro=spec["intro"],
                paragraphs=spec["paragraphs"],
                body=body,
                author=spec["author"],
                tags=spec["tags"],
                date=date - datetime.timedelta(days=spec.get("days_before", 0)),
                cooperative=cooperatives[spec["cooperative"]],
                cooperatives=[cooperatives[slug] for slug in spec.get("other_cooperatives", [])],
                products=[products[spec["product_card"]]]
                + [products[title] for title in spec["product_row"]],
                cover_image=cover,
            )
        campaigns = CampaignIndexPage.objects.child_of(home).first()
        if campaigns is None:
            campaigns = story_services.campaign_index_create(
                home=home, title="Mùa vụ và dịp lễ", slug="chien-dich"
            )
        spec = demo_data.CAMPAIGN
        if not CampaignPage.objects.child_of(campaigns).filter(slug=spec["slug"]).exists():
            today = timezone.localdate()
            story_services.campaign_publish(
                index=campaigns,
                title=spec["title"],
                slug=spec["slug"],
                # Running whenever the demo is loaded, for two months.
                start_date=today - datetime.timedelta(days=1),
                end_date=today + datetime.timedelta(days=60),
                intro=spec["intro"],
                body=[("paragraph", f"<p>{spec['paragraph']}</p>")],
                products=[products[title] for title in spec["products"]],
            )
        if not home.hero_title:
            self.home_page(home, products, cooperatives, link=campaigns)
        story_services.editorial_roles_setup(sections=[index, campaigns])

    def wagtail_image(self, title: str, name: str):
        return get_image_model().objects.create(
            title=title,
            file=ImageFile(io.BytesIO(placeholder_image(text=title, size=(1200, 675))), name=name),
        )

    def demo_video(self, url: str) -> None:
        """Remember the provider's answer for the demo video, so the demo needs no internet."""
        Embed.objects.update_or_create(
            hash=get_embed_hash(url, VIDEO_MAX_WIDTH),
            defaults={
                "url": url,
                "max_width": VIDEO_MAX_WIDTH,
                "type": "video",
                "html": demo_data.DEMO_VIDEO_HTML,
                "title": "Làm miến dong ở Bạch Thông",
                "provider_name": "YouTube",
            },
        )

    def home_page(self, home, products, cooperatives, *, link) -> None:
        spec = demo_data.HOME
        home.hero_title = spec["hero_title"]
        home.hero_text = spec["hero_text"]
        home.hero_link_url = spec["hero_link_url"]
        home.hero_link_text = spec["hero_link_text"]
        home.intro = spec["intro"]
        home.hero_image = self.wagtail_image(spec["hero_title"], "trang-chu.jpg")
        home.featured_products = [
            ("product", products[title]) for title in spec["featured_products"]
        ]
        home.featured_cooperatives = [
            ("cooperative", cooperative) for cooperative in cooperatives.values()
        ]
        home.save_revision().publish()

    def print_summary(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo store ready: {Cooperative.objects.count()} cooperatives, "
                f"{Product.objects.count()} products, {StoryPage.objects.count()} stories."
            )
        )
        self.stdout.write(f"Demo logins (password for all: {demo_data.DEMO_PASSWORD}):")
        rows = [("shopper", "khach@example.vn", "/shop/accounts/login/")]
        rows += [
            (f"manager, {spec['name']}", spec["manager"][0], "/quan-ly/")
            for spec in demo_data.COOPERATIVES
        ]
        rows += [
            ("content editor", "bientap@example.vn", "/cms/"),
            ("content moderator", "kiemduyet@example.vn", "/cms/"),
            ("staff admin", "admin@example.vn", "/dashboard/, /cms/, /django-admin/"),
        ]
        for role, email, where in rows:
            self.stdout.write(f"  {role:<45} {email:<30} {where}")
