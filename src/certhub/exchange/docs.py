"""The field tables of docs/data-formats.md, generated from exchange.fields (a test keeps the file in step)."""

from __future__ import annotations

from certhub.exchange.fields import COLUMNS


def field_table(kind: str) -> str:
    lines = [
        "| English header / JSON key | 中文列名 | required | other accepted headers | notes |",
        "| --- | --- | --- | --- | --- |",
    ]
    for column in COLUMNS[kind]:
        aliases = ", ".join(f"`{a}`" for a in column.aliases)
        required = "yes" if column.required else ""
        lines.append(f"| `{column.key}` | {column.zh} | {required} | {aliases} | {column.help} |")
    return "\n".join(lines)
