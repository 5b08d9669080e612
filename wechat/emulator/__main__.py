"""`python -m wechat.emulator`: the WeChat emulator on EMULATOR_HOST:EMULATOR_PORT."""

import logging

from wechat.emulator import create_emulator
from wechat.emulator.server import serve_forever


def main() -> None:
    """Read settings from the environment and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve_forever(create_emulator())


if __name__ == "__main__":
    main()
