"""The fallback channel for people WeChat cannot reach (SMS).

A channel has one method, `send(phone, text) -> reference`. `SMS_FALLBACK=log` selects the
logging implementation, which records what would be texted; a real gateway (an SMS
provider's API) implements the same method. Empty (the default): no fallback.
"""

import logging
import uuid

log = logging.getLogger(__name__)


class LoggingSms:
    """Writes each text to the log instead of a gateway: for the demo and for tests."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        reference = uuid.uuid4().hex[:16]
        log.info("SMS %s to %s: %s", reference, phone[:3] + "****" + phone[-4:], text)
        self.sent.append((phone, text))
        return reference


CHANNELS = {"log": LoggingSms}


def init_app(app) -> None:
    name = app.config.get("SMS_FALLBACK", "")
    if name and name not in CHANNELS:
        raise RuntimeError(f"SMS_FALLBACK={name!r}: expected one of {sorted(CHANNELS)} or empty")
    app.extensions["fallback"] = CHANNELS[name]() if name else None
