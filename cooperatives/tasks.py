"""Celery tasks of cooperatives: thin wrappers that load by id and call a service.

Every task is safe to run twice (a redelivered message after a worker restart).
"""

from celery import shared_task

from cooperatives.models import ProductImport
from cooperatives.services.product_import import product_import_apply


@shared_task
def product_import_apply_task(product_import_id: int) -> None:
    """Apply a large product import; an import that is done or gone is left alone."""
    product_import = ProductImport.objects.filter(pk=product_import_id).first()
    if product_import is None or product_import.status == ProductImport.DONE:
        return
    product_import_apply(product_import=product_import)


@shared_task
def order_placed_notify_task(order_id: int) -> None:
    """Tell the shopper and each cooperative of a new order."""


@shared_task
def fulfilment_cancelled_notify_task(fulfilment_id: int) -> None:
    """Tell a cooperative's managers that the shopper cancelled their part."""


@shared_task
def payments_expire_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): cancel prepaid parts not paid in time."""
    from cooperatives.services.fulfillment import payments_expire

    return payments_expire()
