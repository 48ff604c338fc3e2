"""Where requests go (environment variables) and which of them are arXiv's."""

from __future__ import annotations

import pytest

from paperqueue.core.net.endpoints import Endpoints, arxiv_delay, endpoints, is_arxiv_url

LOOPBACK_BASES = {
    "PAPERQUEUE_ARXIV_RSS": "http://127.0.0.1:8001/rss",
    "PAPERQUEUE_ARXIV_API": "http://127.0.0.1:8001/api/query",
    "PAPERQUEUE_ARXIV_WEB": "http://127.0.0.1:8001",
}


def test_the_defaults_are_the_services_own() -> None:
    found = endpoints({})
    assert found == Endpoints(
        arxiv_rss="https://rss.arxiv.org/rss",
        arxiv_api="https://export.arxiv.org/api/query",
        hf_api="https://huggingface.co/api",
        crossref_api="https://api.crossref.org",
        arxiv_web="https://arxiv.org",
    )


def test_each_variable_replaces_its_base_without_a_trailing_slash() -> None:
    found = endpoints(
        {
            "PAPERQUEUE_ARXIV_RSS": "http://127.0.0.1:9/rss/",
            "PAPERQUEUE_ARXIV_API": "http://127.0.0.1:9/api/query",
            "PAPERQUEUE_HF_API": " http://127.0.0.1:9/hf/ ",
            "PAPERQUEUE_CROSSREF_API": "http://127.0.0.1:9/crossref",
            "PAPERQUEUE_ARXIV_WEB": "http://127.0.0.1:9/",
        }
    )
    assert found.arxiv_rss == "http://127.0.0.1:9/rss"
    assert found.arxiv_api == "http://127.0.0.1:9/api/query"
    assert found.hf_api == "http://127.0.0.1:9/hf"
    assert found.crossref_api == "http://127.0.0.1:9/crossref"
    assert found.arxiv_web == "http://127.0.0.1:9"


def test_an_empty_variable_keeps_the_default() -> None:
    assert endpoints({"PAPERQUEUE_HF_API": ""}).hf_api == "https://huggingface.co/api"


def test_the_arxiv_delay_is_three_seconds_against_arxiv_whatever_the_variable_says() -> None:
    assert arxiv_delay({}) == 3.0
    assert arxiv_delay({"PAPERQUEUE_ARXIV_DELAY": "0.01"}) == 3.0
    # One base still on arXiv's own host is enough to keep it.
    partly = dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_API="https://export.arxiv.org/api/query", PAPERQUEUE_ARXIV_DELAY="0.01")
    assert arxiv_delay(partly) == 3.0
    mirror_but_web = dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_WEB="", PAPERQUEUE_ARXIV_DELAY="0")
    assert arxiv_delay(mirror_but_web) == 3.0


def test_the_arxiv_delay_is_lowered_only_when_every_arxiv_base_is_elsewhere() -> None:
    assert arxiv_delay(dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_DELAY="0.05")) == 0.05
    assert arxiv_delay(dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_DELAY="0")) == 0.0


def test_the_arxiv_delay_follows_the_bases_the_client_was_given() -> None:
    given = endpoints(LOOPBACK_BASES)
    assert arxiv_delay({"PAPERQUEUE_ARXIV_DELAY": "0.05"}, given) == 0.05
    assert arxiv_delay(dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_DELAY="0.05"), Endpoints()) == 3.0


@pytest.mark.parametrize("value", ["5", "7.5"])
def test_the_arxiv_delay_can_always_be_raised(value: str) -> None:
    assert arxiv_delay({"PAPERQUEUE_ARXIV_DELAY": value}) == float(value)


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "-inf"])
def test_a_delay_that_is_not_a_number_of_seconds_is_ignored(value: str) -> None:
    assert arxiv_delay(dict(LOOPBACK_BASES, PAPERQUEUE_ARXIV_DELAY=value)) == 3.0


def test_a_huge_delay_is_taken_as_a_minute() -> None:
    assert arxiv_delay({"PAPERQUEUE_ARXIV_DELAY": "86400"}) == 60.0


@pytest.mark.parametrize(
    "url",
    [
        "https://export.arxiv.org/api/query?id_list=2401.00001",
        "https://rss.arxiv.org/rss/cs.CL",
        "https://arxiv.org/pdf/2401.00001",
        "http://ARXIV.ORG./abs/2401.00001",
        "https://www.arxiv.org/abs/2401.00001",
    ],
)
def test_arxivs_own_hosts_are_arxiv(url: str) -> None:
    assert is_arxiv_url(url, Endpoints())
    assert is_arxiv_url(url, endpoints(LOOPBACK_BASES))


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/api/daily_papers?date=2024-05-01",
        "https://api.crossref.org/works/10.1000/x",
        "https://arxiv.org.example.com/rss",
        "https://notarxiv.org/rss",
        "not a url at all",
        "http://[::1",
    ],
)
def test_other_hosts_are_not_arxiv(url: str) -> None:
    assert not is_arxiv_url(url, Endpoints())


def test_a_base_pointed_elsewhere_makes_its_host_and_port_arxiv() -> None:
    bases = endpoints(LOOPBACK_BASES)
    assert is_arxiv_url("http://127.0.0.1:8001/api/query?search_query=all:x", bases)
    assert is_arxiv_url("http://127.0.0.1:8001/anything", bases)
    # Another server on the loopback host (Hugging Face in a test) is not.
    assert not is_arxiv_url("http://127.0.0.1:8002/hf/daily_papers", bases)
    # The default port of the scheme counts as that port.
    assert is_arxiv_url("https://mirror.example.org:443/x", endpoints({"PAPERQUEUE_ARXIV_API": "https://mirror.example.org/api/query"}))
