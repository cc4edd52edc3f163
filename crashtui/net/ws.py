"""The websocket runner: one long-lived stream with subscribe, pings, reconnects and status.

A :class:`StreamRunner` connects to ``spec.url``, sends the subscribe messages (again after
every reconnect), sends the venue's app-level ping and reconnects if the pong does not come,
reconnects with jittered backoff after a drop, and forces a reconnect after a maximum
connection age. Every frame goes to the raw sink (for record/replay) and to ``deliver``, the
one ingest pipeline, which says whether it was data, a control frame (pong, ack, venue error,
reconnect request) or a bad frame. Bad frames are counted in the status, never fatal:
:meth:`run` only ends when its task is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.errors import BlockedError, ChallengeError, RateLimitedError, SourceError
from crashtui.events import Deliver, EventSink, RawSink, StatusEvent
from crashtui.model import Failure, RawPayload, SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.net.frame_rate import FrameRate
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.wire import Request, classify_response

log = logging.getLogger(__name__)

# Control frame kinds the pipeline reports for a stream frame (see crashtui.streams.frames).
PONG = "pong"
ERROR = "error"
RECONNECT = "reconnect"

SAMPLED_HINT = "sampled: at most 1 order per symbol per second, tallies are a lower bound"
# A handshake answered with a geo-block (403/451) is retried after 15-30 min, as REST is.
BLOCKED_RETRY_S = 900.0


@dataclass(frozen=True, slots=True)
class StreamTiming:
    """Intervals (seconds) of one stream; tests shrink them to run fast.

    ``ping_interval_s`` None means no app-level ping (the venue pings us, e.g. Binance).
    ``max_age_s`` forces a reconnect before the venue cuts the connection (Binance: 24 h).
    ``idle_timeout_s`` reconnects when no frame at all arrived for that long.
    ``protocol_ping_s`` is the websocket-level keepalive of the library (None: off).
    A connection that delivered data or lasted ``stable_after_s`` resets the backoff.
    """

    ping_interval_s: float | None = None
    pong_timeout_s: float = 10.0
    max_age_s: float | None = None
    idle_timeout_s: float | None = None
    status_interval_s: float = 5.0
    open_timeout_s: float = 10.0
    close_timeout_s: float = 2.0
    protocol_ping_s: float | None = 20.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    stable_after_s: float = 30.0


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """What to connect to and how to read it.

    ``source`` names the stream in statuses and events (``binance_liq``); ``endpoint`` is
    stored on each frame so the pipeline (live or replay) knows which parser to run.
    """

    source: str
    url: str
    endpoint: str
    subscribe: tuple[str, ...] = ()
    ping_message: str | None = None
    sampled: bool = False
    timing: StreamTiming = field(default_factory=StreamTiming)


@dataclass(slots=True)
class _Outcome:
    """Why a connection ended; a refused handshake also says what it stands for."""

    reason: str
    error: bool = True
    immediate: bool = False
    failure: Failure = Failure.ANSWERED
    state: SourceState | None = None  # set by a refused handshake (blocked)
    hint: str | None = None
    wait_s: float | None = None  # at least this long before the next attempt


@dataclass(slots=True)
class _Connection:
    """Book-keeping for one open connection."""

    opened_ms: int
    last_frame_ms: int
    next_ping_ms: int
    ping_sent_ms: int | None = None
    data_frames: int = 0


class StreamRunner:
    """Runs one websocket stream forever; see the module docstring."""

    def __init__(
        self,
        spec: StreamSpec,
        deliver: Deliver,
        sink: EventSink,
        raw_sink: RawSink | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        backoff: Backoff | None = None,
    ) -> None:
        self.spec = spec
        self._deliver = deliver
        self._sink = sink
        self._raw_sink = raw_sink
        self._clock = clock
        timing = spec.timing
        self._backoff = backoff or Backoff(base_s=timing.backoff_base_s, cap_s=timing.backoff_cap_s)
        self._rate = FrameRate()
        self._state = SourceState.PENDING
        self._connected = False
        self._last_error: str | None = None
        self._hint: str | None = None
        self._failure: Failure | None = None
        self._next_attempt_ms: int | None = None
        self._last_frame_ms: int | None = None
        self._last_ok_ms: int | None = None
        self.frames = 0
        self.bad_frames = 0
        self.reconnects = 0
        self.connections = 0

    # ----------------------------------------------------------------- public
    async def run(self) -> None:
        """Stream until cancelled. Never raises anything but ``CancelledError``."""
        first = True
        while True:
            try:
                if not first:
                    self.reconnects += 1
                first = False
                outcome, conn = await self._one_connection()
                healthy = self._after_disconnect(outcome, conn)
                # Reconnect at once only from a connection that worked, so a venue that keeps
                # asking for a reconnect straight after the handshake cannot make us spin.
                delay = 0.0 if outcome.immediate and healthy else self._backoff.next_delay()
                if outcome.wait_s is not None:
                    delay = max(delay, outcome.wait_s)
                self._next_attempt_ms = self._clock.now_ms() + round(delay * 1000)
                self._emit_status()
                await self._clock.sleep(delay)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug must not end the stream: note it and retry later
                log.exception("stream %s: unexpected error", self.spec.source)
                self._state = SourceState.FAILING
                self._last_error = plain(f"internal error: {type(exc).__name__}: {exc}", ERROR_LINE)
                await self._clock.sleep(self._backoff.next_delay())

    def status(self) -> SourceStatus:
        """The stream's current status."""
        now = self._clock.now_ms()
        return SourceStatus(
            source=self.spec.source,
            state=self._state,
            updated_ms=now,
            last_ok_ms=self._last_ok_ms,
            last_error=self._last_error,
            hint=self._hint or (SAMPLED_HINT if self.spec.sampled else None),
            next_attempt_ms=self._next_attempt_ms,
            connected=self._connected,
            reconnects=self.reconnects,
            last_frame_ms=self._last_frame_ms,
            frames_per_min=self._rate.per_minute(now),
            bad_frames=self.bad_frames,
            sampled=self.spec.sampled,
            failure=None if self._failure is None or self._state is SourceState.OK else self._failure.value,
        )

    # ------------------------------------------------------------- connection
    async def _one_connection(self) -> tuple[_Outcome, _Connection | None]:
        if self._state not in (SourceState.FAILING, SourceState.BLOCKED):  # stays so while it retries
            self._state = SourceState.CONNECTING
        self._next_attempt_ms = None
        self._emit_status()
        timing = self.spec.timing
        conn: _Connection | None = None
        try:
            async with connect(
                self.spec.url,
                open_timeout=timing.open_timeout_s,
                close_timeout=timing.close_timeout_s,
                ping_interval=timing.protocol_ping_s,
                ping_timeout=timing.protocol_ping_s,
            ) as ws:
                for message in self.spec.subscribe:
                    await ws.send(message)
                now = self._clock.now_ms()
                conn = _Connection(
                    opened_ms=now, last_frame_ms=now, next_ping_ms=now + _ms(timing.ping_interval_s)
                )
                self.connections += 1
                self._connected = True
                self._state = SourceState.OK
                self._hint = None
                self._failure = None
                self._emit_status()
                return await self._pump(ws, conn), conn
        except asyncio.CancelledError:
            raise
        except InvalidStatus as exc:  # the server answered the upgrade with an HTTP status
            return refused_handshake(self.spec, exc, self._clock.now_ms()), conn
        except Exception as exc:  # OSError, handshake failures, timeouts, closed while subscribing
            failure = Failure.ANSWERED if conn is not None else _failure_of(exc)
            return _Outcome(_describe(exc, urlsplit(self.spec.url).hostname), failure=failure), conn
        finally:
            self._connected = False

    async def _pump(self, ws: ClientConnection, conn: _Connection) -> _Outcome:
        receiver = asyncio.ensure_future(self._receive(ws, conn))
        watchdog = asyncio.ensure_future(self._watch(ws, conn))
        try:
            done, _ = await asyncio.wait({receiver, watchdog}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            receiver.cancel()
            watchdog.cancel()
            await asyncio.gather(receiver, watchdog, return_exceptions=True)
        finished = receiver if receiver in done else watchdog
        exc = finished.exception()
        return finished.result() if exc is None else _Outcome(_describe(exc))

    async def _receive(self, ws: ClientConnection, conn: _Connection) -> _Outcome:
        try:
            async for message in ws:
                outcome = self._on_frame(message, conn)
                if outcome is not None:
                    return outcome
        except ConnectionClosed as exc:
            return _Outcome(_describe(exc))
        return _Outcome(f"server closed the connection (code {ws.close_code})")

    async def _watch(self, ws: ClientConnection, conn: _Connection) -> _Outcome:
        """Send pings, enforce the pong timeout, max age and idle timeout, refresh the status."""
        timing = self.spec.timing
        next_status_ms = self._clock.now_ms() + _ms(timing.status_interval_s)
        while True:
            now = self._clock.now_ms()
            if timing.max_age_s is not None and now - conn.opened_ms >= _ms(timing.max_age_s):
                return _Outcome("maximum connection age reached", error=False, immediate=True)
            if conn.ping_sent_ms is not None and now - conn.ping_sent_ms >= _ms(timing.pong_timeout_s):
                return _Outcome(f"no pong within {timing.pong_timeout_s:g}s")
            if timing.idle_timeout_s is not None and now - conn.last_frame_ms >= _ms(timing.idle_timeout_s):
                return _Outcome(f"no frame for {timing.idle_timeout_s:g}s")
            wake = [next_status_ms]
            if self.spec.ping_message is not None and timing.ping_interval_s is not None:
                if conn.ping_sent_ms is None and now >= conn.next_ping_ms:
                    await ws.send(self.spec.ping_message)
                    conn.ping_sent_ms = now
                    conn.next_ping_ms = now + _ms(timing.ping_interval_s)
                if conn.ping_sent_ms is None:
                    wake.append(conn.next_ping_ms)
                else:
                    wake.append(conn.ping_sent_ms + _ms(timing.pong_timeout_s))
            if now >= next_status_ms:
                self._emit_status()
                next_status_ms = now + _ms(timing.status_interval_s)
                wake[0] = next_status_ms
            if timing.max_age_s is not None:
                wake.append(conn.opened_ms + _ms(timing.max_age_s))
            if timing.idle_timeout_s is not None:
                wake.append(conn.last_frame_ms + _ms(timing.idle_timeout_s))
            await self._clock.sleep(max(1, min(wake) - now) / 1000)

    # ----------------------------------------------------------------- frames
    def _on_frame(self, message: str | bytes, conn: _Connection) -> _Outcome | None:
        now = self._clock.now_ms()
        self.frames += 1
        self._rate.add(now)
        self._last_frame_ms = conn.last_frame_ms = now
        body = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        raw = RawPayload(
            source=self.spec.source, endpoint=self.spec.endpoint, received_ms=now, body=body, kind="ws"
        )
        if self._raw_sink is not None:
            self._raw_sink(raw)
        try:
            outcome = self._deliver(raw)
        except Exception as exc:  # a pipeline bug: count it like a bad frame, keep streaming
            log.exception("stream %s: pipeline failed", self.spec.source)
            self._bad_frame(f"{type(exc).__name__}: {exc}")
            return None
        if outcome.error is not None:
            self._bad_frame(str(outcome.error))
            return None
        self._last_ok_ms = now
        if outcome.control is None:
            conn.data_frames += 1
            if conn.data_frames == 1:
                self._backoff.reset()  # this connection works: the next drop starts from the base delay
        elif outcome.control == PONG:
            conn.ping_sent_ms = None
        elif outcome.control == ERROR:
            self._last_error = outcome.message or "venue reported an error"
            self._emit_status()
        elif outcome.control == RECONNECT:
            return _Outcome(outcome.message or "venue asked for a reconnect", error=False, immediate=True)
        return None

    def _bad_frame(self, reason: str) -> None:
        self.bad_frames += 1
        self._last_error = plain(f"bad frame: {reason}", ERROR_LINE)

    # ----------------------------------------------------------------- status
    def _after_disconnect(self, outcome: _Outcome, conn: _Connection | None) -> bool:
        """Update state and backoff after a connection ended; True if that connection was healthy."""
        now = self._clock.now_ms()
        healthy = conn is not None and (
            conn.data_frames > 0 or now - conn.opened_ms >= _ms(self.spec.timing.stable_after_s)
        )
        if healthy:
            self._backoff.reset()
        if outcome.error:
            self._last_error = plain(outcome.reason, ERROR_LINE)
            self._failure = outcome.failure
            self._hint = outcome.hint
        # A drop after a good connection is "reconnecting"; failing to get a working one is "failing".
        self._state = SourceState.CONNECTING if healthy or not outcome.error else SourceState.FAILING
        if outcome.state is not None:
            self._state = outcome.state
        log.info("stream %s: disconnected: %s", self.spec.source, outcome.reason)
        return healthy

    def _emit_status(self) -> None:
        self._sink(StatusEvent(self.status()))


def refused_handshake(spec: StreamSpec, exc: InvalidStatus, now_ms: int) -> _Outcome:
    """What an HTTP answer to the websocket upgrade stands for, judged by the REST rule.

    A 451/403 is a geo-block (state ``blocked``, the same hint as REST, retried after 15 min),
    an anti-bot page ``blocked`` on the normal schedule, a 429 a rate limit honouring its
    ``Retry-After`` (capped), anything else a failure naming the status.
    """
    response = exc.response
    status = response.status_code
    headers = {k.lower(): v for k, v in response.headers.raw_items()}
    body = bytes(response.body or b"")
    request = Request(source=spec.source, endpoint="handshake", url=spec.url)
    try:
        classify_response(request, status, headers, body, now_ms)
    except SourceError as err:
        reason = str(err)
        if isinstance(err, ChallengeError):
            return _Outcome(reason, failure=err.failure, state=SourceState.BLOCKED, hint=err.hint)
        if isinstance(err, BlockedError):
            return _Outcome(
                reason, failure=err.failure, state=SourceState.BLOCKED, hint=err.hint, wait_s=BLOCKED_RETRY_S
            )
        if isinstance(err, RateLimitedError):
            return _Outcome(reason, failure=err.failure, wait_s=err.retry_after_s)
        return _Outcome(reason, failure=err.failure)
    return _Outcome(
        plain(f"{spec.source} handshake: HTTP {status} instead of a websocket upgrade", ERROR_LINE),
        failure=Failure.ANSWERED,
    )


def connect_error(exc: BaseException, url: str) -> tuple[str, Failure]:
    """Why connecting to ``url`` failed, one line, and whether anything answered."""
    return _describe(exc, urlsplit(url).hostname), _failure_of(exc)


def _failure_of(exc: BaseException) -> Failure:
    """No answer at all (DNS, refused, timeout) or a server that answered and then broke off."""
    if isinstance(exc, ConnectionClosed):
        return Failure.ANSWERED
    if isinstance(exc, (OSError, TimeoutError)):
        return Failure.UNREACHABLE
    return Failure.ANSWERED


def _ms(seconds: float | None) -> int:
    return 0 if seconds is None else round(seconds * 1000)


def _describe(exc: BaseException, host: str | None = None) -> str:
    """One line saying why a connection failed or ended."""
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {host or 'the host'} (offline, or DNS blocked?)"
    if isinstance(exc, ConnectionClosed):
        close = exc.rcvd
        if close is None:
            return "connection lost (no close frame)"
        reason = f": {plain(close.reason, 60)}" if close.reason else ""
        return f"closed by server (code {close.code}{reason})"
    if isinstance(exc, TimeoutError):
        return "timed out connecting"
    text = plain(exc, 100)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
