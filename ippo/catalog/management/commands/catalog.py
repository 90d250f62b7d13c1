import json

from django.core.management.base import BaseCommand, CommandError

from ippo.catalog.loader import CSF, CatalogError, catalog_load
from ippo.catalog.selectors import catalog_as_dict, framework_coverage


class Command(BaseCommand):
    help = (
        "Catalog tools. `ippo catalog validate` checks every data file and names each problem by file and "
        "line (exit status 1 on errors); `ippo catalog export --format json` prints the whole catalog."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Validate the catalog data files and print counts.")
        export = sub.add_parser("export", help="Print the whole catalog.")
        export.add_argument("--format", choices=["json"], default="json", help="Output format (json).")
        for p in (validate, export):
            p.add_argument(
                "--data-dir", default=None, help="Read this data folder instead of the shipped one."
            )

    def handle(self, *args, **options):
        try:
            catalog = catalog_load(options["data_dir"])
        except CatalogError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            count = len(exc.errors)
            raise CommandError(f"{count} catalog error{'s' if count != 1 else ''}", returncode=1) from None
        if options["action"] == "export":
            self.stdout.write(json.dumps(catalog_as_dict(catalog), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Frameworks: {len(catalog.frameworks)}")
        for framework in catalog.frameworks:
            self.stdout.write(f"  {framework.id:<26} {len(framework.items):>4} items")
        self.stdout.write(f"Controls: {len(catalog.controls)}")
        self.stdout.write(f"Questions: {len(catalog.questions)}")
        coverage = framework_coverage(catalog, CSF)
        csf = catalog.framework(CSF)
        covered = sum(1 for ids in coverage.values() if ids)
        noted = [item for item in csf.items if item.out_of_scope]
        out_of_scope = sum(1 for item in noted if not coverage[item.id])
        self.stdout.write(
            f"NIST CSF 2.0 subcategories: {len(csf.items)} ({covered} covered by controls, "
            f"{out_of_scope} out of scope; {len(noted) - out_of_scope} with an out-of-scope note are also mapped)"
        )
        self.stdout.write(self.style.SUCCESS("Catalog OK"))
