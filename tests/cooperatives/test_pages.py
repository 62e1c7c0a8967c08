import json
import re

import pytest

from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_index_filters_by_province(client):
    CooperativeFactory(name="HTX Thái Nguyên")
    CooperativeFactory(
        name="HTX Lào Cai",
        province_code="15",
        province_name="Lào Cai",
        commune_code="",
        commune_name="",
    )
    CooperativeFactory(name="HTX Đã nghỉ", is_active=False)
    everyone = client.get("/hop-tac-xa/")
    assert [c.name for c in everyone.context["cooperatives"]] == ["HTX Lào Cai", "HTX Thái Nguyên"]
    lao_cai = client.get("/hop-tac-xa/", {"province": "15"})
    assert [c.name for c in lao_cai.context["cooperatives"]] == ["HTX Lào Cai"]
    unknown = client.get("/hop-tac-xa/", {"province": "99"})
    assert len(unknown.context["cooperatives"]) == 2


def test_profile_shows_story_contacts_and_products(client):
    cooperative = CooperativeFactory(
        name="HTX Miến dong",
        description="Ba mươi hộ làm miến.",
        phone="0868123456",
        zalo_phone="0868123456",
        founded_year=2012,
        member_count=30,
    )
    ProductFactory(cooperative=cooperative, title="Miến dong gói 500 g")
    response = client.get(cooperative.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ba mươi hộ làm miến." in html
    assert 'href="tel:+84868123456"' in html
    assert 'href="https://zalo.me/0868123456"' in html
    assert "Xã Ba Bể, Thái Nguyên" in html
    assert "Miến dong gói 500 g" in html
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(raw)["name"] == "HTX Miến dong"


def test_inactive_cooperative_has_no_profile(client):
    cooperative = CooperativeFactory(is_active=False)
    assert client.get(cooperative.get_absolute_url()).status_code == 404


def test_profile_lists_the_stories_about_the_cooperative(client, demo_store):
    html = client.get("/hop-tac-xa/htx-mien-dong-bach-thong/").content.decode()
    assert "Những sợi miến phơi nắng ở Bạch Thông" in html
    assert "Chè cổ thụ trên núi Phja Khao" not in html
