"""Buurtbot: a multilingual Telegram assistant for resident initiatives."""
