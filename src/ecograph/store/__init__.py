"""Stores: the embedded on-disk Oxigraph store (default) and, later, remote SPARQL endpoints."""

from ecograph.store.embedded import EmbeddedStore, StoreError, StoreLockedError, open_store

__all__ = ["EmbeddedStore", "StoreError", "StoreLockedError", "open_store"]
