"""Compiled templates shared by a test worker's apps.

Every test builds a new app, and every app a new Jinja environment that
compiles each template it renders from source — a twentieth of a second for
a page and its layout, every test again. Jinja's own bytecode cache keeps
the compiled code: a template's entry is found by its name and file, and
used only while the file's source is unchanged (Jinja compares a checksum),
so a theme's own copy of a template, or an edited one, is compiled anew.
"""

from __future__ import annotations

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket


def _compiled_like(environment: Environment) -> tuple:
    """What decides the code Jinja compiles, besides the source."""
    return (
        tuple(sorted(environment.extensions)),
        environment.block_start_string,
        environment.variable_start_string,
        environment.comment_start_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
    )


class SharedBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in memory for every environment of the process."""

    def __init__(self) -> None:
        self._code: dict[tuple, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, _compiled_like(bucket.environment)))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[(bucket.key, _compiled_like(bucket.environment))] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


#: this worker's compiled templates
TEMPLATES = SharedBytecodeCache()
