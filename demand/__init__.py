"""bookvan.demand: circulation history in, forecasts with quantiles and the day's transfers out.

Imports :mod:`bookvan.data` only (never routing): the routing receives transfers as a table.
"""

from bookvan.demand.transfers import daily_transfers

__all__ = ["daily_transfers"]
