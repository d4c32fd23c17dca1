"""`make run`: the whole stack on embedded defaults, with the sample cases flowing through it.

Starts the broker, PostgreSQL, migrations and the five services; replays the
bundled sample cases through the intake webhook; prints the URLs and a summary;
runs until Ctrl-C, which stops every process it started.
"""

import asyncio
import logging
import os
import signal
import threading
from datetime import UTC, datetime

import httpx
from rich.columns import Columns
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from deploy.buyers_play import EMAIL, MARKETPLACE, PAGE, Buyers, Reach, answer_offers, mail_stamp
from deploy.components import RUN_DIR
from deploy.progress import progress_bars
from deploy.replay import (
    analytics_summary,
    api,
    emulated_ebay_root,
    import_catalogs,
    poll_amazon_returns,
    post_cases,
    post_shopify_returns,
    post_walmart_returns,
    replay_ebay_returns,
    stock_warehouses,
    wait_for_analytics,
)
from deploy.samples import sample_cases
from deploy.seller_data import load_seller_data
from deploy.settings import StackSettings
from deploy.stack import MAIL_DIR, local_mail_relay, running_stack
from deploy.warehouse_play import (
    dispatch_to_origin,
    inspect_units,
    receive_returns,
    ship_dispatch_tasks,
)
from shared.settings import SERVICE_NAMES

console = Console()


def summary_tables(summary: dict) -> list[Table]:
    tables = []
    for key, title in (
        ("by_scenario", "Scenario"),
        ("by_remedy", "Remedy"),
        ("by_market", "Market"),
        ("by_marketplace", "Marketplace"),
    ):
        table = Table(title=f"Cases by {title.lower()}", title_justify="left")
        table.add_column(title)
        table.add_column("cases", justify="right")
        for name, count in summary[key].items():
            table.add_row(name, str(count))
        tables.append(table)
    return tables


async def buyers_answer(
    settings: StackSettings, case_ids: list[str], since: datetime, progress: Progress
) -> Buyers:
    """The buyers read what was sent to them (mails kept since `since`, eBay's messages) and
    answer by page, e-mail or marketplace."""
    ebay_root = emulated_ebay_root(settings)
    async with (
        httpx.AsyncClient(timeout=15) as web,
        httpx.AsyncClient(base_url=ebay_root or "http://-", timeout=15) as ebay,
        api(settings, "resolution", timeout=10) as resolution,
    ):
        reach = Reach(
            web=web,
            smtp_port=settings.inbound_smtp_port,
            mail_folder=MAIL_DIR if local_mail_relay() else None,
            since=mail_stamp(since),
            ebay=ebay if ebay_root else None,
        )
        return await answer_offers(reach, resolution, case_ids, progress)


async def replay_samples(settings: StackSettings) -> dict:
    started = datetime.now(UTC)
    cases = sample_cases()
    await stock_warehouses(settings, cases)
    await load_seller_data(settings, cases)
    with progress_bars(console) as progress:
        await import_catalogs(settings, progress)
        case_ids = await post_cases(settings, cases, progress)
        case_ids += await post_walmart_returns(settings, progress)
        case_ids += await post_shopify_returns(settings, progress)
        case_ids += await replay_ebay_returns(settings, progress)
        case_ids += await poll_amazon_returns(settings, progress)
        buyers = await buyers_answer(settings, case_ids, started, progress)
        await wait_for_analytics(settings, case_ids, progress)
        await ship_dispatch_tasks(settings, progress)
        received = await receive_returns(settings, case_ids, progress)
        await inspect_units(settings, received, progress)
    await asyncio.sleep(1)  # let fulfillment consolidate the units going back to origin
    await dispatch_to_origin(settings)
    await asyncio.sleep(1)  # let analytics apply the last events
    answered = buyers.answered()
    buyers_said = {way: answered[way] for way in (PAGE, EMAIL, MARKETPLACE)}
    return {**await analytics_summary(settings), "buyers": buyers_said, "ratings": buyers.ratings}


def print_overview(settings: StackSettings, summary: dict) -> None:
    urls = Table(title="Services", title_justify="left")
    urls.add_column("service")
    urls.add_column("URL")
    for name in SERVICE_NAMES:
        urls.add_row(name, f"{settings.base_url_of(name)}/docs")
    console.print(urls)
    console.print(
        f"Technician's bench: [bold]{settings.base_url_of('refurbish')}/bench[/]   (sign in "
        "through the development issuer as “Demo technician, Boston and Nuremberg”; a token "
        "for curl: `make token ROLE=technician REPAIR_SHOPS=BOS1,NUE1`)"
    )
    console.print(
        f"Warehouse floor: [bold]{settings.base_url_of('fulfillment')}/floor[/]   (sign in "
        "through the development issuer as “Demo warehouse staff, Boston and Nuremberg”; a "
        "token for curl: `make token ROLE=warehouse_staff WAREHOUSES=BOS1,NUE1`)"
    )
    console.print(f"[bold]{summary['cases']}[/] cases, {summary['events']} events in analytics")
    console.print(Columns(summary_tables(summary), padding=(0, 3)))
    answered = ", ".join(f"{count} by {way}" for way, count in summary["buyers"].items())
    console.print(
        f"Buyers answered: {answered}; {summary['ratings']} rated the outcome on their page"
    )
    console.print(
        f"Operations console: [bold]{settings.base_url_of('analytics')}/console[/]"
        "   (sign in through the development issuer; `make token` prints a token for curl)\n"
        'Try: curl -H "Authorization: Bearer $(make -s token ROLE=operations '
        f'SELLERS=demo-seller)" {settings.base_url_of("analytics")}/reports/summary   ·   '
        f"service logs: {RUN_DIR / 'logs'}\n"
        f"{mail_folder_line()}"
        f"Buyers' replies by mail: SMTP 127.0.0.1:{settings.inbound_smtp_port}, to "
        f"reply+…@{settings.reply_domain}\n"
        "Running. Press Ctrl-C to stop every process."
    )


def mail_folder_line() -> str:
    """Where the messages to buyers are, when the local mail server keeps them."""
    if not local_mail_relay():
        return f"Messages to buyers: handed to {os.environ['SMTP_HOST']}\n"
    count = len(list(MAIL_DIR.glob("*.eml")))
    return f"Messages to buyers: {count} so far, each an .eml file in [bold]{MAIL_DIR}[/]\n"


def _interrupt(signum: int, frame: object) -> None:
    # The first signal stops the stack; more of them must not cut the clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    # Ctrl-C and SIGTERM both stop the stack, even when started where SIGINT was ignored
    # (a background job of a script inherits SIGINT ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    console.print("starting broker, database, migrations and the five services…")
    try:
        # FAQ gaps found within seconds of the replay rather than a minute.
        demo = {"FAQ_GAP_SWEEP_SECONDS": os.environ.get("FAQ_GAP_SWEEP_SECONDS", "5")}
        with running_stack(extra_env=demo) as settings:
            summary = asyncio.run(replay_samples(settings))
            print_overview(settings, summary)
            threading.Event().wait()
    except KeyboardInterrupt:
        console.print("stopping…")
    console.print("stopped.")


if __name__ == "__main__":
    main()
