"""Liaison: a static-site generator for a medical practice's physician-relations program."""

__version__ = "0.1.0"
