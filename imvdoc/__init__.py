"""imvdoc: the document pipeline behind the IMV 2024-2027 of politie-eenheid Noord-Holland."""

__version__ = "0.1.0"
