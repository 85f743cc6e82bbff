"""Renderers: results in, text out. Nothing else in envcheck prints."""
