"""Media on an S3-compatible store (moto's S3, in-process): photos, thumbnails, renditions,
and private files without any address."""

import csv
import io
import os
import subprocess
import sys

import boto3
import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.functional import empty
from moto import mock_aws
from PIL import Image as PILImage
from sorl.thumbnail import default as sorl_default
from sorl.thumbnail import get_thumbnail
from sorl.thumbnail.images import get_or_create_storage
from wagtail.images.models import Image as WagtailImage

from cooperatives.models import ProductImport
from cooperatives.services.product_import import product_import_prepare
from tests.factories import CooperativeFactory, ProductFactory, UserFactory
from tests.production.stack import ROOT

pytestmark = pytest.mark.django_db

MEDIA_BUCKET = "chophien-media"
PRIVATE_BUCKET = "chophien-private"
REGION = "ap-southeast-1"


def _sorl_forgets_its_storage():
    sorl_default.storage._wrapped = empty
    get_or_create_storage.cache_clear()


@pytest.fixture
def s3(settings, monkeypatch):
    """moto's S3 with the AWS_* settings base.py makes from AWS_STORAGE_BUCKET_NAME."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "moto-only")
    monkeypatch.delenv("AWS_S3_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        settings.AWS_STORAGE_BUCKET_NAME = MEDIA_BUCKET
        settings.AWS_S3_REGION_NAME = REGION
        settings.AWS_S3_ENDPOINT_URL = None
        settings.AWS_S3_CUSTOM_DOMAIN = None
        settings.AWS_LOCATION = "media"
        settings.AWS_DEFAULT_ACL = None
        settings.AWS_QUERYSTRING_AUTH = False
        settings.AWS_S3_FILE_OVERWRITE = False
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage"},
            "private": {
                "BACKEND": "shop.s3.PrivateS3Storage",
                "OPTIONS": {"bucket_name": PRIVATE_BUCKET, "location": "private"},
            },
        }
        settings.THUMBNAIL_STORAGE = "storages.backends.s3.S3Storage"
        _sorl_forgets_its_storage()
        # The import model's storage was chosen when models loaded (a local folder here).
        monkeypatch.setattr(ProductImport._meta.get_field("file"), "storage", storages["private"])
        yield client
    _sorl_forgets_its_storage()


def keys(client, bucket: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def jpeg(size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (120, 160, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_product_photo_uploaded_in_the_console_lands_in_the_bucket(s3, client):
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    product = ProductFactory(cooperative=farm)
    client.force_login(manager)
    url = reverse(
        "manager:product-image-add", kwargs={"cooperative_slug": farm.slug, "pk": product.pk}
    )
    upload = SimpleUploadedFile("anh-mat-ong.jpg", jpeg(), content_type="image/jpeg")

    assert client.post(url, {"photo": upload}).status_code == 302

    image = product.images.get()
    assert image.original.name in {key.removeprefix("media/") for key in keys(s3, MEDIA_BUCKET)}
    # Read back from the bucket: the photo as stored (EXIF stripped, still 640 × 480).
    with image.original.open("rb") as stored, PILImage.open(stored) as picture:
        assert picture.size == (640, 480)
    assert image.original.url == (
        f"https://{MEDIA_BUCKET}.s3.amazonaws.com/media/{image.original.name}"
    )  # public, unsigned: photos are cacheable by browsers and CDNs

    thumbnail = get_thumbnail(image.original, "200x150", crop="center")
    assert f"media/{thumbnail.name}" in keys(s3, MEDIA_BUCKET)
    assert thumbnail.url.startswith(f"https://{MEDIA_BUCKET}.s3.amazonaws.com/media/")
    body = s3.get_object(Bucket=MEDIA_BUCKET, Key=f"media/{thumbnail.name}")["Body"].read()
    with PILImage.open(io.BytesIO(body)) as picture:
        assert picture.size == (200, 150)

    # The product page renders its photos through the same thumbnails.
    assert client.get(product.get_absolute_url()).status_code == 200


def test_a_wagtail_rendition_is_made_and_stored_in_the_bucket(s3):
    image = WagtailImage.objects.create(
        title="Đồi chè Shan tuyết",
        file=ImageFile(io.BytesIO(jpeg((800, 600))), name="doi-che.jpg"),
    )
    assert f"media/{image.file.name}" in keys(s3, MEDIA_BUCKET)

    rendition = image.get_rendition("fill-300x200")

    assert f"media/{rendition.file.name}" in keys(s3, MEDIA_BUCKET)
    body = s3.get_object(Bucket=MEDIA_BUCKET, Key=f"media/{rendition.file.name}")["Body"].read()
    with PILImage.open(io.BytesIO(body)) as picture:
        assert picture.size == (300, 200)
    assert rendition.url.startswith(f"https://{MEDIA_BUCKET}.s3.amazonaws.com/media/")


def test_a_product_import_is_kept_private_with_no_address(s3):
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["sku", "title", "price"], ["MD-500", "Miến dong", "125000"]])
    upload = SimpleUploadedFile("san-pham.csv", buffer.getvalue().encode(), content_type="text/csv")

    product_import = product_import_prepare(cooperative=farm, user=manager, uploaded_file=upload)

    key = f"private/{product_import.file.name}"
    assert keys(s3, PRIVATE_BUCKET) == [key]
    assert keys(s3, MEDIA_BUCKET) == []  # nothing beside the public photos
    with product_import.file.open("rb") as stored:
        assert "Miến dong" in stored.read().decode()
    with pytest.raises(ValueError, match="no public URL"):
        product_import.file.url  # noqa: B018
    grants = s3.get_object_acl(Bucket=PRIVATE_BUCKET, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]


def test_naming_a_bucket_in_the_environment_moves_media_to_s3():
    """base.py's wiring, as a deployment sets it: the fixture above mirrors this."""
    script = (
        "from django.conf import settings\n"
        "from sorl.thumbnail.conf import settings as sorl\n"
        "from cooperatives.models import ProductImport\n"
        "print(settings.STORAGES['default']['BACKEND'])\n"
        "print(type(ProductImport._meta.get_field('file').storage).__name__)\n"
        "print(ProductImport._meta.get_field('file').storage.bucket_name)\n"
        "print(sorl.THUMBNAIL_STORAGE)\n"
        "print(settings.AWS_LOCATION, settings.AWS_QUERYSTRING_AUTH, settings.SERVE_MEDIA)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shop.settings.dev",
            "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
            "AWS_PRIVATE_STORAGE_BUCKET_NAME": PRIVATE_BUCKET,
            "SERVE_MEDIA": "true",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--command", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-6:-1] == [
        "storages.backends.s3.S3Storage",
        "PrivateS3Storage",
        PRIVATE_BUCKET,
        "storages.backends.s3.S3Storage",
        "media False False",  # the bucket serves media, never Django
    ]
