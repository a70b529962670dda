"""OGC API - Features without a web framework: checked parameters in, documents out.

The live API (``web/api.py``, on FastAPI) and the static export both call
these functions, so the documents they serve are the same documents. Nothing
here knows of requests or responses: addresses come from a :class:`Urls`
(the live API's, or the exported files'), and every mistake a client can
make is a :class:`~local_data_app.errors.ClientError` carrying its status,
its OGC exception code and the parameter at fault.
"""

from .documents import collection, collections, conformance, item, items, items_csv, landing_page
from .parameters import ItemsQuery, items_query
from .state import ApiState, Extent
from .urls import ApiUrls, Urls

__all__ = [
    "ApiState",
    "ApiUrls",
    "Extent",
    "ItemsQuery",
    "Urls",
    "collection",
    "collections",
    "conformance",
    "item",
    "items",
    "items_csv",
    "items_query",
    "landing_page",
]
