"""What the notebooks share: the generated data set, loaded through the real ingestion path.

Nothing here computes anything: it calls the product's own generator
(`app.generator.demo_data`, what `inventory generate` runs), migrations
(`app.db.migrations`, what `inventory db upgrade` runs) and ingestion
(`app.services.ingestion`, what `inventory ingest` runs) on a temporary SQLite database that
disappears with the kernel.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine
from app.schemas.ingestion import IngestReport
from app.db.migrations import upgrade_database
from app.db.unit_of_work import Reader, UnitOfWork
from app.generator.demo_data import DemoData, generate_demo_data, write_csv
from app.services.ingestion import ingest_orders_file

ORDERS = 100_000  # the size `inventory demo` generates
SEED = 42


@dataclass
class Workspace:
    """A temporary folder with the generated CSV files and, once loaded, a migrated SQLite database."""

    data: DemoData
    folder: Path
    orders_csv: Path
    stock_csv: Path
    settings: Settings
    engine: AsyncEngine | None = None
    work: UnitOfWork | None = None
    sessions: Reader | None = None  # read sessions: `async with ws.sessions() as session`
    report: IngestReport | None = None
    _tmp: tempfile.TemporaryDirectory = field(default=None, repr=False)  # type: ignore[assignment]

    async def load(self, orders_csv: Path | None = None) -> IngestReport:
        """Migrate the database and ingest an orders file (the generated one by default) with the stock file."""
        if self.engine is None:
            self.engine = create_engine(self.settings)
            await upgrade_database(self.engine)
            self.work = UnitOfWork(self.engine)
            self.sessions = self.work.reader
        self.report = await ingest_orders_file(
            self.work,
            orders_csv or self.orders_csv,
            stock_path=self.stock_csv,
            default_lead_time_days=self.settings.default_lead_time_days,
            chunk_rows=self.settings.ingest_chunk_rows,
        )
        return self.report


def generated(orders: int = ORDERS, seed: int = SEED) -> Workspace:
    """Generate the demo data set (as `inventory generate --orders N --seed S`) into a temporary folder."""
    tmp = tempfile.TemporaryDirectory(prefix="inventory-notebook-")
    folder = Path(tmp.name)
    data = generate_demo_data(n_orders=orders, seed=seed)
    orders_csv, stock_csv = folder / "orders.csv", folder / "stock.csv"
    write_csv(data, orders_csv, stock_csv)
    # _env_file=None: a developer's .env must not change what the analysis runs on.
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{folder / 'inventory.db'}")
    return Workspace(data=data, folder=folder, orders_csv=orders_csv, stock_csv=stock_csv, settings=settings, _tmp=tmp)


async def loaded(orders: int = ORDERS, seed: int = SEED) -> Workspace:
    """The generated data set in a fresh database, as `inventory demo` leaves it before training."""
    workspace = generated(orders, seed)
    await workspace.load()
    return workspace


def plot_style() -> None:
    """One look for every figure; PNGs small enough to keep the committed notebooks light."""
    plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (10, 4), "axes.grid": True, "grid.alpha": 0.3})
