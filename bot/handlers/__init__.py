"""Telegram handlers: thin adapters from updates to the core (see bot/handlers/__init__.py)."""
