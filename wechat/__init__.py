"""The WeChat platform: callback protocol, API client, OAuth, menu, emulator.

Knows nothing of duties and imports no project code (a library, like wechatpy).
"""

from dataclasses import dataclass

from wechat.client import Client, OAuth
from wechat.inbound import Gateway


@dataclass
class WeChat:
    """What the rest of the app uses: `current_app.extensions["wechat"]`."""

    gateway: Gateway
    client: Client
    config: dict

    def oauth(self, redirect_uri: str, state: str = "") -> OAuth:
        """A fresh OAuth helper (wechatpy's is stateful: one per request)."""
        return OAuth(self.config["WECHAT_APPID"], self.config["WECHAT_SECRET"], redirect_uri,
                     self.config["WECHAT_API_BASE"], self.config["WECHAT_HTTP_TIMEOUT"], state)


def init_app(app) -> None:
    config = app.config
    app.extensions["wechat"] = WeChat(
        gateway=Gateway(config["WECHAT_TOKEN"], config["WECHAT_APPID"], config["WECHAT_AES_KEY"],
                        config["WECHAT_MODE"]),
        client=Client(config["WECHAT_APPID"], config["WECHAT_SECRET"], app.extensions["redis"],
                      config["WECHAT_API_BASE"], config["WECHAT_HTTP_TIMEOUT"]),
        config={key: config[key] for key in config if key.startswith("WECHAT_")},
    )
