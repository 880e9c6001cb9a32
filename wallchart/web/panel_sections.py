"""The panel's sections (notes, blockers, funds, documents): each a template listing what its
``data_of(project)`` hands it, answered again after each of its forms, a refusal shown at its
fields (or above the form) with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template, request

from wallchart.core.errors import NotFound, ServiceError
from wallchart.core.models import Project
from wallchart.reads import queries


@dataclass(frozen=True)
class PanelSection:
    template: str
    data_of: Callable[[Project], dict[str, Any]]

    def answer(self, project_id: int, status: int = 200, **form: Any):
        """The section of the project, ``form`` passed to its template as is."""
        project = queries.project_or_404(project_id)
        return render_template(self.template, project=project, **self.data_of(project),
                               **form), status

    def refused(self, project_id: int, error: ServiceError, **form: Any):
        """The section again with the refusal; what was typed is the request's form unless
        ``form_values`` says otherwise. A project or row not found stays a 404."""
        if isinstance(error, NotFound):
            raise error
        form.setdefault("form_values", {name: request.form.get(name, "")
                                        for name in request.form})
        return self.answer(project_id, error.status, form_message=error.message,
                           form_errors=getattr(error, "fields", {}), **form)
