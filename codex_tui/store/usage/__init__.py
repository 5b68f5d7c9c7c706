"""Token usage and its estimated cost: the accounting (accounting.py), the per-thread cache
(cache.py), the price table (prices.py, prices.toml) and the reports (report.py)."""

from .accounting import INHERITED, REPEATED, ThreadUsage, read_thread_usage
from .prices import Price, PriceTable, load_prices
from .report import GROUPINGS, Report, Row, build_report, collect

__all__ = [
    "GROUPINGS",
    "INHERITED",
    "REPEATED",
    "Price",
    "PriceTable",
    "Report",
    "Row",
    "ThreadUsage",
    "build_report",
    "collect",
    "load_prices",
    "read_thread_usage",
]
