"""Hugging Face daily papers: ``<hf base>/daily_papers?date=YYYY-MM-DD``,
one request a day.  The first fetch takes the last 7 days (UTC); later ones
the days from the last one fetched (that day included, as it may have grown)
to today, at most :data:`MAX_DAYS`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from paperqueue.core.importers.hf_json import parse_hf
from paperqueue.core.importers.record import ParsedPaper, PartlyRead, UnreadableError, load_json
from paperqueue.core.net.endpoints import Endpoints
from paperqueue.core.sources.common import Fetched, Get, SourceError, body_text, conditional_headers, fetched, remember

__all__ = ["FIRST_DAYS", "MAX_DAYS", "fetch_hf_daily"]

FIRST_DAYS = 7
MAX_DAYS = 31


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def fetch_hf_daily(get: Get, endpoints: Endpoints, validators: Mapping[str, Any] | None, today: date) -> Fetched:
    """The daily papers of the days to fetch (see the module docstring)."""
    validators = dict(validators or {})
    problems: list[str] = []
    last = _day(validators.get("last_day"))
    first = today - timedelta(days=FIRST_DAYS - 1) if last is None else min(last, today)
    if (today - first).days >= MAX_DAYS:
        first = today - timedelta(days=MAX_DAYS - 1)
        problems.append(PartlyRead(f"only the last {MAX_DAYS} days were fetched (from {first.isoformat()})"))
    papers: list[ParsedPaper] = []
    http: dict[str, dict[str, str]] = {}
    old_http = validators.get("http") or {}
    requests = unchanged = 0
    day = first
    while day <= today:
        url = f"{endpoints.hf_api}/daily_papers?date={day.isoformat()}"
        response = get(url, conditional_headers(validators, url))
        requests += 1
        if response.not_modified:
            unchanged += 1
            if url in old_http:
                http[url] = old_http[url]
        else:
            text = body_text(response, url)
            try:
                data = load_json(text)
                if data != []:  # a day with no papers
                    day_papers, day_problems = parse_hf(data)
                    papers += day_papers
                    problems += day_problems
            except UnreadableError as error:
                raise SourceError(url, str(error)) from None
            remember(http, url, response)
        day += timedelta(days=1)
    today_url = f"{endpoints.hf_api}/daily_papers?date={today.isoformat()}"
    out: dict[str, Any] = {"last_day": today.isoformat()}
    if today_url in http:
        out["http"] = {today_url: http[today_url]}
    return fetched(papers, problems, out, requests, not_modified=unchanged == requests)
