"""Admin choosers for shop data, used by the story blocks."""

from wagtail import hooks

from stories.views import cooperative_chooser_viewset, product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_product_chooser_viewset():
    return product_chooser_viewset


@hooks.register("register_admin_viewset")
def register_cooperative_chooser_viewset():
    return cooperative_chooser_viewset
