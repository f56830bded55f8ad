"""Stores: the embedded on-disk Oxigraph store (default) and remote SPARQL 1.1 servers."""

from ecograph.store.base import Store, StoreError, StoreLockedError
from ecograph.store.embedded import EmbeddedStore, open_store
from ecograph.store.remote import RemoteStore

__all__ = [
    "EmbeddedStore",
    "RemoteStore",
    "Store",
    "StoreError",
    "StoreLockedError",
    "open_store",
]
