"""Readers of the evidence a bot writes about its own paper run (``preflight run --evidence``).

One module per source: ``botreport`` (run_local_bot's JSON report, both shapes), ``exports`` (its
Markdown exports), ``guardrail_text`` (``events.log``), ``prometheus`` (a ``.prom`` file or a live
``/metrics``), ``folder`` (which session of a folder to judge), ``collector`` (``paper_exchange_metrics``
from what they show) and ``provider`` (the memoised evidence of one run, handed to the check kinds).
"""
