"""Bearer authentication for the API and the `flask api-token PERSON` command that issues tokens."""

import click
from flask import g, request

from handlers.cli import CliError, _find_person
from models import Person, session, utcnow
from models.api_token import issue_token, person_for_token
from models.errors import DomainError


class Unauthorized(DomainError):
    status = 401
    message = "缺少或无效的访问令牌，请在 Authorization 头中提供 Bearer 令牌。"


def authenticate() -> None:
    """Put the token's person on `g.person`, or refuse the request with 401."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized()
    person = person_for_token(secret.strip(), now=utcnow())
    if person is None:
        raise Unauthorized()
    if session.dirty:  # last_used_at moved forward
        session.commit()
    g.person = person


def current_person() -> Person:
    """The authenticated caller of this request."""
    return g.person


@click.command("api-token")
@click.argument("person")
@click.option("--name", default="", help="What the token is for, e.g. the client's name.")
def api_token_command(person: str, name: str):
    """Issue an API token for PERSON (id or name); the secret is printed only this once."""
    target = _find_person(person)
    if not target.active:
        raise CliError(f"{target.name}的账号已停用，不能签发令牌")
    secret = issue_token(target, name, now=utcnow())
    session.commit()
    click.echo(f"{target.name}（编号 {target.id}）的 API 令牌如下，只显示这一次，请立即妥善保存：")
    click.echo(secret)
