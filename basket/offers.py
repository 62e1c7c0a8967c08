"""The site's offers, held by a web process while no offer, range or voucher changes.

Every page that shows or orders a basket works out its offers (oscar's basket
middleware): the site's offers were read with a query each time, four times in a
checkout. They are held under the page cache's generation, which saving any offer,
condition, benefit, range or voucher moves on, read live from the cache (``held``'s
``live``), so a changed offer applies as soon as it has committed. Reaching an offer's
start or end moves nothing: the offers held are every open one not yet ended, and each
request keeps those whose dates include its own moment, as oscar's ``active`` does.
"""

import copy

from django.db.models import Q
from django.utils import timezone
from oscar.apps.offer.applicator import Applicator as CoreApplicator
from oscar.core.loading import get_model

from shop.page_cache import held


def _open_site_offers() -> list:
    offer = get_model("offer", "ConditionalOffer")
    return list(
        offer.objects.filter(offer_type=offer.SITE, status=offer.OPEN)
        .filter(Q(end_datetime__gte=timezone.now()) | Q(end_datetime=None))
        .select_related("condition", "benefit")
    )


class Applicator(CoreApplicator):
    def get_site_offers(self):
        now = timezone.now()
        # Each request its own copies: placing an order counts its use on the offer
        # (oscar's ``record_usage``), which a rolled-back order must not leave behind.
        return [
            copy.copy(offer)
            for offer in held("site-offers", _open_site_offers, live=True)
            if (offer.start_datetime is None or offer.start_datetime <= now)
            and (offer.end_datetime is None or offer.end_datetime >= now)
        ]
