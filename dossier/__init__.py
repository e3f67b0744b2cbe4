"""Dossier: a static site generator for annotated story archives."""
__version__ = "0.1.0"


def build_site(*args, **kwargs):
    from .pipeline import build_site as _build_site

    return _build_site(*args, **kwargs)
