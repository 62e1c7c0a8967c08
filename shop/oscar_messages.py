"""Oscar's own words that its Vietnamese catalogue leaves out or gets wrong.

Nothing imports this module: ``makemessages`` reads it, so these msgids stay in the
project's catalogue (``locale/vi``), which Django consults before oscar's.
"""

from django.utils.translation import gettext_noop

OSCAR_MESSAGES = (
    # oscar/apps/basket/views.py: the banner above a basket with a wrong quantity.
    gettext_noop("Your basket has got some issues. Please correct any validation errors below."),
    # oscar/apps/partner/availability.py: oscar's Vietnamese reads "tối đa của 3 có thể
    # được mua", word for word and hard to follow.
    gettext_noop("a maximum of %(max)d can be bought"),
)
