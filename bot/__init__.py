"""Buurtbot: a multilingual Telegram assistant for resident initiatives."""

import os

# python-telegram-bot 22 is moving durations (voice length, flood-control waits) from whole
# seconds to `timedelta` and warns on every use of the old form; we use the new one already.
os.environ.setdefault("PTB_TIMEDELTA", "1")
