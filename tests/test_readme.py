"""Every CLI command is documented in the README, and the README opens with the two set-up commands."""

from __future__ import annotations

from textkit.cli import app
from tests.conftest import PROJECT


def command_names(typer_app, prefix=""):
    for info in typer_app.registered_commands:
        yield f"{prefix}{info.name or info.callback.__name__}"
    for group in typer_app.registered_groups:
        yield from command_names(group.typer_instance, f"{prefix}{group.name} ")


def test_every_command_is_in_the_readme():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in command_names(app) if f"textkit {name}" not in readme]
    assert missing == []


def test_readme_opens_with_demo_and_test():
    head = (PROJECT / "README.md").read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head
