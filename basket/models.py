import functools

from django.db import IntegrityError, connection, transaction
from django.db.models import F, prefetch_related_objects
from django.db.models.functions import Greatest
from django.utils import timezone
from oscar.apps.basket.abstract_models import AbstractBasket
from oscar.apps.offer.results import OfferApplications

from shop.joined_select import JoinedSelect


def _prefetched(instance, relation: str, objects: list) -> None:
    """Set ``instance``'s ``relation`` as if prefetched, as Django's prefetch does."""
    related = getattr(instance, relation).all()
    related._result_cache = objects
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = related


def _update_checked(line, quantity: int, *, basket_id: int, stock: bool) -> int:
    """Set ``line``'s quantity, if it is still the one read and, with ``stock``, while
    what is left of its stock record covers it (or it does not count its stock).

    One statement, written out: the ORM's EXISTS with an outer reference cost more to
    build than the round trip, on the request every tap on "add" makes.
    """
    from oscar.core.loading import get_model

    lines = type(line)._meta.db_table
    stock_records = get_model("partner", "StockRecord")._meta.db_table
    sql = (
        f"UPDATE {lines} SET quantity = %s, date_updated = %s "  # noqa: S608 (table names)
        "WHERE id = %s AND basket_id = %s AND quantity = %s"
    )
    params = [quantity, connection.ops.adapt_datetimefield_value(timezone.now())]
    params += [line.pk, basket_id, line.quantity]
    if stock:
        covered = "s.num_in_stock IS NULL OR s.num_in_stock >= COALESCE(s.num_allocated, 0) + %s"
        sql += f" AND EXISTS (SELECT 1 FROM {stock_records} s WHERE s.id = {lines}.stockrecord_id"  # noqa: S608
        sql += f" AND ({covered}))"
        params.append(quantity)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@functools.cache
def _lines_of_basket() -> JoinedSelect:
    """Any basket's lines, priced (``Basket.PRICED``)."""
    line = Basket._meta.get_field("lines").related_model
    return JoinedSelect(line, Basket.PRICED, "{}.basket_id = %s")


class LinesChanged(Exception):
    """The basket's stored lines changed after this request read and checked them."""


class Basket(AbstractBasket):
    """Oscar's basket whose lines come with what pricing and ordering them reads.

    Oscar's strategy prices a line from ``product.stockrecords.all()[0]`` and asks the
    product class whether stock is tracked, so without these every line of the basket
    page cost three queries more (two stock-record reads and its product class); placing
    the order reads each stock record's partner, and the checkout each product's
    cooperative. The stock records are read with the lines, in the same request, so
    prices stay live. Product photos are only shown on the basket page, which fetches
    them itself (``basket.views.BasketView``).
    """

    # What pricing and grouping a line reads besides the line (oscar's strategy, the
    # checkout's parts per cooperative, placing the order).
    PRICED = (
        "product__product_class",
        "product__parent__product_class",
        "product__cooperative",
        "stockrecord__partner",
    )

    def all_lines(self):
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self.keep_priced_lines(_lines_of_basket()([self.id]))
        return self._lines

    def keep_priced_lines(self, lines: list) -> None:
        """Take ``lines``, this basket's lines just read with ``PRICED`` (in any order),
        as ``all_lines``: in the order they were added, with their options and their
        products' stock records, and queries only for the lines that need one.

        Oscar reads both for every line (two queries on every page showing a basket).
        A line has options only when its reference says so: oscar's reference is
        "<product>_<stock record>" and only a line with options gets a third part.
        Oscar's strategy prices a line from ``product.stockrecords.all()[0]``: a
        product is sold by its one cooperative, so that is the stock record the line
        was added with (deleting it deletes the line), read with it.
        """
        lines.sort(key=lambda line: line.pk)
        with_options = []
        for line in lines:
            line.basket = self
            if line.line_reference == f"{line.product_id}_{line.stockrecord_id}":
                _prefetched(line, "attributes", [])
            else:
                with_options.append(line)
            _prefetched(line.product, "stockrecords", [line.stockrecord])
        prefetch_related_objects(with_options, "attributes")
        # A queryset holding them, as oscar expects; ordered as they are, so that the
        # basket page's formset takes them as they are rather than reading them again.
        held = self.lines.order_by("pk")
        held._result_cache = lines
        held._prefetch_done = True
        self._lines = held

    def keep_no_vouchers(self) -> None:
        """This basket was just read without vouchers: asking for them needs no query.

        Adding one clears this, as it clears any prefetched relation.
        """
        _prefetched(self, "vouchers", [])

    def vouchers_for_update(self) -> list:
        """The basket's vouchers, locked until the transaction ends (placing an order).

        None, and no query, when this request read the basket without any and added
        none since (adding one drops what ``keep_no_vouchers`` set).
        """
        prefetched = getattr(self, "_prefetched_objects_cache", {})
        if "vouchers" in prefetched and not self.vouchers.all():
            return []
        return list(self.vouchers.select_for_update())

    def lines_loaded(self) -> bool:
        """Whether this request has already read the lines (and holds them)."""
        return self._lines is not None and self._lines._result_cache is not None

    @property
    def num_lines(self):
        # Oscar counts with a query, and the basket middleware asks (``is_empty``) before
        # anything else; every request that looks at the basket goes on to read its lines
        # (the header's count, prices, offers), so read them once and count those.
        return len(self.all_lines())

    def stored_lines(self) -> list:
        """The lines as stored, without their products and stock: enough to count and add.

        The lines already read for pricing when there are some. A request that only
        adds (``basket.views.BasketAddView``) reads these instead: one query of one
        table, where pricing's read joins seven.
        """
        if self.lines_loaded():
            return list(self._lines)
        stored = self.__dict__.get("_chophien_stored")
        if stored is None:
            # A basket not saved yet has none, nor has it once this request saves it.
            lines = self.lines.order_by(self._meta.pk.name) if self.id else []
            stored = self.__dict__["_chophien_stored"] = list(lines)
        return stored

    def keep_stored_lines(self, lines: list) -> None:
        """Take ``lines``, just read from the database (in any order), as this basket's
        stored lines."""
        lines.sort(key=lambda line: line.pk)
        for line in lines:
            line.basket = self
        self.__dict__["_chophien_stored"] = lines

    @property
    def num_items(self):
        return sum(line.quantity for line in self.stored_lines())

    @property
    def currency(self):
        for line in self.stored_lines():
            return line.price_currency
        return None

    LinesChanged = LinesChanged

    def add_product(self, product, quantity=1, options=None, *, checked=False):
        """Oscar's, without reading the lines for pricing only to add one.

        With lines already read for pricing (a request that showed the basket), the line
        written joins them (or its copy among them takes the new quantity) and the next
        ``reset_offer_applications`` (oscar's fresh look at offers after an addition)
        keeps them, with their discounts cleared: oscar would read them twice more, for
        its currency check and its "your basket total is now" message. They are still
        this request's reads of the database, as are their prices.

        Otherwise (``basket.views.BasketAddView``) the stored lines are enough, and one
        more of a product already in the basket is one UPDATE adding to the stored
        quantity, never a save of a quantity read earlier. ``checked``: the stock and
        the basket's limit were checked against the stored lines, so the UPDATE only
        applies to the quantity checked and while the stock left covers it (the stock
        checked may be a held product's), and ``LinesChanged`` says that another request
        (a second tap, another tab) changed the line meanwhile, or that less is in stock
        now: check again.
        """
        if self.lines_loaded():
            return self._add_in_step(product, quantity, options)
        stored = self.stored_lines()
        stock_info = self.get_stock_info(product, options)
        if stock_info.price.exists and stock_info.stockrecord is not None:
            reference = self._create_line_reference(product, stock_info.stockrecord, options)
            for line in stored:
                if line.line_reference == reference:
                    if self._add_to_stored(line, quantity, checked=checked, product=product):
                        return line, False
                    # Removed meanwhile (in this shopper's other tab): made afresh below.
                    stored = [other for other in stored if other.pk != line.pk]
                    break
            if not options and self.currency in (None, stock_info.price.currency):
                line = self._insert_line(product, quantity, stock_info, reference)
                if line is not None:
                    self.reset_offer_applications()
                    self.__dict__["_chophien_stored"] = [*stored, line]
                    return line, True
                if checked:  # another request added it meanwhile
                    raise LinesChanged(f"basket {self.pk}: a line {reference} was added")
        line, created = super().add_product(product, quantity, options)
        if created:  # the stored lines and this one (oscar's reset forgot them)
            self.__dict__["_chophien_stored"] = [*stored, line]
        return line, created

    def _add_to_stored(self, line, quantity, *, checked: bool, product=None) -> bool:
        if checked:
            new = max(0, line.quantity + quantity)
            stock = quantity > 0 and product is not None and product.get_product_class().track_stock
            updated = _update_checked(line, new, basket_id=self.pk, stock=stock)
        else:
            rows = type(line).objects.filter(pk=line.pk, basket_id=self.pk)
            new = Greatest(F("quantity") + quantity, 0)
            updated = rows.update(quantity=new, date_updated=timezone.now())
        if updated:
            line.quantity = max(0, line.quantity + quantity)
            self.offer_applications = OfferApplications()  # as oscar's reset after adding
            return True
        if checked:
            self.forget_stored_lines()
            raise LinesChanged(
                f"basket {self.pk}: line {line.pk} changed since it was read, or is short of stock"
            )
        return False

    def _insert_line(self, product, quantity, stock_info, reference):
        """The new line oscar's ``get_or_create`` writes, without looking for it first.

        The stored lines just read have no line of ``reference``; should another request
        have written one since, the basket's unique line reference refuses this one and
        ``None`` says so. Outside a transaction the INSERT commits alone, as oscar's
        look and write did together; inside one, a savepoint keeps a refusal from
        breaking it.
        """
        if not self.id:
            self.save()
        price = stock_info.price
        line = self.lines.model(
            basket=self,
            line_reference=reference,
            product=product,
            stockrecord=stock_info.stockrecord,
            quantity=max(0, quantity),
            price_excl_tax=price.excl_tax,
            price_currency=price.currency,
            tax_code=price.tax_code,
        )
        if price.is_tax_known:
            line.price_incl_tax = price.incl_tax
        try:
            if connection.in_atomic_block:
                with transaction.atomic():
                    line.save(force_insert=True)
            else:
                line.save(force_insert=True)
        except IntegrityError:
            self.forget_stored_lines()
            return None
        return line

    def forget_stored_lines(self) -> None:
        self.__dict__.pop("_chophien_stored", None)

    def _add_in_step(self, product, quantity, options):
        lines = self.all_lines()
        kept = list(lines)
        line, created = super().add_product(product, quantity, options)
        for old in kept:
            if old.pk == line.pk:
                old.quantity = line.quantity
                old.date_updated = line.date_updated
                break
        else:  # a new line (or one another request wrote since the read)
            kept.append(line)
        for old in kept:  # offers are worked out afresh on them, as on a fresh read
            old.clear_discount()
        lines._result_cache = kept
        self._lines = self._lines_in_step = lines
        self.__dict__.pop("_chophien_parts", None)  # cooperatives.basket's, of the old lines
        return line, created

    add_product.alters_data = True
    add = add_product

    def reset_offer_applications(self):
        self.forget_stored_lines()
        if self._lines is not None and self._lines is getattr(self, "_lines_in_step", None):
            # Lines just brought in step by ``add_product``: only their discounts go.
            self._lines_in_step = None
            self.__dict__.pop("_chophien_parts", None)
            self.offer_applications = OfferApplications()
            for line in self._lines:
                line.clear_discount()
            return
        super().reset_offer_applications()

    def flush(self):
        self.forget_stored_lines()
        super().flush()

    flush.alters_data = True

    def merge_line(self, line, add_quantities=True):
        self.forget_stored_lines()
        super().merge_line(line, add_quantities)

    def product_quantity(self, product):
        """How many of ``product`` the basket holds: from the lines read in this request."""
        return sum(line.quantity for line in self.stored_lines() if line.product_id == product.pk)


from oscar.apps.basket.models import *  # noqa: E402,F403
