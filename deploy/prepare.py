"""`python -m deploy.prepare`: the admin steps before the services start, against the
configured cluster and database: create the topics, migrate every service schema."""

import asyncio

from deploy.settings import StackSettings
from deploy.stack import prepare

if __name__ == "__main__":
    asyncio.run(prepare(StackSettings()))
    print("topics created and every service schema migrated")
