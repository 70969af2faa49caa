"""Connectors: find new articles at a source and fetch them politely."""

from connectors.discovery import discover
from connectors.fetch import Fetcher
from connectors.models import DiscoveredItem, Discovery, FetchRecord, RawDocument, SourceState
from connectors.urls import canonicalise_url

__all__ = [
    "DiscoveredItem",
    "Discovery",
    "FetchRecord",
    "Fetcher",
    "RawDocument",
    "SourceState",
    "canonicalise_url",
    "discover",
]
