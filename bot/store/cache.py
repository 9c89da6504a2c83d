"""Residents and sessions read once, kept in memory: only ever committed state."""

from __future__ import annotations

from collections import OrderedDict

from bot.domain import Resident, Session

# (resident, session, whether the users row is current). A row is not current when it is
# missing or says the resident blocked the bot: the next turn must write it.
Chat = tuple[Resident, Session, bool]


class Chats:
    """The most recently used chats, at most `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._chats: OrderedDict[int, Chat] = OrderedDict()

    def get(self, user_id: int) -> Chat | None:
        """A cached chat, now the most recently used; None if not cached."""
        cached = self._chats.get(user_id)
        if cached is not None:
            self._chats.move_to_end(user_id)
        return cached

    def peek(self, user_id: int) -> Chat | None:
        return self._chats.get(user_id)

    def remember(self, user_id: int, chat: Chat) -> None:
        self._chats[user_id] = chat
        self._chats.move_to_end(user_id)
        while len(self._chats) > self.size:
            self._chats.popitem(last=False)

    def stale(self, user_id: int) -> None:
        """The users row changed behind the cache (a block): the next turn writes it again."""
        known = self._chats.get(user_id)
        if known is not None:
            self._chats[user_id] = (known[0], known[1], False)

    def forget(self, user_id: int) -> None:
        """The person's data was deleted: their next turn starts as a new person's."""
        self._chats.pop(user_id, None)

    def clear(self) -> None:
        self._chats.clear()
