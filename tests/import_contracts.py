"""A custom import-linter contract: other apps may import only an app's public modules.

In the manner of edx-platform's isolated-apps contract (OEP-49: an app's ``api.py`` is its
public face). ``lint-imports`` loads it through ``contract_types`` in ``pyproject.toml``;
``tests/portal/test_import_contracts.py`` checks that it refuses a private import.

An import from app A of ``B.x.y`` (B another app) is allowed only when ``x`` is one of
``public_modules`` (``services``, ``models`` ...) or ``B.x`` is listed in ``extra_public``.
Imports inside an app are not this contract's business (``acyclic_siblings`` and the layers are).
"""

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class PublicModulesContract(Contract):
    """Options: ``containers`` (the apps), ``public_modules`` (module names public in every app),
    ``extra_public`` (further public modules, in full), ``ignore_imports`` (as in other contracts)."""

    type_name = "public_modules"

    containers = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    extra_public = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = set(self.containers)
        public = set(self.public_modules)
        extra = set(self.extra_public or ())
        # Ignored imports (wildcards allowed) leave the graph first, as in import-linter's own contracts.
        contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        violations = []
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            if importer_app not in apps:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                parts = imported.split(".")
                if parts[0] not in apps or parts[0] == importer_app:
                    continue
                if len(parts) == 1 or parts[1] in public or ".".join(parts[:2]) in extra:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                line = details[0]["line_number"] if details else "?"
                violations.append(f"{importer} -> {imported} (l. {line})")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("These imports reach into another app's private modules:", bold=True)
        output.new_line()
        for violation in check.metadata["violations"]:
            output.indent_cursor()
            output.print_error(f"- {violation}")
        output.new_line()
        output.print("Use the app's services module (or another public one) instead.")
