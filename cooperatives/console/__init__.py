"""The manager console's order work (``/quan-ly/<cooperative>/…``), one module per area.

``orders``: the inbox, the order card and its actions; ``phone_orders``: orders taken by
phone or chat; ``printing``: packing slips and the daily pick list; ``reports``: the
cooperative's numbers. Each has its own URL module, included by ``manager_urls``.
"""
