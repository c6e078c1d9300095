"""python -m aotc inspect OUT_DIR: the families of a build, their keys, params and variants."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import Error, load


def _inspect(out_dir: str, variants: bool) -> None:
    library = load(out_dir)
    for name, family in library.items():
        built = family.variants()
        print(f"{name}: {len(built)} variants, {family.step_count} steps, "
              f"code objects {'embedded' if family.embedded else 'read from files'}  ({family.path})")
        for field in family.key_fields:
            values = list(dict.fromkeys(repr(v.key[field.name]) for v in built))  # build order
            print(f"  key {field.name}: {' '.join(values)}")
        for param, c_type in family.params:
            print(f"  param {param}: {c_type}")
        if family.has_workspace:
            print("  workspace: allocated per launch (workspace_bytes())")
        if variants:
            for v in built:
                print(f"  variant {v.name}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aotc", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="print the families of an aotc build")
    inspect.add_argument("out_dir", help="output folder of `aotc build --shared-lib`")
    inspect.add_argument("--variants", action="store_true", help="list every variant too")
    args = parser.parse_args(argv)
    try:
        _inspect(args.out_dir, args.variants)
    except Error as e:
        print(f"python -m aotc: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
