"""flask-smorest's ``Api``, writing the OpenAPI document when it is first read.

flask-smorest documents a blueprint's operations as the blueprint is
registered: every schema of every operation converted to JSON Schema, a
deep copy of each view's docs — over half of what building an app costs
(a ``trellis`` command, a worker, each test's app), for a document that
only ``/api/v1/openapi.json`` and ``api.spec`` readers ever look at. Here
the routes are registered at once, as before, and the operations are
written into the document, in the order their blueprints were registered,
when ``spec`` is first read: the document is the same, only later.
"""

from __future__ import annotations

import threading
from typing import Any

from flask_smorest import Api


class LazyDocApi(Api):
    """An ``Api`` whose blueprints' operations join ``spec`` on its first read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: (blueprint, its name, its url_prefix's parameters) not yet documented
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._writing = threading.Lock()  # two first requests at once: one writes
        self._spec: Any = None
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> Any:
        """The document, with every registered blueprint's operations in it."""
        if self._undocumented:
            with self._writing:
                while self._undocumented:
                    blp, name, parameters = self._undocumented[0]
                    blp.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blp.description})
                    self._undocumented.pop(0)
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register ``blp``'s routes now and its operations' docs on first read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))
