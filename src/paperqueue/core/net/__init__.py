"""Network access: where requests go (:mod:`.endpoints`) and the one HTTP
client that makes them (:mod:`.client`)."""

from paperqueue.core.net.client import Client, FetchError, Response
from paperqueue.core.net.endpoints import Endpoints, arxiv_delay, endpoints, is_arxiv_url

__all__ = ["Client", "Endpoints", "FetchError", "Response", "arxiv_delay", "endpoints", "is_arxiv_url"]
