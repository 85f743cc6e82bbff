"""`envcheck mcp`: the read-only tools (scan, check, recommend, explain, gate) for coding agents, over stdio."""
from __future__ import annotations

import sys

import click

from envcheck.errors import InputError


@click.command("mcp")
def mcp_command():
    """Serve envcheck's read-only commands as MCP tools over stdio (for Claude Code, Claude Desktop, VS Code,
    Cursor, ...). Needs Python >= 3.10 and the extra: pip install 'envcheck[mcp]'.

    \b
      claude mcp add envcheck -- envcheck mcp
    """
    if sys.version_info < (3, 10):
        raise InputError(f"envcheck mcp needs Python >= 3.10 (the mcp SDK requires it); this is Python "
                         f"{sys.version.split()[0]} at {sys.executable}. Install envcheck with a 3.10+ "
                         f"interpreter: python3.12 -m pip install 'envcheck[mcp]'")
    try:
        import mcp.server.mcpserver  # noqa: F401
    except ImportError as exc:
        raise InputError(f"envcheck mcp needs the official MCP SDK 2.x: pip install 'envcheck[mcp]' ({exc})") from None
    from envcheck.mcpserver import serve

    serve()
