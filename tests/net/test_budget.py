"""net/budget: sliding-minute weight budgets on a fake clock."""

from __future__ import annotations

from crashtui.clock import FakeClock
from crashtui.net.budget import Budgets, RateBudget


def test_budget_counts_weight_and_frees_it_after_a_minute() -> None:
    clock = FakeClock()
    budget = RateBudget(10, clock)
    budget.spend(4)
    clock.advance(30)
    budget.spend(6)
    assert budget.used() == 10
    assert budget.delay_s(1) == 30.0  # the first 4 leave the window 60 s after they were spent
    clock.advance(30)
    assert budget.used() == 6
    assert budget.delay_s(4) == 0.0


async def test_acquire_waits_on_the_clock_until_the_weight_fits() -> None:
    clock = FakeClock()
    budget = RateBudget(6000, clock)
    for _ in range(3):
        await budget.acquire(2000)
    assert clock.sleeps == []
    await budget.acquire(40)
    assert clock.sleeps == [60.0]
    assert budget.used() == 40


async def test_request_heavier_than_the_budget_waits_for_an_empty_window() -> None:
    clock = FakeClock()
    budget = RateBudget(30, clock)
    budget.spend(1)
    await budget.acquire(100)
    assert clock.sleeps == [60.0]
    assert budget.used() == 100


def test_unlimited_budget_never_waits() -> None:
    budget = RateBudget(None, FakeClock())
    budget.spend(10**6)
    assert budget.delay_s(10**6) == 0.0


def test_budgets_are_per_host_with_the_source_limit() -> None:
    budgets = Budgets(FakeClock())
    spot = budgets.for_request("binance", "https://data-api.binance.vision/api/v3/klines")
    assert spot is budgets.for_request("binance", "https://DATA-API.binance.vision/api/v3/depth")
    futures = budgets.for_request("binance_futures", "https://fapi.binance.com/fapi/v1/premiumIndex")
    assert futures is not spot
    assert spot.limit_per_min == 6000
    assert futures.limit_per_min == 2400
