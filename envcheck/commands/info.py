"""`envcheck codes` and `envcheck schema`: what envcheck can say, and the shape of its document."""
from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--markdown", is_flag=True, help="The docs page (docs/codes.md is made from this).")
def codes(as_json, markdown):
    """Every finding code, its default severity and what it means."""
    from envcheck.findings import registered_codes

    items = sorted(registered_codes().values(), key=lambda c: c.code)
    if as_json:
        click.echo(json.dumps([c.__dict__ for c in items], indent=2))
    elif markdown:
        lines = ["# Finding codes", "", "Every conclusion envcheck draws carries one of these stable codes; a CI policy",
                 "can waive a finding by its code. Made by `envcheck codes --markdown`.", ""]
        for c in items:
            lines += [f"## `{c.code}` ({c.severity})", "", f"**{c.summary}.** {c.explanation}", ""]
        click.echo("\n".join(lines))
    else:
        for c in items:
            click.echo(f"{c.code:<34} {c.severity:<5} {c.summary}")
            click.echo(f"{'':<34} {c.explanation}\n")


@click.command()
def schema():
    """The JSON Schema (draft 2020-12) of `envcheck scan --json`."""
    from envcheck.model import environment_schema

    click.echo(json.dumps(environment_schema(), indent=2))
