"""Trigger point injection FAQ bot: a matching core with console, CLI and Telegram adapters."""
