"""A shopper without a mouse or a touch screen orders cash on delivery with the keyboard only.

Every move is a key press (Tab, Shift+Tab, Enter, Space, arrows, typing); nothing is
clicked or filled by selector. After each Tab the focused element must be on screen with
a visible focus indicator (an outline or a box shadow), or the shopper is lost.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What the focused element looks like once its focus transition (Bootstrap fades the box
# shadow in) has run: enough to tell whether a sighted keyboard user can see where they are.
FOCUS = """async () => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    await Promise.all(element.getAnimations().map(animation => animation.finished));
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        html: element.outerHTML.slice(0, 140),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        sized: box.width > 0 && box.height > 0,
    };
}"""
MAX_TABS = 80


class Keyboard:
    """Tab through a page towards an element, checking focus is visible at every stop."""

    def __init__(self, page):
        self.page = page
        self.path: list[str] = []

    def focus_state(self):
        state = self.page.evaluate(FOCUS)
        if state is not None:
            assert state["sized"], f"focus is on something invisible: {state['html']}"
            assert state["outline"] or state["shadow"], f"focus cannot be seen on {state['html']}"
        return state

    def is_focused(self, selector: str) -> bool:
        return self.page.locator(selector).evaluate_all(
            "elements => elements.includes(document.activeElement)"
        )

    def tab_to(self, selector: str, *, key: str = "Tab") -> None:
        """Press ``key`` (Tab or Shift+Tab) until ``selector`` has focus."""
        self.path = []
        for _ in range(MAX_TABS):
            self.page.keyboard.press(key)
            state = self.focus_state()
            self.path.append(state["html"] if state else "<body>")
            if self.is_focused(selector):
                return
        raise AssertionError(
            f"{selector} never took focus after {MAX_TABS} × {key}:\n" + "\n".join(self.path)
        )

    def follow(self, selector: str) -> None:
        """Tab to a link or submit button and press Enter; wait for the next page."""
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


def test_a_shopper_orders_cash_on_delivery_with_the_keyboard_only(page):
    cooperative = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh")
    WeightBasedFactory(cooperative=cooperative)
    honey = ProductFactory(title="Mật ong rừng", cooperative=cooperative, net_weight_grams=700)
    keys = Keyboard(page)

    page.goto(honey.get_absolute_url())
    keys.follow("#add_to_basket_form button[type=submit]")
    keys.follow("a[href='/shop/basket/']")
    expect(page).to_have_url("/shop/basket/")
    expect(page.locator(".basket-part")).to_have_count(1)
    keys.follow("a.btn-lg[href='/shop/checkout/']")
    expect(page).to_have_url("/shop/checkout/")

    keys.tab_to("[name=full_name]")
    page.keyboard.type("Hoàng Thị Lan")
    keys.tab_to("[name=phone]")
    page.keyboard.type("0912345678")

    # Arrow keys walk the provinces one by one and each step asks for that province's
    # communes. The answers for the provinces passed on the way are held back until the
    # last one has arrived: a late answer must not replace the list.
    held = []

    def hold_earlier_answers(route):
        if route.request.url.endswith("province=19"):
            route.continue_()
        else:
            held.append(route)

    page.route("**/xa/?province=*", hold_earlier_answers)
    keys.tab_to("[name=province_code]")
    province = page.locator("[name=province_code]")
    for _ in range(80):
        if province.input_value() == "19":
            break
        page.keyboard.press("ArrowDown")
    expect(province).to_have_value("19")
    communes = page.locator("[name=commune_code] option")
    expect(communes.locator("xpath=self::*[@value='01906']")).to_have_count(1)
    ba_be_communes = communes.count()
    assert held, "the walk passed other provinces"
    answered = []
    page.on(
        "requestfinished",
        lambda request: "/xa/?province=" in request.url and answered.append(request.url),
    )
    for route in held:
        route.continue_()
    for _ in range(100):
        if len(answered) >= len(held):
            break
        page.wait_for_timeout(50)
    assert sorted(answered) == sorted(route.request.url for route in held)
    # Let the page's script handle the late answers before looking at the list again.
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 200))")
    expect(communes).to_have_count(ba_be_communes)
    expect(communes.locator("xpath=self::*[@value='01906']")).to_have_count(1)

    keys.tab_to("#commune-search")
    page.keyboard.type("ba be")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")
    keys.tab_to("[name=commune_code]")  # the one commune left is already chosen
    keys.tab_to("[name=line1]")
    page.keyboard.type("Thôn Pác Ngòi")
    # Back up to check the commune with Shift+Tab, as a shopper re-reading the form would.
    keys.tab_to("[name=commune_code]", key="Shift+Tab")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")

    keys.tab_to("input[name=payment_method]")
    cash = page.locator("#payment_cod")
    for _ in range(5):  # arrows move within a radio group, Space picks
        if cash.evaluate("radio => radio === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(cash).to_be_checked()
    keys.follow("form.checkout-delivery button[type=submit]")

    expect(page.locator("form.place-order")).to_have_count(1)
    expect(page.locator("body")).to_contain_text("Xã Ba Bể, Thái Nguyên")
    expect(page.locator("body")).to_contain_text("Thôn Pác Ngòi")
    keys.follow("form.place-order button[type=submit]")

    expect(page.locator(".order-part")).to_have_count(1)
    expect(page.locator(".order-part")).to_contain_text("HTX Nông sản Ba Bể Xanh")
