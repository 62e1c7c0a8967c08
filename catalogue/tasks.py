"""Celery tasks of the catalogue: thin wrappers around its services."""

from celery import shared_task

from catalogue.view_counts import product_views_flush


@shared_task
def product_views_flush_task() -> int:
    """Write the product views counted in Redis to oscar's analytics (every minute)."""
    return product_views_flush()
