"""The coordinator's desk: a local web app over plan folders, and a phone page per driver's run.

Plan folders stay the exchange format; the store (:mod:`bookvan.desk.store`) holds who did what
when (users, plan versions, scans). Nothing in bookvan imports this package; ``bookvan desk``
(cli/desk.py) starts it.
"""
