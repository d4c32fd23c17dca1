"""`python -m deploy.prepare`: the admin steps before the services start, against the
configured cluster and database: create the topics, migrate every service schema.

With `--schemas-only` it only migrates: in the cluster deployment the topics are Strimzi's
KafkaTopic resources (`deploy/kubernetes/base/kafka-topics.yaml`), replicated three times,
and the migration Job must not create them first with other settings.
"""

import argparse
import asyncio

from deploy.settings import StackSettings
from deploy.stack import prepare
from shared.migrations import upgrade_all


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--schemas-only",
        action="store_true",
        help="migrate every service schema, create no topic (they are the cluster's)",
    )
    return parser


if __name__ == "__main__":
    if parser().parse_args().schemas_only:
        asyncio.run(upgrade_all(StackSettings()))
        print("every service schema migrated")
    else:
        asyncio.run(prepare(StackSettings()))
        print("topics created and every service schema migrated")
