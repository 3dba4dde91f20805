# The same private storage and English messages as the catalogue's tests.
from conciliare.catalogue.tests.conftest import english, private_storage

__all__ = ["english", "private_storage"]
