"""A cacheable-by-name page that queues a message and shows it in the same response.

No shop view does this today on a GET; the page cache must still never keep such a page
(tests/perf/test_review_page_cache.py).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from shop import urls as shop_urls


def message_shown_at_once(request):
    messages.info(request, "Đơn hàng của Lan đã được giữ")
    page = engines["django"].from_string(
        "<html>{% for message in messages %}<p>{{ message }}</p>{% endfor %}</html>"
    )
    return HttpResponse(page.render({}, request))


def token_outside_a_form(request):
    # The token where scripts read it: an attribute and a JSON blob, besides the input.
    page = engines["django"].from_string(
        '<html><form method="post">{% csrf_token %}</form>'
        '<div data-csrf="{{ csrf_token }}"></div>'
        '<script type="application/json">{"csrf": "{{ csrf_token }}"}</script></html>'
    )
    return HttpResponse(page.render({}, request))


urlpatterns = [
    path("review-message/", message_shown_at_once, name="review-message"),
    path("review-token/", token_outside_a_form, name="review-token"),
    path("", include(shop_urls)),
]
