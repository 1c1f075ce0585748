"""Every CLI command is documented in the README, and the README opens with the two set-up commands."""

from __future__ import annotations

from tests.conftest import PROJECT
from textkit.cli import app


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


def test_python_api_example_runs(tmp_path):
    """The README's notebook-style example runs as written (outputs go to a scratch folder)."""
    import re
    import subprocess
    import sys

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API") : readme.index("## Codebooks")]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    for name in ("corpora", "codebooks"):
        (tmp_path / name).symlink_to(PROJECT / name)
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "outputs" / "survey_2025_evu.sav").exists()
