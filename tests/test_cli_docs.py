"""The README documents every command and every option of the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from raqib.cli import COMMANDS, build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_has_a_handler_and_a_readme_row() -> None:
    commands = subparsers()
    assert set(commands) == set(COMMANDS)
    for name in commands:
        assert f"| `raqib {name}" in README, f"README has no row for `raqib {name}`"


def test_every_option_is_in_the_readme() -> None:
    for name, parser in subparsers().items():
        row = next(line for line in README.splitlines() if line.startswith(f"| `raqib {name}"))
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in row, f"`raqib {name} {flag}` is not documented"
