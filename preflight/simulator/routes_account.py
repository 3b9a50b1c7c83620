"""Signed account endpoints a client calls before it trades: account info, coin info and fee rates.

Stock ccxt calls all three while loading markets, fetching a balance or a trading fee (notes, section 2);
each answers in Bybit's documented shape for the simulated unified (UTA 2.0) spot account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.simulator.accounts import Account
from preflight.simulator.routes_market import CATEGORIES
from preflight.simulator.validation import text_param
from preflight.simulator.venue import Venue
from preflight.simulator.wire import ApiError, fmt

# unifiedMarginStatus 6 = UTA 2.0 Pro (docs account-info.mdx): what a new Bybit account is today.
UTA_PRO = 6
_CHAIN_DIGITS = {"BTC": "8", "ETH": "8", "USDT": "6"}


def account_info(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/account/info: a unified account in regular (cross) margin mode."""
    return {
        "unifiedMarginStatus": UTA_PRO,
        "marginMode": "REGULAR_MARGIN",
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
        "updatedTime": str(venue.created_ms),
        "dcpStatus": "OFF",
        "timeWindow": 0,
        "smpGroup": 0,
    }


def coin_query_info(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/asset/coin/query-info: every coin of the simulated pairs, one chain each."""
    wanted = text_param(params, "coin")
    coins: list[str] = []
    for market in venue.markets.values():
        for coin in (market.instrument.base_coin, market.instrument.quote_coin):
            if coin not in coins and (not wanted or coin == wanted):
                coins.append(coin)
    if wanted and not coins:
        raise ApiError(10001, "params error: coin is not supported")
    return {"rows": [_coin_row(coin) for coin in coins]}


def _coin_row(coin: str) -> dict[str, Any]:
    # Deposits and withdrawals do not exist in the simulator: the chain says so (chainDeposit "0").
    return {
        "name": coin,
        "coin": coin,
        "remainAmount": "0",
        "chains": [
            {
                "chainType": coin,
                "confirmation": "0",
                "withdrawFee": "0",
                "depositMin": "0",
                "withdrawMin": "0",
                "chain": coin,
                "chainDeposit": "0",
                "chainWithdraw": "0",
                "minAccuracy": _CHAIN_DIGITS.get(coin, "8"),
                "withdrawPercentageFee": "0",
                "contractAddress": "",
            }
        ],
    }


def fee_rate(venue: Venue, account: Account, params: Mapping[str, object], now_ms: int) -> Any:
    """Answer GET /v5/account/fee-rate: the simulator's maker/taker rates per spot symbol."""
    category = text_param(params, "category")
    if not category:
        raise ApiError(10001, "params error: category is empty")
    if category not in CATEGORIES:
        raise ApiError(10001, f"params error: category {category} is invalid")
    if category != "spot":
        return {"category": category, "list": []}
    symbol = text_param(params, "symbol")
    if symbol and symbol not in venue.markets:
        raise ApiError(10001, "params error: symbol invalid")
    engine = venue.engine
    items = [
        {
            "symbol": name,
            "baseCoin": "",
            "takerFeeRate": fmt(engine.taker_fee),
            "makerFeeRate": fmt(engine.maker_fee),
        }
        for name in venue.markets
        if not symbol or name == symbol
    ]
    return {"category": "spot", "list": items}
