# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Training recipes: a YAML file of ``seasky-train`` options, so one command reproduces a run.

A recipe maps option names to values (``epochs: 20``, ``paste-share: 0.35``, ``data: [DIR, ...]``
for repeatable options, ``no-augment: true`` for flags). Every value goes through the same
argparse types and checks as the command line, so a recipe can hold nothing the command line
would refuse. Options given on the command line override the recipe's; a repeatable option
given there (``--data``) replaces the recipe's list rather than adding to it. Paths are taken as
they are, relative to the current directory, as on the command line.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import yaml

NOT_IN_RECIPES = frozenset({"recipe", "help"})


def load_recipe(path: str | os.PathLike) -> dict:
    """The recipe as a plain dict (option name -> value), or SystemExit naming the file and the problem."""
    path = Path(path)
    try:
        recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"seasky-train: cannot read recipe {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SystemExit(f"seasky-train: recipe {path} is not valid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(recipe, dict):
        raise SystemExit(f"seasky-train: recipe {path} must be a mapping of option names to values")
    return recipe


def _actions_by_option(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {opt[2:]: action for action in parser._actions for opt in action.option_strings
            if opt.startswith("--")}


def recipe_argv(recipe: dict, parser: argparse.ArgumentParser, path: str | os.PathLike) -> list[str]:
    """The recipe as command-line tokens, each key checked against the parser's options."""
    actions = _actions_by_option(parser)
    tokens: list[str] = []
    for key, value in recipe.items():
        name = str(key).replace("_", "-")
        action = actions.get(name)
        if action is None or name in NOT_IN_RECIPES:
            raise SystemExit(f"seasky-train: recipe {path}: '{key}' is not a seasky-train option")
        if value is None:
            continue
        if action.nargs == 0:
            if not isinstance(value, bool):
                raise SystemExit(f"seasky-train: recipe {path}: '{key}' is a flag; give true or false")
            tokens += [f"--{name}"] if value else []
        elif isinstance(action, argparse._AppendAction):
            for item in value if isinstance(value, list) else [value]:
                tokens += [f"--{name}", str(item)]
        elif isinstance(value, (list, dict)):
            raise SystemExit(f"seasky-train: recipe {path}: '{key}' takes one value, got {value!r}")
        else:
            tokens += [f"--{name}", str(value)]
    return tokens


def parse_with_recipe(parser: argparse.ArgumentParser, argv: list[str] | None) -> tuple[argparse.Namespace,
                                                                                       dict | None]:
    """Parse ``argv`` over the defaults of ``--recipe FILE`` when it names one; returns (args, recipe)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--recipe", type=Path, default=None)
    known, _ = pre.parse_known_args(argv)
    if known.recipe is None:
        return parser.parse_args(argv), None
    recipe = load_recipe(known.recipe)
    prog, parser.prog = parser.prog, f"{parser.prog} (recipe {known.recipe})"  # its errors name the recipe
    try:
        base = parser.parse_args(recipe_argv(recipe, parser, known.recipe))
    finally:
        parser.prog = prog
    given = set(argv if argv is not None else [])
    for name, action in _actions_by_option(parser).items():
        flag = f"--{name}"
        if isinstance(action, argparse._AppendAction) and any(t == flag or t.startswith(flag + "=") for t in given):
            setattr(base, action.dest, [])  # the command line's list replaces the recipe's
    return parser.parse_args(argv, namespace=base), recipe
