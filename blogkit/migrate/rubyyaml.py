"""YAML as Jekyll read it (Ruby's Psych): a key written twice in one mapping is not an error, the
last value wins, and each such key is noted at its line so the import can report it.

For the importer only: a blogkit site's own YAML stays strict (`core/yamlio` refuses a key given
twice). Everything else is yamlio's: safe constructors, dates left as text, the same cleaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from blogkit.core import yamlio


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key given again in one mapping: `line` is where the value that was kept is written."""

    key: str
    line: int  # 1-based, in the text read
    earlier: int  # the line of the value Jekyll dropped


class _LastWins(yamlio._Loader):
    duplicates: list[Duplicate]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            last: dict[Any, int] = {}
            for index, (key_node, _) in enumerate(node.value):
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = last.get(key)
                    last[key] = index
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if earlier is not None:
                    first = node.value[earlier][0]
                    self.duplicates.append(Duplicate(str(key), key_node.start_mark.line + 1, first.start_mark.line + 1))
            kept = set(last.values())
            node.value = [pair for index, pair in enumerate(node.value) if index in kept or not _hashable(pair[0], self)]
        # past yamlio's check for duplicates (there are none left): the safe constructor's own mapping
        return yaml.constructor.SafeConstructor.construct_mapping(self, node, deep=deep)


def _hashable(node: yaml.Node, loader: _LastWins) -> bool:
    try:
        hash(loader.construct_object(node, deep=True))
    except TypeError:
        return False
    return True


def load(text: str) -> tuple[Any, list[Duplicate]]:
    """Parse one YAML document as Psych did; returns (data, the keys given twice). Raises yaml.YAMLError."""
    loader = _LastWins(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return yamlio._clean(data), sorted(loader.duplicates, key=lambda d: (d.line, d.key))
